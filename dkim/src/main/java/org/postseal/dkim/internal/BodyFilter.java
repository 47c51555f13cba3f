package org.postseal.dkim.internal;

/**
 * A streaming body canonicalizer: chunks in, canonical bytes out to a {@link CanonicalBodyDigest}.
 * It keeps only a few counters between chunks (pending empty lines, pending white space, a CR that may
 * start a CRLF), so chunk boundaries can fall anywhere and nothing is copied.
 */
abstract sealed class BodyFilter permits SimpleBodyFilter, RelaxedBodyFilter {

  protected final CanonicalBodyDigest out;

  BodyFilter(CanonicalBodyDigest out) {
    this.out = out;
  }

  abstract void write(byte[] b, int off, int len);

  /** Writes what the end of the body implies (the final CRLF); the filter is unusable afterwards. */
  abstract void close();
}
