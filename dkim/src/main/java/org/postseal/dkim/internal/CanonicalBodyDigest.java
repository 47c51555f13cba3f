package org.postseal.dkim.internal;

import java.security.MessageDigest;

/**
 * The end of a body canonicalizer: digests the canonical bytes up to the l= limit and counts all of
 * them, so that a verifier can say how many bytes an l= left unsigned.
 */
final class CanonicalBodyDigest {

  private static final int CRLF_RUN_PAIRS = 256;
  private static final byte[] CRLF_RUN = new byte[CRLF_RUN_PAIRS * 2];

  static {
    for (int i = 0; i < CRLF_RUN.length; i += 2) {
      CRLF_RUN[i] = '\r';
      CRLF_RUN[i + 1] = '\n';
    }
  }

  private final MessageDigest digest;
  private final long limit;
  private long length;

  /** @param limit the l= value, or -1 to digest everything */
  CanonicalBodyDigest(MessageDigest digest, long limit) {
    this.digest = digest;
    this.limit = limit;
  }

  void write(byte[] b, int off, int len) {
    if (len <= 0) {
      return;
    }
    if (limit < 0) {
      digest.update(b, off, len);
    } else if (length < limit) {
      digest.update(b, off, (int) Math.min(len, limit - length));
    }
    length += len;
  }

  void write(byte b) {
    if (limit < 0 || length < limit) {
      digest.update(b);
    }
    length++;
  }

  void writeCrlf(long count) {
    while (count > 0) {
      int pairs = (int) Math.min(count, CRLF_RUN_PAIRS);
      write(CRLF_RUN, 0, pairs * 2);
      count -= pairs;
    }
  }

  long length() {
    return length;
  }

  byte[] digest() {
    return digest.digest();
  }
}
