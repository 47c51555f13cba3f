package org.postseal.dns;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one deadline of a message's lookups. Created when the first lookup starts (SPF at MAIL FROM), armed at end
 * of headers, reached {@link #budget()} after arming, or at once by {@link #expire()} (the message was aborted).
 * Every mechanism that looks names up for the message stops sending queries once it is reached and counts what is
 * still open as temperror; the decision runs when the lookups have answered or the deadline is reached, whichever
 * comes first, so no thread ever waits for DNS.
 *
 * <p>Real elapsed time (like dns.timeout), not the injected {@code Clock}, which only dates things. Thread-safe.
 */
public final class Deadline {

  private final Duration budget;
  private final CompletableFuture<Void> reached = new CompletableFuture<>();
  private final AtomicBoolean armed = new AtomicBoolean();

  private Deadline(Duration budget) {
    this.budget = Objects.requireNonNull(budget, "budget");
    if (budget.isNegative()) {
      throw new IllegalArgumentException("deadline budget must not be negative, was " + budget);
    }
  }

  /** A deadline that starts counting when {@link #arm()} is called. */
  public static Deadline unarmed(Duration budget) {
    return new Deadline(budget);
  }

  /** A deadline {@code budget} from now. */
  public static Deadline after(Duration budget) {
    Deadline deadline = new Deadline(budget);
    deadline.arm();
    return deadline;
  }

  /** Starts the countdown; later calls do nothing. */
  public void arm() {
    if (armed.compareAndSet(false, true)) {
      reached.completeOnTimeout(null, budget.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  /** Reaches the deadline now: nothing more is looked up for this message. */
  public void expire() {
    reached.complete(null);
  }

  public boolean isReached() {
    return reached.isDone();
  }

  /** How long after arming the deadline is reached. */
  public Duration budget() {
    return budget;
  }

  /**
   * Completes (never exceptionally) when every one of {@code lookups} has completed, in any way, or when the
   * deadline is reached, whichever comes first. The lookups' own futures are never completed by it.
   */
  public CompletableFuture<Void> whenAnsweredOrReached(CompletableFuture<?>... lookups) {
    CompletableFuture<Void> answered = CompletableFuture.allOf(lookups).handle((ignored, error) -> null);
    CompletableFuture<Void> out = new CompletableFuture<>();
    answered.whenComplete((ignored, error) -> out.complete(null));
    reached.whenComplete((ignored, error) -> out.complete(null));
    return out;
  }

  @Override
  public String toString() {
    return "Deadline[" + budget.toMillis() + " ms" + (armed.get() ? ", armed" : "") + (isReached() ? ", reached" : "")
        + "]";
  }
}
