package org.postseal.cli;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.postseal.mail.HeaderField;

/**
 * A message saved to a file (.eml, one mbox entry, a copy from a mailbox), split the way the MTA hands it to
 * the milter: header fields exactly as written, then the body with CRLF line ends.
 *
 * <p>Files on disk usually have LF line ends; SMTP carries CRLF, which is what Postfix gives the milter and what
 * signatures were computed over, so every bare LF becomes CRLF. A leading mbox "From " separator line is not
 * part of the message and is dropped.
 *
 * @param headers header fields in order (value after the colon, folds as CRLF)
 * @param body    the body, CRLF line ends
 */
record SavedMessage(List<HeaderField> headers, byte[] body) {

  SavedMessage {
    headers = List.copyOf(headers);
  }

  static SavedMessage parse(byte[] raw) {
    byte[] crlf = withCrlf(raw);
    int start = 0;
    if (startsWith(crlf, 0, "From ")) {
      int eol = indexOf(crlf, "\r\n", 0);
      start = eol < 0 ? crlf.length : eol + 2;
    }
    List<HeaderField> headers = new ArrayList<>();
    int pos = start;
    String name = null;
    StringBuilder value = new StringBuilder();
    while (pos < crlf.length) {
      int end = indexOf(crlf, "\r\n", pos);
      if (end < 0) {
        end = crlf.length;
      }
      String line = new String(crlf, pos, end - pos, StandardCharsets.UTF_8);
      pos = Math.min(end + 2, crlf.length);
      if (line.isEmpty()) {
        break;
      }
      if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && name != null) {
        value.append("\r\n").append(line);
        continue;
      }
      if (name != null) {
        headers.add(new HeaderField(name, value.toString()));
        name = null;
      }
      int colon = line.indexOf(':');
      if (colon > 0) {
        name = line.substring(0, colon);
        value.setLength(0);
        value.append(line.substring(colon + 1));
      }
      // a line without a colon is no header field: an MTA would not pass it on as one either
    }
    if (name != null) {
      headers.add(new HeaderField(name, value.toString()));
    }
    byte[] body = new byte[crlf.length - pos];
    System.arraycopy(crlf, pos, body, 0, body.length);
    return new SavedMessage(headers, body);
  }

  /** The address of the Return-Path field the delivering MTA added: the MAIL FROM the message came with. */
  Optional<String> returnPath() {
    return headers.stream().filter(h -> h.hasName("Return-Path")).findFirst().map(h -> h.value().strip());
  }

  private static byte[] withCrlf(byte[] raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length + raw.length / 40);
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r')) {
        out.write('\r');
      }
      out.write(raw[i]);
    }
    return out.toByteArray();
  }

  private static boolean startsWith(byte[] data, int at, String prefix) {
    if (data.length - at < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (data[at + i] != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] data, String needle, int from) {
    for (int i = from; i <= data.length - needle.length(); i++) {
      if (startsWith(data, i, needle)) {
        return i;
      }
    }
    return -1;
  }
}
