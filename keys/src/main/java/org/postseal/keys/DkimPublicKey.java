package org.postseal.keys;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.postseal.dkim.DkimAlgorithm;

/**
 * The public half of a signing key in the form the p= tag publishes it: for RSA the DER SubjectPublicKeyInfo
 * (RFC 6376 section 3.6.1), for Ed25519 the raw 32-byte key (RFC 8463 section 4). Two values are equal when
 * they are the same key, which is how a published record is matched to a private key.
 *
 * <p>Public keys are not secret: {@link #toString()} shows a short fingerprint of the base64.
 */
final class DkimPublicKey {

  /** RFC 8032 section 5.1.5: an Ed25519 public key is 32 bytes. */
  static final int ED25519_KEY_BYTES = 32;

  private final DkimAlgorithm algorithm;
  private final int bits;
  private final byte[] data;

  private DkimPublicKey(DkimAlgorithm algorithm, int bits, byte[] data) {
    this.algorithm = algorithm;
    this.bits = bits;
    this.data = data;
  }

  /**
   * The public key of a private key, as the key directory loads them (RSA CRT keys, which PKCS#1 and PKCS#8
   * files always hold, and Ed25519 keys).
   *
   * @throws IllegalArgumentException when the key is of another kind or lacks its public part
   */
  public static DkimPublicKey of(PrivateKey privateKey) {
    Objects.requireNonNull(privateKey, "privateKey");
    if (privateKey instanceof RSAPrivateCrtKey rsa) {
      return rsa(rsa.getModulus(), rsa.getPublicExponent());
    }
    if ("Ed25519".equalsIgnoreCase(privateKey.getAlgorithm()) || "EdDSA".equalsIgnoreCase(privateKey.getAlgorithm())) {
      // the JDK cannot derive an EdDSA public key; the PKCS#8 encoding holds the 32-byte seed (RFC 8410 section 7)
      try {
        byte[] seed = ASN1OctetString.getInstance(
            PrivateKeyInfo.getInstance(privateKey.getEncoded()).parsePrivateKey()).getOctets();
        byte[] publicKey = new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
        Arrays.fill(seed, (byte) 0);
        return new DkimPublicKey(DkimAlgorithm.ED25519_SHA256, 256, publicKey);
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException("not a usable Ed25519 private key", e);
      }
    }
    throw new IllegalArgumentException("no DKIM public key for a " + privateKey.getAlgorithm() + " private key of type "
        + privateKey.getClass().getSimpleName() + "; expected an RSA (CRT) or Ed25519 key");
  }

  /**
   * The DKIM form of a JDK public key (RSA or Ed25519).
   *
   * @throws IllegalArgumentException for other kinds of key
   */
  public static DkimPublicKey of(PublicKey publicKey) {
    Objects.requireNonNull(publicKey, "publicKey");
    if (publicKey instanceof RSAPublicKey rsa) {
      return rsa(rsa.getModulus(), rsa.getPublicExponent());
    }
    if ("Ed25519".equalsIgnoreCase(publicKey.getAlgorithm()) || "EdDSA".equalsIgnoreCase(publicKey.getAlgorithm())) {
      byte[] raw = SubjectPublicKeyInfo.getInstance(publicKey.getEncoded()).getPublicKeyData().getBytes();
      return ed25519(raw);
    }
    throw new IllegalArgumentException("no DKIM public key for a " + publicKey.getAlgorithm() + " key");
  }

  /** An RSA public key from its numbers, re-encoded as SubjectPublicKeyInfo so equal keys have equal bytes. */
  static DkimPublicKey rsa(BigInteger modulus, BigInteger publicExponent) {
    try {
      PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(modulus, publicExponent));
      return new DkimPublicKey(DkimAlgorithm.RSA_SHA256, modulus.bitLength(), key.getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not a valid RSA public key", e);
    }
  }

  /** An Ed25519 public key from its raw 32 bytes. */
  static DkimPublicKey ed25519(byte[] raw) {
    if (raw.length != ED25519_KEY_BYTES) {
      throw new IllegalArgumentException("an Ed25519 public key has " + ED25519_KEY_BYTES + " bytes, not " + raw.length);
    }
    return new DkimPublicKey(DkimAlgorithm.ED25519_SHA256, 256, raw.clone());
  }

  public DkimAlgorithm algorithm() {
    return algorithm;
  }

  /** RSA: the modulus size; Ed25519: 256. */
  public int bits() {
    return bits;
  }

  /** The k= value: "rsa" or "ed25519" (RFC 6376 section 3.6.1, RFC 8463 section 4). */
  public String keyType() {
    return keyType(algorithm);
  }

  static String keyType(DkimAlgorithm algorithm) {
    return algorithm == DkimAlgorithm.ED25519_SHA256 ? "ed25519" : "rsa";
  }

  /** The bytes the p= tag carries (a copy). */
  public byte[] data() {
    return data.clone();
  }

  /** The p= value: base64 of {@link #data()}, no line breaks. */
  public String base64() {
    return Base64.getEncoder().encodeToString(data);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DkimPublicKey other && algorithm == other.algorithm && Arrays.equals(data, other.data);
  }

  @Override
  public int hashCode() {
    return algorithm.hashCode() * 31 + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    String b64 = base64();
    return "DkimPublicKey[" + keyType() + "-" + bits + ", p=..." + b64.substring(Math.max(0, b64.length() - 12)) + "]";
  }
}
