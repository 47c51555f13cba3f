package org.postseal.milter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A raw RFC 5322 message split the way an MTA hands it to a milter: header fields (name, and the
 * value exactly as written after the colon, folds as CRLF) and the body bytes after the empty line.
 * Bare LF line ends are turned into CRLF first, as an MTA does on receipt.
 */
public record RawMessage(List<Field> fields, byte[] body) {

  /** One header field: {@code value} is everything after the colon, folds as CRLF, no final CRLF. */
  public record Field(String name, String value) {
  }

  public static RawMessage parse(byte[] raw) {
    byte[] message = toCrlf(raw);
    int end = indexOf(message, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    int headerEnd = end < 0 ? message.length : end + 2;
    int bodyStart = end < 0 ? message.length : end + 4;
    if (message.length >= 2 && message[0] == '\r' && message[1] == '\n') {
      headerEnd = 0;
      bodyStart = 2;
    }
    String header = new String(message, 0, headerEnd, StandardCharsets.UTF_8);
    List<Field> fields = new ArrayList<>();
    StringBuilder current = null;
    for (String line : header.split("\r\n", -1)) {
      if (line.isEmpty()) {
        continue;
      }
      if ((line.startsWith(" ") || line.startsWith("\t")) && current != null) {
        current.append("\r\n").append(line);
      } else {
        if (current != null) {
          fields.add(field(current.toString()));
        }
        current = new StringBuilder(line);
      }
    }
    if (current != null) {
      fields.add(field(current.toString()));
    }
    return new RawMessage(List.copyOf(fields), Arrays.copyOfRange(message, bodyStart, message.length));
  }

  private static Field field(String text) {
    int colon = text.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("not a header field: " + text);
    }
    return new Field(text.substring(0, colon), text.substring(colon + 1));
  }

  static byte[] toCrlf(byte[] raw) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(raw.length + 64);
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r')) {
        out.write('\r');
      }
      out.write(raw[i]);
    }
    return out.toByteArray();
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
