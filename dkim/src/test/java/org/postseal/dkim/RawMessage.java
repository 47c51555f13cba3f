package org.postseal.dkim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.postseal.mail.HeaderField;

/**
 * A message split the way the milter hands it over: header fields (decoded as UTF-8, folds kept as
 * CRLF) and the body bytes after the blank line. Test fixture.
 */
record RawMessage(List<HeaderField> headers, byte[] body) {

  static RawMessage parse(byte[] message) {
    List<HeaderField> headers = new ArrayList<>();
    int pos = 0;
    StringBuilder current = null;
    while (pos < message.length) {
      int lineEnd = indexOfCrlf(message, pos);
      if (lineEnd < 0) {
        lineEnd = message.length;
      }
      String line = new String(message, pos, lineEnd - pos, StandardCharsets.UTF_8);
      pos = Math.min(message.length, lineEnd + 2);
      if (line.isEmpty()) {
        break;
      }
      if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && current != null) {
        current.append("\r\n").append(line);
      } else {
        if (current != null) {
          headers.add(toField(current.toString()));
        }
        current = new StringBuilder(line);
      }
    }
    if (current != null) {
      headers.add(toField(current.toString()));
    }
    return new RawMessage(List.copyOf(headers), Arrays.copyOfRange(message, pos, message.length));
  }

  /** Files stored with LF line ends (the dkimpy vectors) as the CRLF message they stand for. */
  static byte[] lfToCrlf(byte[] data) {
    String text = new String(data, StandardCharsets.ISO_8859_1).replace("\r\n", "\n").replace("\n", "\r\n");
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** The message again as bytes: fields with CRLF, a blank line, the body. */
  byte[] toBytes() {
    StringBuilder text = new StringBuilder();
    for (HeaderField field : headers) {
      text.append(field.raw()).append("\r\n");
    }
    text.append("\r\n");
    byte[] head = text.toString().getBytes(StandardCharsets.UTF_8);
    byte[] out = Arrays.copyOf(head, head.length + body.length);
    System.arraycopy(body, 0, out, head.length, body.length);
    return out;
  }

  RawMessage withHeaders(List<HeaderField> newHeaders) {
    return new RawMessage(List.copyOf(newHeaders), body);
  }

  RawMessage withBody(byte[] newBody) {
    return new RawMessage(headers, newBody);
  }

  /** The given fields on top (as a signer inserts them), then this message's fields. */
  RawMessage prepend(List<HeaderField> fields) {
    List<HeaderField> all = new ArrayList<>(fields);
    all.addAll(headers);
    return withHeaders(all);
  }

  private static HeaderField toField(String raw) {
    int colon = raw.indexOf(':');
    return new HeaderField(raw.substring(0, colon), raw.substring(colon + 1));
  }

  private static int indexOfCrlf(byte[] data, int from) {
    for (int i = from; i + 1 < data.length; i++) {
      if (data[i] == '\r' && data[i + 1] == '\n') {
        return i;
      }
    }
    return -1;
  }
}
