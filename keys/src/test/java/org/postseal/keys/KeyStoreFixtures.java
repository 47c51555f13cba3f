package org.postseal.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.postseal.dkim.SigningKey;
import org.postseal.dns.DnsAnswer;
import org.postseal.dns.DnsResolver;
import org.postseal.dns.RecordType;

/** What the operation tests share: unwrapping results, and the key directory as an operator leaves it. */
final class KeyStoreFixtures {

  private KeyStoreFixtures() {
  }

  static KeygenResult.Created created(KeygenResult result) {
    assertThat(result).as("%s", result).isInstanceOf(KeygenResult.Created.class);
    return (KeygenResult.Created) result;
  }

  static KeyRefusal refused(Object result, KeyRefusal.Kind kind) {
    assertThat(result).as("%s", result).isInstanceOf(KeyRefusal.class);
    KeyRefusal refusal = (KeyRefusal) result;
    assertThat(refusal.kind()).as(refusal.message()).isEqualTo(kind);
    return refusal;
  }

  /** The one activation of a result that must hold exactly one. */
  static ActivationResult.Activation single(ActivationResult result) {
    assertThat(result).as("%s", result).isInstanceOf(ActivationResult.Activations.class);
    List<ActivationResult.Activation> activations = ((ActivationResult.Activations) result).activations();
    assertThat(activations).hasSize(1);
    return activations.get(0);
  }

  /** A key file copied in by hand (mode 600), as before the key lifecycle or from another signer. */
  static void handPlace(Path keys, String domain, String selector, PrivateKey key) throws Exception {
    Path dir = Files.createDirectories(keys.resolve(domain));
    Path file = dir.resolve(selector + ".pem");
    Files.writeString(file, SigningKeyStore.pem(key), StandardCharsets.US_ASCII);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
  }

  /** The selectors {@code serve} would sign {@code domain}'s mail with. */
  static List<String> activeSelectors(Path keys, String domain) {
    return KeyDirectory.scan(keys).activeKeys(domain).stream().map(SigningKey::selector).toList();
  }

  /** What a verifier does: fetch the RSA key from DNS and check a signature made with the key that signs. */
  static boolean verifiesThroughDns(DnsResolver resolver, SigningKey key) throws Exception {
    DnsAnswer answer = resolver.lookup(key.selector() + "._domainkey." + key.domain(), RecordType.TXT)
        .get(10, TimeUnit.SECONDS);
    String record = ((DnsAnswer.Found) answer).records().get(0);
    byte[] p = Base64.getDecoder().decode(record.substring(record.indexOf("p=") + 2));
    PublicKey publicKey = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(p));
    byte[] data = "DKIM-Signature: v=1; a=rsa-sha256\r\n".getBytes(StandardCharsets.US_ASCII);
    Signature signer = Signature.getInstance("SHA256withRSA");
    signer.initSign(key.privateKey());
    signer.update(data);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance("SHA256withRSA");
    verifier.initVerify(publicKey);
    verifier.update(data);
    return verifier.verify(signature);
  }
}
