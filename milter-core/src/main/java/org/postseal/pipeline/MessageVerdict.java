package org.postseal.pipeline;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.postseal.dkim.DkimResult;

/**
 * What to do with one message: the header edits, in order, then the reply. {@code decision} is the
 * summary for the log line ("signed d=example.com s=mail", "not signed: no key for example.org");
 * {@code inbound} is what the inbound checks concluded, empty for outbound mail and after an error.
 */
public record MessageVerdict(List<HeaderEdit> edits, Reply reply, String decision, List<DkimResult> dkimResults,
                             Optional<InboundAuthentication> inbound) {

  public MessageVerdict {
    edits = List.copyOf(edits);
    dkimResults = List.copyOf(dkimResults);
    Objects.requireNonNull(inbound, "inbound");
  }

  /** A verdict without inbound checks (outbound mail, a scripted test pipeline). */
  public MessageVerdict(List<HeaderEdit> edits, Reply reply, String decision, List<DkimResult> dkimResults) {
    this(edits, reply, decision, dkimResults, Optional.empty());
  }

  /**
   * The answer after an internal error: an inbound message passes unchanged (we must not lose mail
   * because a check broke), an outbound one gets 451 so that it is retried rather than sent unsigned.
   */
  public static MessageVerdict afterInternalError(Direction direction, Throwable cause) {
    String why = cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    return direction == Direction.OUTBOUND
        ? new MessageVerdict(List.of(), Reply.TEMPFAIL_OUTBOUND, "internal error, tempfail: " + why, List.of())
        : new MessageVerdict(List.of(), Reply.CONTINUE, "internal error, accepted unchanged: " + why, List.of());
  }
}
