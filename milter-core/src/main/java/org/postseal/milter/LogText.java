package org.postseal.milter;

/**
 * Makes text that came from the wire safe to put in a log line: a CR or LF in a queue id, a HELO name or a
 * header value would otherwise start a forged line of its own, and a megabyte-long macro would be logged
 * whole with every message. Control characters (C0, DEL, C1, and the Unicode line and paragraph separators)
 * become {@code \r}, {@code \n}, {@code \t} or {@code \\uXXXX}; a backslash is doubled so that the escapes
 * cannot be forged either; text longer than {@link #MAX_CHARS} is cut and says how much was left out.
 */
final class LogText {

  /** Longer than any host name (255), address (256) or queue id Postfix makes. */
  static final int MAX_CHARS = 300;

  private LogText() {
  }

  /** The escaped text; "" for null. */
  static String of(String text) {
    if (text == null) {
      return "";
    }
    int end = Math.min(text.length(), MAX_CHARS);
    StringBuilder out = null;
    for (int i = 0; i < end; i++) {
      char c = text.charAt(i);
      String escape = escape(c);
      if (escape != null && out == null) {
        out = new StringBuilder(end + 16).append(text, 0, i);
      }
      if (out != null) {
        if (escape != null) {
          out.append(escape);
        } else {
          out.append(c);
        }
      }
    }
    if (end < text.length()) {
      if (out == null) {
        out = new StringBuilder(end + 32).append(text, 0, end);
      }
      out.append("...(").append(text.length() - end).append(" more)");
    }
    return out == null ? text : out.toString();
  }

  private static String escape(char c) {
    switch (c) {
      case '\r':
        return "\\r";
      case '\n':
        return "\\n";
      case '\t':
        return "\\t";
      case '\\':
        return "\\\\";
      default:
        if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == '\u2028' || c == '\u2029') {
          return String.format("\\u%04X", (int) c);
        }
        return null;
    }
  }
}
