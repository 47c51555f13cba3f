package org.postseal.dmarc;

import java.util.Objects;
import java.util.Optional;
import org.postseal.mail.HeaderField;
import org.postseal.mail.SmtpReply;

/**
 * What to do with one message, decided by {@link DmarcDispositionEvaluator}.
 *
 * @param action         accept, quarantine by header, hold, reject or tempfail
 * @param policy         the policy the message was judged under: the domain owner's (after sp=, np=, t=),
 *                       or reject by local policy (a forgery of our own domain, a malformed From); empty
 *                       when none applied (pass, no record, temperror)
 * @param overrideReason why the action is not what {@code policy} asks, when it is not (RFC 9990)
 * @param reply          the SMTP reply for REJECT (5xx) and TEMPFAIL (4xx), else empty
 * @param reason         in words, for the log line and {@code postseal check}
 */
public record DmarcDisposition(DmarcAction action, Optional<DmarcPolicy> policy,
                               Optional<OverrideReason> overrideReason, Optional<SmtpReply> reply, String reason) {

  /** The header field a QUARANTINE_HEADER message gets, for Sieve rules and other filters. */
  public static final String QUARANTINE_HEADER_NAME = "X-Postseal-Quarantine";
  private static final int MAX_QUARANTINE_REASON = 500;

  public DmarcDisposition {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(overrideReason, "overrideReason");
    Objects.requireNonNull(reply, "reply");
    if (reply.isPresent() != (action == DmarcAction.REJECT || action == DmarcAction.TEMPFAIL)) {
      throw new IllegalArgumentException("action " + action + " must have an SMTP reply exactly when it refuses the"
          + " message, reply was " + reply);
    }
    Objects.requireNonNull(reason, "reason");
  }

  /**
   * What was done, in the words of Authentication-Results' "dis=" and of aggregate reports' disposition
   * (RFC 9990): "none", "quarantine" or "reject". A tempfailed message is not delivered now and will be
   * judged again: "none".
   */
  public String keyword() {
    return switch (action) {
      case ACCEPT, TEMPFAIL -> "none";
      case QUARANTINE_HEADER, HOLD -> "quarantine";
      case REJECT -> "reject";
    };
  }

  /**
   * The field to add for {@link DmarcAction#QUARANTINE_HEADER}: "X-Postseal-Quarantine: yes; " and the reason,
   * on one line of at most {@value #MAX_QUARANTINE_REASON} characters of reason.
   */
  public Optional<HeaderField> quarantineHeader() {
    if (action != DmarcAction.QUARANTINE_HEADER) {
      return Optional.empty();
    }
    StringBuilder value = new StringBuilder(" yes; ");
    String text = reason.length() > MAX_QUARANTINE_REASON ? reason.substring(0, MAX_QUARANTINE_REASON) : reason;
    for (char c : text.toCharArray()) {
      // the reason may quote From text: no line break may start a field of its own, and no 8-bit text
      value.append(c < 0x20 ? ' ' : c >= 0x7F ? '?' : c);
    }
    return Optional.of(new HeaderField(QUARANTINE_HEADER_NAME, value.toString()));
  }
}
