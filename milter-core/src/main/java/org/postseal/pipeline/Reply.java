package org.postseal.pipeline;

import org.postseal.mail.SmtpReply;

/** The one final answer to a message. */
public sealed interface Reply {

  /** Let the message through (with whatever header edits came before). */
  record Continue() implements Reply {
    @Override
    public String toString() {
      return "continue";
    }
  }

  /**
   * An SMTP reply of our own: 4xx tells the client to retry later, 5xx rejects.
   *
   * @param code         three digits, 400..599
   * @param enhancedCode RFC 3463 code whose class matches {@code code} ("4.7.1")
   * @param text         human-readable, one line
   */
  record Smtp(int code, String enhancedCode, String text) implements Reply {
    public Smtp {
      // the one set of rules for a reply of ours
      new SmtpReply(code, enhancedCode, text);
    }

    /** The reply a mechanism decided. */
    public Smtp(SmtpReply reply) {
      this(reply.code(), reply.enhancedCode(), reply.text());
    }

    @Override
    public String toString() {
      return code + " " + enhancedCode + " " + text;
    }
  }

  /**
   * Let the message through, but ask the MTA to hold it in its quarantine (milter SMFIR_QUARANTINE;
   * Postfix puts it on the hold queue, where {@code postsuper -H} releases it).
   *
   * @param reason one line for the MTA's log ("milter-hold: REASON" in Postfix)
   */
  record Quarantine(String reason) implements Reply {
    public Quarantine {
      if (reason.isEmpty() || reason.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
        throw new IllegalArgumentException("quarantine reason must be one non-empty line, was \"" + reason + "\"");
      }
    }

    @Override
    public String toString() {
      return "quarantine (hold): " + reason;
    }
  }

  Continue CONTINUE = new Continue();

  /** Outbound mail we failed to process: Postfix keeps it queued and retries rather than sending it unsigned. */
  Smtp TEMPFAIL_OUTBOUND = new Smtp(451, "4.7.1", "Postseal could not sign this message, try again later");
}
