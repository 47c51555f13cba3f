package org.postseal.dkim;

import java.util.List;

/**
 * Writes the value of one DKIM-Signature field, folded with CRLF + TAB so that no line is longer than
 * {@link #MAX_LINE} characters (counting the "DKIM-Signature:" name on the first line and the TAB as one
 * character). Tags are never split; h= breaks after a colon; bh= and b= break anywhere, which RFC 6376
 * section 3.5 allows ("FWS ... in arbitrary places"). b= is written last so that the signed form, "b="
 * with nothing after it, is a prefix of the final value.
 */
final class DkimSignatureHeader {

  static final String NAME = "DKIM-Signature";
  static final int MAX_LINE = 78;

  private final StringBuilder value = new StringBuilder(512);
  private int lineLength = NAME.length() + 1;
  private boolean atLineStart;

  /** Appends {@code name=value;}, on this line if it fits. */
  DkimSignatureHeader tag(String name, String tagValue) {
    String text = name + "=" + tagValue + ";";
    separate(text.length());
    append(text);
    return this;
  }

  /** Appends {@code h=a:b:c;}, breaking after colons. */
  DkimSignatureHeader headerList(List<String> names) {
    for (int i = 0; i < names.size(); i++) {
      String piece = (i == 0 ? "h=" : "") + names.get(i) + (i == names.size() - 1 ? ";" : ":");
      if (i == 0) {
        separate(piece.length());
      } else if (lineLength + piece.length() > MAX_LINE) {
        newLine();
      }
      append(piece);
    }
    return this;
  }

  /** Appends {@code bh=...;} on a line of its own, broken wherever the line is full. */
  DkimSignatureHeader bodyHash(String base64) {
    newLine();
    appendBroken("bh=" + base64 + ";");
    return this;
  }

  /** Starts b= on a new line; {@link #value()} is now the form that gets signed. */
  DkimSignatureHeader signatureStart() {
    newLine();
    append("b=");
    return this;
  }

  /** Fills in the b= value after {@link #signatureStart()}. */
  DkimSignatureHeader signature(String base64) {
    appendBroken(base64);
    return this;
  }

  String value() {
    return value.toString();
  }

  private void separate(int nextLength) {
    if (atLineStart) {
      return;
    }
    if (lineLength + 1 + nextLength <= MAX_LINE) {
      append(" ");
    } else {
      newLine();
    }
  }

  private void appendBroken(String text) {
    int from = 0;
    while (from < text.length()) {
      int room = MAX_LINE - lineLength;
      if (room <= 0) {
        newLine();
        room = MAX_LINE - lineLength;
      }
      int to = Math.min(text.length(), from + room);
      append(text.substring(from, to));
      from = to;
    }
  }

  private void newLine() {
    value.append("\r\n\t");
    lineLength = 1;
    atLineStart = true;
  }

  private void append(String text) {
    value.append(text);
    lineLength += text.length();
    atLineStart = false;
  }
}
