package org.postseal.dkim.internal;

/**
 * RFC 6376 section 3.4.4: runs of WSP become one SP, WSP at the end of a line goes, trailing empty lines
 * go, and a non-empty body ends with CRLF. An empty body (or one of only empty lines) canonicalizes to
 * nothing at all, not to CRLF.
 *
 * <p>Bytes are written in runs: a segment of plain content (including single spaces between words) is
 * handed to the digest in one call; only WSP runs and line ends break a segment.
 */
final class RelaxedBodyFilter extends BodyFilter {

  private long pendingCrlf;
  private boolean pendingWsp;
  private boolean pendingCr;
  private boolean hasContent;

  RelaxedBodyFilter(CanonicalBodyDigest out) {
    super(out);
  }

  @Override
  void write(byte[] b, int off, int len) {
    int end = off + len;
    int segment = off;
    for (int i = off; i < end; i++) {
      byte c = b[i];
      if (pendingCr) {
        pendingCr = false;
        if (c == '\n') {
          // end of line: white space before it is dropped
          pendingWsp = false;
          pendingCrlf++;
          segment = i + 1;
          continue;
        }
        // a CR not followed by LF is content; c is handled below
        startContent();
        out.write((byte) '\r');
        segment = i;
      }
      if (c == ' ' || c == '\t') {
        if (c == ' ' && i > segment && i + 1 < end && isPlain(b[i + 1])) {
          // a single space between two content bytes is already canonical: keep it in the segment
          continue;
        }
        out.write(b, segment, i - segment);
        pendingWsp = true;
        segment = i + 1;
      } else if (c == '\r') {
        out.write(b, segment, i - segment);
        pendingCr = true;
        segment = i + 1;
      } else if (i == segment) {
        startContent();
      }
    }
    out.write(b, segment, end - segment);
  }

  private static boolean isPlain(byte c) {
    return c != ' ' && c != '\t' && c != '\r';
  }

  /** Emits what is held back before a content byte: the empty lines, then one SP for a WSP run. */
  private void startContent() {
    if (pendingCrlf > 0) {
      out.writeCrlf(pendingCrlf);
      pendingCrlf = 0;
    }
    if (pendingWsp) {
      out.write((byte) ' ');
      pendingWsp = false;
    }
    hasContent = true;
  }

  @Override
  void close() {
    if (pendingCr) {
      startContent();
      out.write((byte) '\r');
      pendingCr = false;
    }
    // WSP still pending ends the last line and is dropped
    pendingWsp = false;
    if (hasContent) {
      out.writeCrlf(1);
    }
    pendingCrlf = 0;
  }
}
