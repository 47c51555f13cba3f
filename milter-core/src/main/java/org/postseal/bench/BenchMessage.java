package org.postseal.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.postseal.mail.HeaderField;
import org.postseal.mail.RawMessage;
import org.postseal.milter.client.MessageOutcome;

/**
 * A message as the MTA hands it to milters: header fields (values with CRLF folds, decoded as ISO-8859-1
 * so that every byte survives) and the body with CRLF line ends. Immutable and shared by all sessions:
 * the body array is sent in slices, never copied per message.
 */
record BenchMessage(List<HeaderField> headers, byte[] body) {

  private static final String FILLER =
      "The quick brown fox jumps over the lazy dog while the milter hashes every byte of this line.";

  /**
   * A plain-text message of about {@code size} bytes in total, From a user at {@code fromDomain};
   * {@code serial} makes its Message-ID and Subject unique.
   */
  static BenchMessage generate(int size, String fromDomain, int serial) {
    List<HeaderField> headers = List.of(
        new HeaderField("From", " Bench Sender <bench@" + fromDomain + ">"),
        new HeaderField("To", " Recipient <rcpt@bench.test>"),
        new HeaderField("Subject", " postseal bench message " + serial),
        new HeaderField("Date", " Sat, 28 Nov 2026 10:00:00 +0000"),
        new HeaderField("Message-ID", " <bench-" + serial + "@" + fromDomain + ">"),
        new HeaderField("MIME-Version", " 1.0"),
        new HeaderField("Content-Type", " text/plain; charset=us-ascii"));
    int headerBytes = 0;
    for (HeaderField h : headers) {
        headerBytes += h.raw().length() + 2;
    }
    int bodySize = Math.max(0, size - headerBytes - 2);
    byte[] body = new byte[bodySize];
    byte[] line = (FILLER + "\r\n").getBytes(StandardCharsets.US_ASCII);
    int at = 0;
    while (at < bodySize) {
      int n = Math.min(line.length, bodySize - at);
      System.arraycopy(line, 0, body, at, n);
      at += n;
    }
    if (bodySize >= 2) {
      // end the body on a line end, as SMTP DATA always does
      body[bodySize - 2] = '\r';
      body[bodySize - 1] = '\n';
    }
    return new BenchMessage(headers, body);
  }

  /**
   * A message file split as Postfix hands it to milters ({@link RawMessage#parse}: bare LF becomes CRLF), header
   * text read as ISO-8859-1 so that every byte goes out again unchanged.
   */
  static BenchMessage parse(byte[] raw) {
    RawMessage message = RawMessage.parse(raw, StandardCharsets.ISO_8859_1);
    return new BenchMessage(message.headers(), message.body());
  }

  /** Total size as it would be on disk. */
  int size() {
    int n = body.length + 2;
    for (HeaderField h : headers) {
      n += h.raw().length() + 2;
    }
    return n;
  }

  /** The message as Postfix's cleanup would deliver it after these edits (the body stays as it was). */
  BenchMessage apply(MessageOutcome outcome) {
    return new BenchMessage(outcome.applyTo(headers), body);
  }

  byte[] toBytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(size());
    for (HeaderField h : headers) {
      out.writeBytes((h.raw() + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }
    out.writeBytes(new byte[] {'\r', '\n'});
    out.writeBytes(body);
    return out.toByteArray();
  }
}
