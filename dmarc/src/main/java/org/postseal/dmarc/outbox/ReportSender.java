package org.postseal.dmarc.outbox;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.postseal.dmarc.store.Delivery;
import org.postseal.dmarc.store.DeliveryState;
import org.postseal.dmarc.store.ReportOutbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers what the outbox holds, one destination at a time: claim it, check reports.suppress and the external
 * destination verification, submit the mail, record the outcome. A 2xx is sent; a 4xx, a lost connection or a DNS
 * failure is tried again per the {@link RetryPolicy}; a 5xx or a refused destination is done, with the reason kept.
 * Runs on the caller's thread and waits for SMTP and DNS: never a milter thread.
 */
final class ReportSender {

  private static final Logger LOG = LoggerFactory.getLogger(ReportSender.class);
  /** Deliveries taken per round; the next round takes the rest. */
  static final int BATCH = 100;
  private static final Duration VERIFICATION_WAIT = Duration.ofSeconds(60);

  /** What one round did. */
  record Round(int sent, int deferred, int failed, int refused) {
    int total() {
      return sent + deferred + failed + refused;
    }
  }

  private final ReportOutbox outbox;
  private final DestinationVerification verification;
  private final SmtpTransport transport;
  private final Suppression suppression;
  private final RetryPolicy retry;
  private final Clock clock;

  ReportSender(ReportOutbox outbox, DestinationVerification verification, SmtpTransport transport,
               Suppression suppression, RetryPolicy retry, Clock clock) {
    this.outbox = Objects.requireNonNull(outbox, "outbox");
    this.verification = Objects.requireNonNull(verification, "verification");
    this.transport = Objects.requireNonNull(transport, "transport");
    this.suppression = Objects.requireNonNull(suppression, "suppression");
    this.retry = Objects.requireNonNull(retry, "retry");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Tries every delivery that is due now. */
  Round sendDue() throws SQLException {
    int sent = 0;
    int deferred = 0;
    int failed = 0;
    int refused = 0;
    for (Delivery d : outbox.due(BATCH)) {
      if (!outbox.claim(d)) {
        continue;
      }
      switch (deliver(d)) {
        case SENT -> sent++;
        case PENDING -> deferred++;
        case FAILED -> failed++;
        case REFUSED -> refused++;
      }
    }
    return new Round(sent, deferred, failed, refused);
  }

  private DeliveryState deliver(Delivery d) throws SQLException {
    String what = "report " + d.report().reportId() + " for " + d.report().policyDomain() + " ("
        + d.report().period() + ") to " + d.destination();
    Optional<String> suppressed = suppression.match(d.destination());
    if (suppressed.isPresent()) {
      outbox.markDone(d, DeliveryState.REFUSED, "in reports.suppress (" + suppressed.get() + ")", false);
      LOG.info("{}: not sent, reports.suppress lists {}", what, suppressed.get());
      return DeliveryState.REFUSED;
    }
    Verification verdict = verify(d);
    if (verdict instanceof Verification.Refused refused) {
      outbox.markDone(d, DeliveryState.REFUSED, "external destination not verified: " + refused.reason(), false);
      LOG.warn("{}: not sent, external destination not verified (RFC 9990 section 4): {}", what, refused.reason());
      return DeliveryState.REFUSED;
    }
    if (verdict instanceof Verification.Deferred deferred) {
      return deferOrGiveUp(d, what, "external destination verification deferred: " + deferred.reason(), false);
    }
    Verification.Authorized authorized = (Verification.Authorized) verdict;
    SmtpOutcome outcome = null;
    for (String address : authorized.addresses()) {
      outcome = transport.send(d.report().fromAddress(), address, d.report().message().render(address));
      if (!(outcome instanceof SmtpOutcome.Accepted)) {
        break;
      }
    }
    if (outcome instanceof SmtpOutcome.Accepted accepted) {
      outbox.markSent(d, accepted.reply());
      LOG.info("{}: sent via {} ({} bytes gzip; {}): {}", what, transport.server(), d.report().attachment().length,
          authorized.how(), accepted.reply());
      return DeliveryState.SENT;
    }
    if (outcome instanceof SmtpOutcome.PermanentFailure permanent) {
      outbox.markDone(d, DeliveryState.FAILED, permanent.reply(), true);
      LOG.warn("{}: refused by {}, given up: {}", what, transport.server(), permanent.reply());
      return DeliveryState.FAILED;
    }
    return deferOrGiveUp(d, what, outcome.reply(), true);
  }

  private Verification verify(Delivery d) {
    try {
      return verification.verify(d.report().policyDomain(), d.report().organizationalDomain(), d.destination())
          .get(VERIFICATION_WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      return new Verification.Deferred("no DNS answer within " + VERIFICATION_WAIT.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Verification.Deferred("interrupted");
    } catch (java.util.concurrent.ExecutionException | CompletionException e) {
      return new Verification.Deferred("verification failed: " + e.getCause());
    }
  }

  private DeliveryState deferOrGiveUp(Delivery d, String what, String reason, boolean attempted) throws SQLException {
    Instant now = clock.instant();
    Optional<Instant> next = retry.next(d.attempts() + 1, d.report().builtAt(), now);
    if (next.isEmpty()) {
      String why = "given up after " + (d.attempts() + (attempted ? 1 : 0)) + " attempts over "
          + retry.giveUpAfter().toHours() + " h; last: " + reason;
      outbox.markDone(d, DeliveryState.FAILED, why, attempted);
      LOG.warn("{}: {}", what, why);
      return DeliveryState.FAILED;
    }
    outbox.markDeferred(d, reason, next.get(), attempted);
    LOG.warn("{}: temporary failure, next attempt at {}: {}", what, next.get(), reason);
    return DeliveryState.PENDING;
  }
}
