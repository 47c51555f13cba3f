package org.postseal.dmarc.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One report and one destination, as the outbox holds them.
 *
 * @param report        the report (its attachment loaded only for deliveries due, else empty bytes)
 * @param destination   the mail address
 * @param attempts      SMTP attempts so far
 * @param nextAttemptAt when a pending delivery is tried next
 * @param lastReply     the last SMTP reply or why it was refused, empty before the first attempt
 * @param doneAt        when it was sent, failed or refused
 */
public record Delivery(OutboxReport report, String destination, DeliveryState state, int attempts,
                       Instant nextAttemptAt, String lastReply, Optional<Instant> doneAt) {

  public Delivery {
    Objects.requireNonNull(report, "report");
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
    Objects.requireNonNull(lastReply, "lastReply");
    Objects.requireNonNull(doneAt, "doneAt");
  }
}
