package org.postseal.dkim.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * RFC 6376 section 3.4.4: runs of WSP become one SP, WSP at the end of a line goes, trailing empty lines
 * go, and a non-empty body ends with CRLF. An empty body (or one of only empty lines) canonicalizes to
 * nothing at all, not to CRLF.
 *
 * <p>Most mail text is already canonical: words with single spaces, lines ending right after content.
 * The chunk is scanned in place ({@link #skipCanonical}, eight bytes at a time) and each segment that
 * needs no change is handed to the digest in one piece, uncopied. A segment ends where the output
 * differs from the input (a WSP run, WSP at the end of a line, a line that starts with WSP) or where
 * the look-ahead runs out at the end of the chunk (empty lines may be trailing ones); what those
 * canonicalize to is held back in the fields below until the next content byte shows whether it is
 * written at all.
 */
final class RelaxedBodyFilter extends BodyFilter {

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long LOW_7_BITS = 0x7f7f_7f7f_7f7f_7f7fL;
  private static final long HIGH_BITS = 0x8080_8080_8080_8080L;
  /** Added to a byte's low 7 bits, sets its high bit exactly when they are '!' (0x21) or more. */
  private static final long BELOW_EXCLAMATION_ADD = 0x5f5f_5f5f_5f5f_5f5fL;

  /** Line ends seen since the last content byte: written only if content follows. */
  private long pendingCrlf;
  /** WSP seen since the last content byte on this line: one SP if content follows on the same line. */
  private boolean pendingWsp;
  /** The chunk ended with CR: a line end if the next chunk starts with LF, else content. */
  private boolean pendingCr;
  private boolean hasContent;

  RelaxedBodyFilter(CanonicalBodyDigest out) {
    super(out);
  }

  @Override
  void write(byte[] b, int off, int len) {
    int end = off + len;
    int i = off;
    if (pendingCr && i < end) {
      pendingCr = false;
      if (b[i] == '\n') {
        endLine();
        i++;
      } else {
        // a CR not followed by LF is content
        startContent();
        out.write((byte) '\r');
      }
    }
    // [segment, i) is canonical as it stands and not yet written. The pending fields are only ever set
    // while the segment is empty (segment == i); a content byte there writes them out and starts one.
    int segment = i;
    while (i < end) {
      byte c = b[i];
      if (c == ' ' || c == '\t') {
        out.write(b, segment, i - segment);
        pendingWsp = true;
        segment = ++i;
      } else if (c == '\r' && (i + 1 == end || b[i + 1] == '\n')) {
        out.write(b, segment, i - segment);
        if (i + 1 == end) {
          // the LF, if any, comes with the next chunk
          pendingCr = true;
          i++;
        } else {
          endLine();
          i += 2;
        }
        segment = i;
      } else {
        // content: anything else, a CR not followed by LF and a bare LF included
        if (i == segment) {
          startContent();
        }
        i = skipCanonical(b, i + 1, end);
      }
    }
    out.write(b, segment, end - segment);
  }

  /**
   * The first index at or after {@code from} whose byte may need rewriting; the bytes before it are
   * canonical as they stand. {@code b[from - 1]} must be a content byte. Accepted are bytes above SP
   * (non-ASCII included), one SP followed by such a byte, and CRLFs (a line end, then perhaps empty
   * lines) followed by such a byte: no WSP before them, since that SP would not have been accepted, and
   * content after them, so they are all written. Everything else, also what would be canonical but is
   * rare in mail (a bare LF, a SP at the start of a line), is left to the caller, as is whatever the
   * look-ahead cannot see before {@code end}.
   *
   * <p>Eight bytes at a time: a byte-at-a-time loop cost about 1 ns per byte here, more than SHA-256.
   */
  private static int skipCanonical(byte[] b, int from, int end) {
    int i = from;
    while (end - i >= Long.BYTES + 1) {
      long bytes = (long) LONGS.get(b, i);
      long below = belowExclamation(bytes);
      // of the bytes below '!', only SP has bit 5 set: shifted to bit 7, it marks the SPs
      long spaces = below & (bytes << 2);
      long followedByAboveSpace = ~belowExclamation((long) LONGS.get(b, i + 1));
      // a flag (high bit) on each byte that is below '!' and not a SP followed by a byte above SP
      long flags = below ^ (spaces & followedByAboveSpace);
      if (flags == 0) {
        i += Long.BYTES;
        continue;
      }
      int at = i + (Long.numberOfTrailingZeros(flags) >>> 3);
      int next = afterLineEndsAndContent(b, at, end);
      if (next < 0) {
        return at;
      }
      i = next;
    }
    for (; i < end; i++) {
      byte c = b[i];
      if (isAboveSpace(c)) {
        continue;
      }
      if (c == ' ' && i + 1 < end && isAboveSpace(b[i + 1])) {
        i++;
        continue;
      }
      int next = afterLineEndsAndContent(b, i, end);
      if (next < 0) {
        return i;
      }
      i = next - 1;
    }
    return end;
  }

  /**
   * For CRLF (one or more: empty lines) at {@code at} followed by a byte above SP, the index after that
   * byte: those line ends are all written, as they stand. Otherwise -1.
   */
  private static int afterLineEndsAndContent(byte[] b, int at, int end) {
    int i = at;
    while (end - i >= 2 && b[i] == '\r' && b[i + 1] == '\n') {
      i += 2;
    }
    return i > at && i < end && isAboveSpace(b[i]) ? i + 1 : -1;
  }

  private static boolean isAboveSpace(byte c) {
    return c > ' ' || c < 0;
  }

  /** The high bit of each byte of {@code x} that is 0x00 to 0x20; no carry crosses bytes. */
  private static long belowExclamation(long x) {
    return ~(((x & LOW_7_BITS) + BELOW_EXCLAMATION_ADD) | x) & HIGH_BITS;
  }

  /** A CRLF: white space before it is dropped, and it is written only if content follows. */
  private void endLine() {
    pendingWsp = false;
    pendingCrlf++;
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
