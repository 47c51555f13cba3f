package org.postseal.dkim;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.List;
import java.util.Optional;

/**
 * A DKIM key record from DNS (RFC 6376 section 3.6.1, RFC 8463 section 4) that parsed as a tag-list with an
 * acceptable v=, as {@link KeyRecordParser} reads it. Whether it suits a given signature is the verifier's
 * decision; {@code postseal keys check} compares its {@link #publicKey()} with ours. Immutable and
 * thread-safe: the decoded key is shared by every message signed with it.
 */
public final class KeyRecord {

  /** The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 section 4), before the raw 32-byte key. */
  private static final byte[] ED25519_SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21,
      0x00};

  private final String keyType;
  private final List<String> hashNames;
  private final List<String> serviceTypes;
  private final boolean isTesting;
  private final boolean isStrict;
  private final boolean isRevoked;
  private final VerificationKey key;
  private final String keyProblem;

  KeyRecord(String keyType, List<String> hashNames, List<String> serviceTypes, boolean isTesting, boolean isStrict,
            boolean isRevoked, VerificationKey key, String keyProblem) {
    this.keyType = keyType;
    this.hashNames = List.copyOf(hashNames);
    this.serviceTypes = List.copyOf(serviceTypes);
    this.isTesting = isTesting;
    this.isStrict = isStrict;
    this.isRevoked = isRevoked;
    this.key = key;
    this.keyProblem = keyProblem;
  }

  /** k= (default "rsa"), lower-cased. */
  public String keyType() {
    return keyType;
  }

  /** h= names, lower-cased; empty means any hash is acceptable. */
  public List<String> hashNames() {
    return hashNames;
  }

  /** s= names, lower-cased (default "*"). */
  public List<String> serviceTypes() {
    return serviceTypes;
  }

  /** t= has y. */
  public boolean isTesting() {
    return isTesting;
  }

  /** t= has s: i= must be in d= itself, not a subdomain. */
  public boolean isStrict() {
    return isStrict;
  }

  /** p= is empty: the key was withdrawn (RFC 6376 section 3.6.1). */
  public boolean isRevoked() {
    return isRevoked;
  }

  /**
   * Why p= could not be decoded for k= (the detail of {@link DkimCause#KEY_MALFORMED}, naming the usual mistake);
   * null when it was decoded or is empty.
   */
  public String keyProblem() {
    return keyProblem;
  }

  /** The decoded key, or null when revoked or when {@link #keyProblem()} is set. */
  VerificationKey key() {
    return key;
  }

  /**
   * The published key as a JDK public key (an {@code RSAPublicKey}, or an Ed25519 key), for comparing it with a
   * key of ours; empty when revoked or when p= could not be decoded.
   */
  public Optional<PublicKey> publicKey() {
    if (key instanceof VerificationKey.Rsa rsa) {
      return Optional.of(rsa.key());
    }
    if (key instanceof VerificationKey.Ed25519 ed25519) {
      byte[] raw = ed25519.key().getEncoded();
      byte[] spki = new byte[ED25519_SPKI_PREFIX.length + raw.length];
      System.arraycopy(ED25519_SPKI_PREFIX, 0, spki, 0, ED25519_SPKI_PREFIX.length);
      System.arraycopy(raw, 0, spki, ED25519_SPKI_PREFIX.length, raw.length);
      try {
        return Optional.of(KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki)));
      } catch (GeneralSecurityException e) {
        // Java 15 and later have Ed25519; the 32 bytes already passed BouncyCastle's curve-point check
        throw new IllegalStateException("this JVM cannot represent an Ed25519 public key", e);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "KeyRecord[k=" + keyType + (isRevoked ? ", revoked" : "") + (keyProblem == null ? "" : ", " + keyProblem)
        + "]";
  }
}
