package org.postseal.mail;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A whole message split the way Postfix hands it to a milter: the header fields in order, then the body
 * bytes after the empty line. Used where a message arrives as a file or a byte array rather than through the
 * milter protocol ({@code postseal check}, {@code postseal bench}, tests), so that those paths see what the
 * milter would see.
 *
 * <p>The rules, each as Postfix applies them before a milter sees the message:
 * <ul>
 *   <li>Every bare LF becomes CRLF (SMTP carries CRLF; files saved on Unix have LF only).
 *   <li>A field name may be followed by white space before the colon ({@code "From :"}, the obsolete syntax of
 *       RFC 5322 section 4.5): it is that field, named without the white space. Postfix's is_header() reads it
 *       so, and a second From written this way must count as a second From for DMARC.
 *   <li>A line that is neither a field nor the continuation of one (no colon, a name with other characters
 *       than printable ASCII, an indented first line) ends the header section and starts the body, as
 *       Postfix's MIME parser does with "garbage in header".
 *   <li>Without an empty line the whole message is header and the body is empty.
 * </ul>
 *
 * <p>The body array is not copied: share it freely, do not change it.
 *
 * @param headers the header fields: the name without the colon, the value everything after it with CRLF folds
 * @param body    the body with CRLF line ends, without the empty line that separates it from the header
 */
public record RawMessage(List<HeaderField> headers, byte[] body) {

  public RawMessage {
    headers = List.copyOf(headers);
    Objects.requireNonNull(body, "body");
  }

  /** Splits {@code message}, reading header text as UTF-8 (RFC 6532), as the milter decodes it. */
  public static RawMessage parse(byte[] message) {
    return parse(message, StandardCharsets.UTF_8);
  }

  /**
   * Splits {@code message}, reading header text in {@code headerCharset}: UTF-8 gives what the milter sees,
   * ISO-8859-1 keeps every byte (to send the fields on unchanged, as {@code postseal bench} does).
   */
  public static RawMessage parse(byte[] message, Charset headerCharset) {
    Objects.requireNonNull(headerCharset, "headerCharset");
    byte[] data = withCrlf(message);
    List<HeaderField> headers = new ArrayList<>();
    int pos = 0;
    // the field being read: where it starts, where its name ends, its colon, the end of its last line so far
    int fieldStart = -1;
    int nameEnd = -1;
    int colon = -1;
    int fieldEnd = -1;
    while (pos < data.length) {
      int crlf = indexOfCrlf(data, pos);
      int lineEnd = crlf < 0 ? data.length : crlf;
      int next = crlf < 0 ? data.length : crlf + 2;
      boolean continuation = data[pos] == ' ' || data[pos] == '\t';
      if (continuation && fieldStart >= 0) {
        fieldEnd = lineEnd;
        pos = next;
        continue;
      }
      if (fieldStart >= 0) {
        headers.add(field(data, fieldStart, nameEnd, colon, fieldEnd, headerCharset));
        fieldStart = -1;
      }
      if (lineEnd == pos) {
        // the empty line: the body follows it
        pos = next;
        break;
      }
      int lineColon = continuation ? -1 : fieldColon(data, pos, lineEnd);
      if (lineColon < 0) {
        // not a header field: the header section ends here and this line is the body's first
        break;
      }
      fieldStart = pos;
      nameEnd = nameEnd(data, pos, lineColon);
      colon = lineColon;
      fieldEnd = lineEnd;
      pos = next;
    }
    if (fieldStart >= 0) {
      headers.add(field(data, fieldStart, nameEnd, colon, fieldEnd, headerCharset));
    }
    return new RawMessage(headers, Arrays.copyOfRange(data, pos, data.length));
  }

  /**
   * The index of the colon when the line from {@code start} to {@code end} is a header field: a name of
   * printable ASCII other than ':' (RFC 5322 section 3.6.8), then optional white space (section 4.5), then the
   * colon; else -1.
   */
  private static int fieldColon(byte[] data, int start, int end) {
    int i = start;
    while (i < end && data[i] > ' ' && data[i] < 0x7F && data[i] != ':') {
      i++;
    }
    if (i == start) {
      return -1;
    }
    while (i < end && (data[i] == ' ' || data[i] == '\t')) {
      i++;
    }
    return i < end && data[i] == ':' ? i : -1;
  }

  private static int nameEnd(byte[] data, int start, int colon) {
    int end = colon;
    while (end > start && (data[end - 1] == ' ' || data[end - 1] == '\t')) {
      end--;
    }
    return end;
  }

  private static HeaderField field(byte[] data, int start, int nameEnd, int colon, int end, Charset charset) {
    String name = new String(data, start, nameEnd - start, StandardCharsets.US_ASCII);
    return new HeaderField(name, new String(data, colon + 1, end - colon - 1, charset));
  }

  private static int indexOfCrlf(byte[] data, int from) {
    for (int i = from; i + 1 < data.length; i++) {
      if (data[i] == '\r' && data[i + 1] == '\n') {
        return i;
      }
    }
    return -1;
  }

  /** Bare LF to CRLF; a message that has none is returned as it is. */
  private static byte[] withCrlf(byte[] message) {
    int bare = 0;
    for (int i = 0; i < message.length; i++) {
      if (message[i] == '\n' && (i == 0 || message[i - 1] != '\r')) {
        bare++;
      }
    }
    if (bare == 0) {
      return message;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + bare);
    for (int i = 0; i < message.length; i++) {
      if (message[i] == '\n' && (i == 0 || message[i - 1] != '\r')) {
        out.write('\r');
      }
      out.write(message[i]);
    }
    return out.toByteArray();
  }
}
