package org.postseal.dkim;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.util.Arrays;
import java.util.Base64;
import org.postseal.testdata.TestData;

/** Keys for tests: generated once per JVM, or read from the RFC 8463 vectors. */
final class TestKeys {

  /** The DKIM vectors in test resources (see dkim-rfc-vectors/SOURCE.txt): classpath folders, ending in "/". */
  static final String VECTORS = "dkim-rfc-vectors/";
  static final String RFC8463 = VECTORS + "rfc8463-appendix-a/";

  private static KeyPair rsa2048;
  private static KeyPair rsa512;
  private static KeyPair ed25519;

  private TestKeys() {
  }

  static synchronized KeyPair rsa2048() {
    if (rsa2048 == null) {
      rsa2048 = generate("RSA", 2048);
    }
    return rsa2048;
  }

  static synchronized KeyPair rsa512() {
    if (rsa512 == null) {
      rsa512 = generate("RSA", 512);
    }
    return rsa512;
  }

  static synchronized KeyPair ed25519() {
    if (ed25519 == null) {
      ed25519 = generate("Ed25519", 0);
    }
    return ed25519;
  }

  /** The DNS TXT record publishing {@code key}. */
  static String txtRecord(PublicKey key) {
    if (key.getAlgorithm().equals("RSA")) {
      return "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(key.getEncoded());
    }
    return "v=DKIM1; k=ed25519; p=" + Base64.getEncoder().encodeToString(rawEd25519(key));
  }

  /** The 32 key bytes at the end of an Ed25519 SubjectPublicKeyInfo (RFC 8410). */
  static byte[] rawEd25519(PublicKey key) {
    byte[] spki = key.getEncoded();
    return Arrays.copyOfRange(spki, spki.length - 32, spki.length);
  }

  /** RFC 8463 A.1 Ed25519 key (the RFC 8032 section 7.1 test 1 seed). */
  static PrivateKey rfc8463Ed25519() {
    byte[] seed = Base64.getDecoder().decode(TestData.text(RFC8463 + "ed25519-private-seed.b64").strip());
    try {
      return KeyFactory.getInstance("Ed25519")
          .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** RFC 8463 A.1 RSA key (1024 bits, PKCS#1 PEM). */
  static PrivateKey rfc8463Rsa() {
    return pkcs1Pem(TestData.text(RFC8463 + "rsa-private.pem"));
  }

  /** The public half of {@link #rfc8463Rsa()}, as test._domainkey.football.example.com publishes it. */
  static PublicKey rfc8463RsaPublic() {
    java.security.interfaces.RSAPrivateCrtKey key = (java.security.interfaces.RSAPrivateCrtKey) rfc8463Rsa();
    try {
      return KeyFactory.getInstance("RSA").generatePublic(
          new java.security.spec.RSAPublicKeySpec(key.getModulus(), key.getPublicExponent()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static PrivateKey pkcs1Pem(String pem) {
    String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    org.bouncycastle.asn1.pkcs.RSAPrivateKey k =
        org.bouncycastle.asn1.pkcs.RSAPrivateKey.getInstance(Base64.getDecoder().decode(base64));
    try {
      return KeyFactory.getInstance("RSA").generatePrivate(new RSAPrivateCrtKeySpec(k.getModulus(),
          k.getPublicExponent(), k.getPrivateExponent(), k.getPrime1(), k.getPrime2(), k.getExponent1(),
          k.getExponent2(), k.getCoefficient()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair generate(String algorithm, int bits) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
      if (bits > 0) {
        generator.initialize(bits);
      }
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
