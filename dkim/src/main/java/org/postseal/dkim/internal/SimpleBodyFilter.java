package org.postseal.dkim.internal;

/**
 * RFC 6376 section 3.4.3: the body as is, except that trailing empty lines are removed and a body that
 * is empty or lacks a final CRLF gets one. Empty lines are held back as a count until content follows.
 */
final class SimpleBodyFilter extends BodyFilter {

  private long pendingCrlf;
  private boolean pendingCr;

  SimpleBodyFilter(CanonicalBodyDigest out) {
    super(out);
  }

  @Override
  void write(byte[] b, int off, int len) {
    if (len <= 0) {
      return;
    }
    int end = off + len;
    if (pendingCr) {
      pendingCr = false;
      if (b[off] == '\n') {
        pendingCrlf++;
        off++;
        if (off == end) {
          return;
        }
      } else {
        // a CR not followed by LF is content
        flushLines();
        out.write((byte) '\r');
      }
    }
    // the chunk's tail of CRLFs (plus a last CR that may pair with the next chunk) is held back
    int tail = end;
    boolean trailingCr = false;
    if (b[tail - 1] == '\r') {
      trailingCr = true;
      tail--;
    }
    long crlfs = 0;
    while (tail - off >= 2 && b[tail - 1] == '\n' && b[tail - 2] == '\r') {
      tail -= 2;
      crlfs++;
    }
    if (tail > off) {
      flushLines();
      out.write(b, off, tail - off);
    }
    pendingCrlf += crlfs;
    pendingCr = trailingCr;
  }

  private void flushLines() {
    out.writeCrlf(pendingCrlf);
    pendingCrlf = 0;
  }

  @Override
  void close() {
    if (pendingCr) {
      flushLines();
      out.write((byte) '\r');
      pendingCr = false;
    }
    // trailing empty lines collapse into the one CRLF ending the last line; an empty body becomes CRLF
    out.writeCrlf(1);
    pendingCrlf = 0;
  }
}
