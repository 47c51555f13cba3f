package org.postseal.dkim.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The running hash of one message body under one (canonicalization, hash algorithm, l=) combination:
 * written chunk by chunk as the body arrives, finished once. It does not need the signing or
 * verification key, so it runs while the key is still being looked up. Not thread-safe.
 */
public final class BodyHash {

  /** The finished hash and how long the canonical body was (all of it, also past l=). */
  public record Value(byte[] digest, long canonicalLength) {
  }

  private final CanonicalBodyDigest digest;
  private final BodyFilter filter;
  private Value value;

  private BodyHash(Canonicalization canonicalization, MessageDigest messageDigest, long limit) {
    this.digest = new CanonicalBodyDigest(messageDigest, limit);
    this.filter = canonicalization.newBodyFilter(digest);
  }

  /**
   * @param digestAlgorithm a JCA name, "SHA-256" or "SHA-1"
   * @param limit           the l= value, or -1 for the whole body
   */
  public static BodyHash start(Canonicalization canonicalization, String digestAlgorithm, long limit) {
    return new BodyHash(canonicalization, newDigest(digestAlgorithm), limit);
  }

  public void update(byte[] chunk, int offset, int length) {
    if (value != null) {
      throw new IllegalStateException("body hash already finished");
    }
    filter.write(chunk, offset, length);
  }

  /** Ends the body; later calls return the same value. */
  public Value finish() {
    if (value == null) {
      filter.close();
      value = new Value(digest.digest(), digest.length());
    }
    return value;
  }

  static MessageDigest newDigest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      // SHA-256 and SHA-1 are required of every Java platform
      throw new IllegalStateException("digest " + algorithm + " missing from this JVM", e);
    }
  }
}
