package org.postseal.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class RsaEngineTest {

  private static final byte[] DATA = "from:a@example.com\r\nsubject:rsa engine\r\n".getBytes(StandardCharsets.US_ASCII);

  @Test
  void theNativeProviderIsUsedOnLinuxX86_64() {
    boolean nativePlatform = System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")
        && System.getProperty("os.arch").matches("amd64|x86_64");
    // CI and the machines we measure on are linux-x86_64: there a silent fallback would cost 5x in signing
    assertThat(RsaEngine.accelerated()).as(RsaEngine.description()).isEqualTo(nativePlatform);
    if (nativePlatform) {
      assertThat(RsaEngine.description()).startsWith("Amazon Corretto Crypto Provider 2.");
    }
  }

  @Test
  void jdkSettingChoosesTheJdkProviderAndSaysSo() {
    RsaEngine.Choice choice = RsaEngine.choose(" JDK ");
    assertThat(choice.provider()).isNull();
    assertThat(choice.description()).isEqualTo("JDK provider (postseal.crypto=jdk)");
  }

  @Test
  void anUnknownSettingIsTreatedAsAuto() {
    assertThat(RsaEngine.choose("fastest").provider()).isEqualTo(RsaEngine.choose("auto").provider());
  }

  @Test
  void signaturesOfTheChosenProviderVerifyWithTheJdkAndTheOtherWayRound() throws Exception {
    KeyPair pair = TestKeys.rsa2048();
    PrivateKey providerKey = RsaEngine.signingKey(pair.getPrivate());
    Signature signer = RsaEngine.signature("SHA256withRSA");
    signer.initSign(providerKey);
    signer.update(DATA);
    byte[] ours = signer.sign();

    Signature jdk = Signature.getInstance("SHA256withRSA");
    jdk.initVerify(pair.getPublic());
    jdk.update(DATA);
    assertThat(jdk.verify(ours)).isTrue();

    jdk.initSign(pair.getPrivate());
    jdk.update(DATA);
    byte[] theirs = jdk.sign();
    VerificationKey.Rsa key = new VerificationKey.Rsa(RsaEngine.verificationKey((RSAPublicKey) pair.getPublic()));
    assertThat(key.bits()).isEqualTo(2048);
    assertThat(key.verify(SignatureAlgorithm.RSA_SHA256, DATA, theirs)).isTrue();
    theirs[10] ^= 1;
    assertThat(key.verify(SignatureAlgorithm.RSA_SHA256, DATA, theirs)).isFalse();
    assertThat(key.verify(SignatureAlgorithm.RSA_SHA256, DATA, new byte[17])).as("b= of the wrong length").isFalse();
    theirs[10] ^= 1;
    assertThat(key.verify(SignatureAlgorithm.RSA_SHA256, DATA, theirs)).as("this thread's engine after a failure").isTrue();
  }

  @Test
  void theSameKeysSignAndVerifyMessageAfterMessage() throws Exception {
    // keys live as long as their DNS record or key file: every message after the first reuses them
    KeyPair pair = TestKeys.rsa2048();
    PrivateKey signingKey = RsaEngine.signingKey(pair.getPrivate());
    VerificationKey.Rsa key = new VerificationKey.Rsa(RsaEngine.verificationKey((RSAPublicKey) pair.getPublic()));
    for (int message = 0; message < 6; message++) {
      byte[] data = ("subject:message " + message + "\r\n").getBytes(StandardCharsets.US_ASCII);
      Signature signer = RsaEngine.signature("SHA256withRSA");
      signer.initSign(signingKey);
      signer.update(data);
      byte[] signature = signer.sign();
      assertThat(key.verify(SignatureAlgorithm.RSA_SHA256, data, signature)).as("message %d", message).isTrue();
    }
  }
}
