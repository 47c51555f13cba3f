package org.postseal.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class KeyRecordParserTest {

  private static KeyRecord parsed(String text) {
    KeyRecordParser.Parse parse = KeyRecordParser.parse(text);
    assertThat(parse).as(text).isInstanceOf(KeyRecordParser.Parsed.class);
    return ((KeyRecordParser.Parsed) parse).record();
  }

  private static KeyRecordParser.SyntaxError syntaxError(String text) {
    KeyRecordParser.Parse parse = KeyRecordParser.parse(text);
    assertThat(parse).as(text).isInstanceOf(KeyRecordParser.SyntaxError.class);
    return (KeyRecordParser.SyntaxError) parse;
  }

  @Test
  void rsaRecord_givesTheKeyAndItsTags() {
    PublicKey key = TestKeys.rsa2048().getPublic();
    KeyRecord record = parsed(TestKeys.txtRecord(key) + "; h=SHA256; s=email:*; t=y:s");

    assertThat(record.keyType()).isEqualTo("rsa");
    assertThat(record.hashNames()).containsExactly("sha256");
    assertThat(record.serviceTypes()).containsExactly("email", "*");
    assertThat(record.isTesting()).isTrue();
    assertThat(record.isStrict()).isTrue();
    assertThat(record.isRevoked()).isFalse();
    assertThat(record.keyProblem()).isNull();
    assertThat(record.publicKey()).get().isInstanceOfSatisfying(RSAPublicKey.class, rsa ->
        assertThat(rsa.getModulus()).isEqualTo(((RSAPublicKey) key).getModulus()));
  }

  @Test
  void ed25519Record_givesAJdkKeyWithTheSameRawBytes() {
    PublicKey key = TestKeys.ed25519().getPublic();
    KeyRecord record = parsed(TestKeys.txtRecord(key));

    assertThat(record.keyType()).isEqualTo("ed25519");
    PublicKey published = record.publicKey().orElseThrow();
    assertThat(published.getAlgorithm()).isIn("Ed25519", "EdDSA");
    assertThat(published.getEncoded()).isEqualTo(key.getEncoded());
  }

  @Test
  void defaults_areRsaAnyHashAnyService() {
    KeyRecord record = parsed("p=" + Base64.getEncoder().encodeToString(TestKeys.rsa2048().getPublic().getEncoded()));
    assertThat(record.keyType()).isEqualTo("rsa");
    assertThat(record.hashNames()).isEmpty();
    assertThat(record.serviceTypes()).containsExactly("*");
    assertThat(record.isTesting()).isFalse();
  }

  @Test
  void emptyKey_isRevoked_whateverTheKeyType() {
    KeyRecord rsa = parsed("v=DKIM1; k=rsa; p=");
    assertThat(rsa.isRevoked()).isTrue();
    assertThat(rsa.publicKey()).isEmpty();
    assertThat(parsed("v=DKIM1; k=future; p= ").isRevoked()).isTrue();
  }

  @Test
  void recordsThatAreNoKeyRecord_areSyntaxErrors() {
    assertThat(syntaxError("v=DKIM1; p=MIIB; p=MIIC")).isEqualTo(new KeyRecordParser.SyntaxError(DkimCause.KEY_SYNTAX,
        "the tag p= appears twice (duplicate tags, RFC 6376 section 3.2)"));
    assertThat(syntaxError("v=DKIM1; k=rsa")).isEqualTo(new KeyRecordParser.SyntaxError(DkimCause.KEY_SYNTAX,
        "p= is missing"));
    assertThat(syntaxError("k=rsa; v=DKIM1; p=")).isEqualTo(new KeyRecordParser.SyntaxError(DkimCause.KEY_SYNTAX,
        "v= is not the first tag"));
    assertThat(syntaxError("v=DKIM2; p=").cause()).isEqualTo(DkimCause.KEY_UNSUPPORTED_VERSION);
    assertThat(syntaxError("hello world").cause()).isEqualTo(DkimCause.KEY_SYNTAX);
  }

  @Test
  void undecodableKeys_nameTheUsualMistake() {
    assertThat(parsed("v=DKIM1; k=rsa; p=MIIB\"IjAN").keyProblem()).startsWith("not valid base64")
        .contains("quoted string");
    assertThat(parsed("v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(new byte[40])).keyProblem())
        .startsWith("not an RSA public key");
    String spki = Base64.getEncoder().encodeToString(TestKeys.ed25519().getPublic().getEncoded());
    assertThat(parsed("v=DKIM1; k=ed25519; p=" + spki).keyProblem())
        .startsWith("44 bytes, an Ed25519 key is 32").contains("SubjectPublicKeyInfo");
    KeyRecord unknown = parsed("v=DKIM1; k=dsa; p=AAAA");
    assertThat(unknown.keyProblem()).isEqualTo("k=dsa is not a supported key type; DKIM keys are k=rsa or k=ed25519");
    assertThat(unknown.publicKey()).isEmpty();
  }
}
