package org.postseal.dmarc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.postseal.dkim.DkimOutcome;
import org.postseal.spf.SpfOutcome;

class InMemoryDmarcResultStoreTest {

  static EvaluatedMessage message(int n) {
    DmarcResult dmarc = DmarcDispositionEvaluatorTest.fail("bank.example", DmarcPolicy.REJECT);
    DmarcDisposition disposition = new DmarcDisposition(DmarcAction.ACCEPT, Optional.of(DmarcPolicy.REJECT),
        Optional.of(OverrideReason.TRUSTED_FORWARDER), Optional.empty(), "trusted forwarder");
    return new EvaluatedMessage(Instant.ofEpochSecond(n), Optional.of(DmarcDispositionEvaluatorTest.ip("192.0.2.1")),
        "bank.example", "lists.example.net", List.of("alice@example.org"),
        DmarcSessionTest.spf(SpfOutcome.PASS, "lists.example.net"),
        List.of(DmarcSessionTest.dkim(DkimOutcome.FAIL, "bank.example")), dmarc, disposition);
  }

  @Test
  void keepsTheNewestUpToCapacity_andCountsWhatItDropped() {
    InMemoryDmarcResultStore store = new InMemoryDmarcResultStore(3);

    for (int i = 1; i <= 5; i++) {
      store.record(message(i));
    }

    assertThat(store.snapshot()).extracting(m -> m.time().getEpochSecond()).containsExactly(3L, 4L, 5L);
    assertThat(store.droppedCount()).isEqualTo(2);
    EvaluatedMessage kept = store.snapshot().get(0);
    assertThat(kept.publishedPolicy().orElseThrow().policy()).isEqualTo(DmarcPolicy.REJECT);
    assertThat(kept.overrideReason()).contains(OverrideReason.TRUSTED_FORWARDER);
  }

  @Test
  void concurrentWriters_neverWait_andTheBoundHolds() throws Exception {
    InMemoryDmarcResultStore store = new InMemoryDmarcResultStore(100);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch start = new CountDownLatch(1);
    List<java.util.concurrent.Future<?>> writers = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      writers.add(pool.submit(() -> {
        start.await();
        for (int i = 0; i < 1_000; i++) {
          store.record(message(i));
        }
        return null;
      }));
    }
    start.countDown();
    for (java.util.concurrent.Future<?> w : writers) {
      w.get(10, TimeUnit.SECONDS);
    }
    pool.shutdown();

    assertThat(store.snapshot()).hasSize(100);
    assertThat(store.droppedCount()).isEqualTo(8_000 - 100);
  }

  @Test
  void capacityMustBePositive() {
    assertThatThrownBy(() -> new InMemoryDmarcResultStore(0)).hasMessageContaining("at least 1, was 0");
  }
}
