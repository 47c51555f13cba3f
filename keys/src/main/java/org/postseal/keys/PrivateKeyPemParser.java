package org.postseal.keys;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.RSAKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.util.Base64;
import java.util.Locale;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.postseal.dkim.DkimAlgorithm;

/**
 * PEM text to a private key: PKCS#8 "PRIVATE KEY" holding RSA or Ed25519, or PKCS#1 "RSA PRIVATE KEY"
 * (what OpenDKIM's opendkim-genkey writes). BouncyCastle reads the ASN.1; the keys are the JDK's own.
 *
 * <p>Results are values: the reason a file is unusable is a sentence for the operator. Nothing here ever
 * puts key material into a message.
 */
final class PrivateKeyPemParser {

  /** RFC 8301 section 3.2: signers must use RSA keys of at least 1024 bits. */
  static final int MIN_RSA_BITS = 1024;

  static final String EXPECTED = "expected an unencrypted PEM private key: -----BEGIN PRIVATE KEY----- (PKCS#8, RSA"
      + " or Ed25519) or -----BEGIN RSA PRIVATE KEY----- (PKCS#1)";

  /** What a PEM text held. */
  sealed interface Parsed {
  }

  /** A usable key and the algorithm it signs with. */
  record Key(PrivateKey privateKey, DkimAlgorithm algorithm) implements Parsed {
    @Override
    public String toString() {
      return "Key[" + algorithm.tagValue() + "]";
    }
  }

  /** Why the text is no usable key. */
  record Unusable(String reason) implements Parsed {
  }

  /** RFC 8410 section 3 (BouncyCastle keeps these in bcutil, which we do not otherwise need). */
  private static final ASN1ObjectIdentifier ID_ED25519 = new ASN1ObjectIdentifier("1.3.101.112");
  private static final ASN1ObjectIdentifier ID_ED448 = new ASN1ObjectIdentifier("1.3.101.113");

  private PrivateKeyPemParser() {
  }

  static Parsed parse(String pem) {
    Block block = firstPrivateKeyBlock(pem);
    if (block == null) {
      return new Unusable("no private key found; " + EXPECTED);
    }
    if (block.base64() == null) {
      return new Unusable("the PEM block -----BEGIN " + block.label() + "----- has no END line (file cut short?)");
    }
    if (block.encrypted()) {
      return new Unusable("the key is encrypted (" + block.label() + "); " + EXPECTED
          + ", e.g. openssl pkey -in FILE -out FILE.plain");
    }
    byte[] der;
    try {
      der = Base64.getDecoder().decode(block.base64());
    } catch (IllegalArgumentException e) {
      return new Unusable("the base64 between the PEM lines is damaged");
    }
    return switch (block.label()) {
      case "PRIVATE KEY" -> pkcs8(der);
      case "RSA PRIVATE KEY" -> pkcs1(der);
      default -> new Unusable("unsupported key type \"" + block.label() + "\"; " + EXPECTED);
    };
  }

  private static Parsed pkcs8(byte[] der) {
    ASN1ObjectIdentifier oid;
    try {
      oid = PrivateKeyInfo.getInstance(der).getPrivateKeyAlgorithm().getAlgorithm();
    } catch (RuntimeException e) {
      return new Unusable("\"PRIVATE KEY\" block is not valid PKCS#8 DER; " + EXPECTED);
    }
    String jdkAlgorithm;
    DkimAlgorithm algorithm;
    if (oid.equals(PKCSObjectIdentifiers.rsaEncryption)) {
      jdkAlgorithm = "RSA";
      algorithm = DkimAlgorithm.RSA_SHA256;
    } else if (oid.equals(ID_ED25519)) {
      jdkAlgorithm = "Ed25519";
      algorithm = DkimAlgorithm.ED25519_SHA256;
    } else {
      return new Unusable("unsupported key algorithm " + describe(oid) + "; DKIM signs with RSA (rsa-sha256) or"
          + " Ed25519 (ed25519-sha256)");
    }
    try {
      PrivateKey key = KeyFactory.getInstance(jdkAlgorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      return checked(key, algorithm);
    } catch (GeneralSecurityException | RuntimeException e) {
      return new Unusable("\"PRIVATE KEY\" block holds no valid " + jdkAlgorithm + " key; " + EXPECTED);
    }
  }

  private static Parsed pkcs1(byte[] der) {
    try {
      RSAPrivateKey rsa = RSAPrivateKey.getInstance(der);
      RSAPrivateCrtKeySpec spec = new RSAPrivateCrtKeySpec(rsa.getModulus(), rsa.getPublicExponent(),
          rsa.getPrivateExponent(), rsa.getPrime1(), rsa.getPrime2(), rsa.getExponent1(), rsa.getExponent2(),
          rsa.getCoefficient());
      return checked(KeyFactory.getInstance("RSA").generatePrivate(spec), DkimAlgorithm.RSA_SHA256);
    } catch (GeneralSecurityException | RuntimeException e) {
      return new Unusable("\"RSA PRIVATE KEY\" block is not a valid PKCS#1 RSA key; " + EXPECTED);
    }
  }

  private static Parsed checked(PrivateKey key, DkimAlgorithm algorithm) {
    if (key instanceof RSAKey rsa) {
      int bits = rsa.getModulus().bitLength();
      if (bits < MIN_RSA_BITS) {
        return new Unusable("the RSA key has " + bits + " bits; RFC 8301 requires at least " + MIN_RSA_BITS
            + " (2048 recommended): generate a new key");
      }
    }
    return new Key(key, algorithm);
  }

  private static String describe(ASN1ObjectIdentifier oid) {
    if (oid.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
      return "EC (ECDSA)";
    }
    if (oid.equals(ID_ED448)) {
      return "Ed448";
    }
    return oid.getId();
  }

  /** One PEM block: its label, whether it is encrypted, its base64 without white space (null: no END line). */
  private record Block(String label, boolean encrypted, String base64) {
  }

  /** The first block whose label ends in "PRIVATE KEY" (a file may start with parameters or a certificate). */
  private static Block firstPrivateKeyBlock(String pem) {
    String[] lines = pem.split("\r?\n|\r");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (!line.startsWith("-----BEGIN ") || !line.endsWith("-----")) {
        continue;
      }
      String label = line.substring("-----BEGIN ".length(), line.length() - "-----".length()).strip();
      if (!label.endsWith("PRIVATE KEY")) {
        continue;
      }
      String end = "-----END " + label + "-----";
      StringBuilder base64 = new StringBuilder();
      boolean encrypted = label.startsWith("ENCRYPTED");
      for (int j = i + 1; j < lines.length; j++) {
        String body = lines[j].strip();
        if (body.equals(end)) {
          return new Block(label.toUpperCase(Locale.ROOT), encrypted, base64.toString());
        }
        if (body.contains(":")) {
          // RFC 1421 headers of traditional OpenSSL PEM: "Proc-Type: 4,ENCRYPTED", "DEK-Info: ..."
          encrypted |= body.toUpperCase(Locale.ROOT).contains("ENCRYPTED");
          continue;
        }
        base64.append(body.replaceAll("\\s+", ""));
      }
      // no END line: the file was cut short
      return new Block(label.toUpperCase(Locale.ROOT), encrypted, null);
    }
    return null;
  }
}
