package org.postseal.milter.client;

import java.util.Optional;

/**
 * The milter's answer to one step: a reply code (SMFIR_*) and, for SMFIR_REPLYCODE, the SMTP reply text
 * such as "550 5.7.1 ...". {@link #NONE} stands for a step that was not sent or not answered (declined
 * with SMFIP_NO* or SMFIP_NR_*).
 */
public record MilterReply(char code, String text) {

  /** No reply: the step was not sent, or the milter asked not to answer it. */
  public static final MilterReply NONE = new MilterReply('\0', "");
  private static final MilterReply CONTINUE = new MilterReply(MilterProtocol.SMFIR_CONTINUE, "");
  private static final MilterReply ACCEPT = new MilterReply(MilterProtocol.SMFIR_ACCEPT, "");

  /** The reply for a code without text; the common ones are shared instances (no allocation per step). */
  static MilterReply of(char code) {
    return switch (code) {
      case MilterProtocol.SMFIR_CONTINUE -> CONTINUE;
      case MilterProtocol.SMFIR_ACCEPT -> ACCEPT;
      default -> new MilterReply(code, "");
    };
  }

  public boolean isContinue() {
    return code == MilterProtocol.SMFIR_CONTINUE;
  }

  public boolean isAccept() {
    return code == MilterProtocol.SMFIR_ACCEPT;
  }

  /** True when the milter decided the transaction (anything but continue, skip or no reply), as Postfix reads it. */
  public boolean endsTransaction() {
    return code != '\0' && code != MilterProtocol.SMFIR_CONTINUE && code != MilterProtocol.SMFIR_SKIP;
  }

  /** The SMTP status of an SMFIR_REPLYCODE reply such as "451 4.7.1 ...". */
  public Optional<Integer> smtpCode() {
    return code == MilterProtocol.SMFIR_REPLYCODE && text.length() >= 3 && Character.isDigit(text.charAt(0))
        ? Optional.of(Integer.parseInt(text.substring(0, 3))) : Optional.empty();
  }

  /**
   * A short name for counting replies: "continue", "reject", "reply 550 5.7.1". Of a reply code only the
   * status and enhanced status are kept: the full text would make every reply its own kind.
   */
  public String summary() {
    if (code == MilterProtocol.SMFIR_REPLYCODE) {
      String[] words = text.split(" ", 3);
      return "reply " + (words.length >= 2 ? words[0] + " " + words[1] : text);
    }
    return name();
  }

  private String name() {
    return switch (code) {
      case '\0' -> "none";
      case MilterProtocol.SMFIR_CONTINUE -> "continue";
      case MilterProtocol.SMFIR_ACCEPT -> "accept";
      case MilterProtocol.SMFIR_REJECT -> "reject";
      case MilterProtocol.SMFIR_TEMPFAIL -> "tempfail";
      case MilterProtocol.SMFIR_DISCARD -> "discard";
      case MilterProtocol.SMFIR_SKIP -> "skip";
      case MilterProtocol.SMFIR_CONN_FAIL -> "connection fail";
      case MilterProtocol.SMFIR_SHUTDOWN -> "shutdown";
      default -> "'" + code + "'";
    };
  }

  @Override
  public String toString() {
    return code == MilterProtocol.SMFIR_REPLYCODE ? "reply " + text : name();
  }
}
