package org.postseal.dmarc.outbox;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * When a report that met a temporary failure (SMTP 4xx, no connection, DNS failure in the verification) is tried
 * again: after {@code firstRetry}, doubling each time up to {@code maxRetry}, until {@code giveUpAfter} has passed
 * since the report was built; then it is given up.
 */
public record RetryPolicy(Duration firstRetry, Duration maxRetry, Duration giveUpAfter) {

  /** 5 min, 10, 20 ... at most every 4 h, for 3 days: a day's report older than that has lost its use. */
  public static final RetryPolicy DEFAULT = new RetryPolicy(Duration.ofMinutes(5), Duration.ofHours(4),
      Duration.ofDays(3));

  public RetryPolicy {
    Objects.requireNonNull(firstRetry, "firstRetry");
    Objects.requireNonNull(maxRetry, "maxRetry");
    Objects.requireNonNull(giveUpAfter, "giveUpAfter");
    if (firstRetry.isNegative() || firstRetry.isZero() || maxRetry.compareTo(firstRetry) < 0) {
      throw new IllegalArgumentException("retry delays must be positive and firstRetry <= maxRetry, were "
          + firstRetry + " and " + maxRetry);
    }
  }

  /**
   * The time of the next attempt after {@code failures} failed ones (1 = the first failed), or empty when the
   * report built at {@code builtAt} is to be given up at {@code now}.
   */
  public Optional<Instant> next(int failures, Instant builtAt, Instant now) {
    Duration delay = firstRetry;
    for (int i = 1; i < failures && delay.compareTo(maxRetry) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    if (delay.compareTo(maxRetry) > 0) {
      delay = maxRetry;
    }
    Instant next = now.plus(delay);
    return next.isAfter(builtAt.plus(giveUpAfter)) ? Optional.empty() : Optional.of(next);
  }
}
