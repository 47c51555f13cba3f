package org.postseal.dmarc.outbox;

import java.util.Objects;

/** How one SMTP submission ended: the server's last reply (or what went wrong on the way), and what it means. */
public sealed interface SmtpOutcome {

  /** The reply or the failure, for the outbox and the log: "250 2.0.0 Ok: queued as 4XYZ". */
  String reply();

  /** 2xx to the end of DATA: the server took responsibility for the message. */
  record Accepted(String reply) implements SmtpOutcome {
    public Accepted {
      Objects.requireNonNull(reply, "reply");
    }
  }

  /** 4xx, or no usable connection (refused, timeout, closed): try again later. */
  record TemporaryFailure(String reply) implements SmtpOutcome {
    public TemporaryFailure {
      Objects.requireNonNull(reply, "reply");
    }
  }

  /** 5xx: the same message will never be accepted. */
  record PermanentFailure(String reply) implements SmtpOutcome {
    public PermanentFailure {
      Objects.requireNonNull(reply, "reply");
    }
  }
}
