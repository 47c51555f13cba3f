package org.postseal.bench;

import java.util.List;

/**
 * What the milter answered to one message: the header edits in the order sent and the final reply, named
 * for the report ("continue", "accept", "reply 550 5.7.1 ..."). A transaction the milter ended before
 * end of message has its early reply and no edits.
 *
 * @param leadingSpace whether header values were negotiated to carry their leading space (how to apply the edits)
 */
record MessageOutcome(List<Edit> edits, String reply, boolean leadingSpace) {

  /** The modification kinds a milter can send at end of message. */
  enum EditKind {
    INSERT("insert"), ADD("add"), CHANGE("change"), DELETE("delete"), OTHER("other");

    final String word;

    EditKind(String word) {
      this.word = word;
    }
  }

  /** One modification; for OTHER, {@code name} holds the packet code. */
  record Edit(EditKind kind, int index, String name, String value) {
    static Edit of(EditKind kind, int index, List<String> strings) {
      return new Edit(kind, index, strings.isEmpty() ? "" : strings.get(0), strings.size() > 1 ? strings.get(1) : "");
    }

    /** How the report counts it, e.g. "insert DKIM-Signature". */
    String label() {
      return kind.word + " " + name;
    }
  }

  static MessageOutcome early(char code) {
    return new MessageOutcome(List.of(), replyName(code, "") + " (before end of message)", false);
  }

  static String replyName(char code, String text) {
    return switch (code) {
      case 'c' -> "continue";
      case 'a' -> "accept";
      case 'r' -> "reject";
      case 't' -> "tempfail";
      case 'd' -> "discard";
      case 'f' -> "connection fail";
      // the full text would make every reply its own kind; the status code and enhanced code say what happened
      case 'y' -> "reply " + String.join(" ", java.util.Arrays.asList(text.split(" ")).subList(0, Math.min(2, text.split(" ").length)));
      default -> "'" + code + "'";
    };
  }
}
