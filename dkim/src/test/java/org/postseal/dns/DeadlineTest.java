package org.postseal.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DeadlineTest {

  @Test
  void unarmedDeadline_isNeverReached_untilArmed() throws Exception {
    Deadline deadline = Deadline.unarmed(Duration.ofMillis(100));
    CompletableFuture<Void> waiting = deadline.whenAnsweredOrReached(new CompletableFuture<>());

    Thread.sleep(250);
    assertThat(deadline.isReached()).isFalse();
    assertThat(waiting).isNotDone();

    long start = System.nanoTime();
    deadline.arm();
    waiting.get(5, TimeUnit.SECONDS);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(80), Duration.ofMillis(1_000));
    assertThat(deadline.isReached()).isTrue();
  }

  @Test
  void answeredLookups_completeTheWaitBeforeTheDeadline_andAreNotCompletedByIt() throws Exception {
    Deadline deadline = Deadline.after(Duration.ofSeconds(30));
    CompletableFuture<String> lookup = new CompletableFuture<>();
    CompletableFuture<Void> waiting = deadline.whenAnsweredOrReached(lookup, CompletableFuture.completedFuture(1));

    assertThat(waiting).isNotDone();
    lookup.completeExceptionally(new IllegalStateException("a failed lookup still counts as answered"));

    assertThat(waiting.get(1, TimeUnit.SECONDS)).isNull();
    assertThat(deadline.isReached()).isFalse();
  }

  @Test
  void reachedDeadline_leavesTheLookupsOpen() throws Exception {
    Deadline deadline = Deadline.after(Duration.ofMillis(50));
    CompletableFuture<String> lookup = new CompletableFuture<>();

    deadline.whenAnsweredOrReached(lookup).get(5, TimeUnit.SECONDS);

    assertThat(lookup).isNotDone();
  }

  @Test
  void expire_reachesAtOnce_andArmingLaterChangesNothing() {
    Deadline deadline = Deadline.unarmed(Duration.ofHours(1));

    deadline.expire();
    deadline.arm();

    assertThat(deadline.isReached()).isTrue();
    assertThat(deadline.whenAnsweredOrReached(new CompletableFuture<>())).isDone();
  }
}
