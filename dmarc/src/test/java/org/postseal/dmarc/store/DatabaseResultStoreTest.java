package org.postseal.dmarc.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postseal.dmarc.report.ReportFixtures.DAY;
import static org.postseal.dmarc.report.ReportFixtures.message;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postseal.dkim.DkimOutcome;
import org.postseal.dmarc.DmarcAction;
import org.postseal.dmarc.EvaluatedMessage;
import org.postseal.dmarc.report.RecordedMessage;
import org.postseal.dmarc.report.ReportFixtures;

/** The writer thread behind a bounded queue, against SQLite and PostgreSQL. */
class DatabaseResultStoreTest {

  private static final Clock CLOCK = Clock.systemUTC();

  @TempDir
  Path dir;

  @ParameterizedTest
  @EnumSource(ResultsDatabase.Dialect.class)
  void everyRecordedMessage_isStored_andReadBackAsItWasRecorded(ResultsDatabase.Dialect dialect) throws Exception {
    Random random = new Random(1);
    List<RecordedMessage> expected = new ArrayList<>();
    try (TestDatabase db = TestDatabase.create(dialect, dir, CLOCK)) {
      ReportingCounters counters = new ReportingCounters();
      try (DatabaseResultStore store = new DatabaseResultStore(db.database, counters, new OwnReportAddresses())) {
        for (int i = 0; i < 1200; i++) {
          ReportFixtures.Message m = message().at(DAY.plusSeconds(i)).ip("192.0.2." + random.nextInt(200))
              .dkim(ReportFixtures.signature(DkimOutcome.PASS, "example.com", "s" + i),
                  ReportFixtures.signature(DkimOutcome.FAIL, "esp.example", "x"));
          EvaluatedMessage evaluated = (i % 7 == 0 ? m.noRecord() : m).build();
          store.record(evaluated);
          expected.add(RecordedMessage.of(evaluated).orElseThrow());
        }
        store.record(message().action(DmarcAction.TEMPFAIL).build());
        assertThat(store.awaitWritten(Duration.ofSeconds(30))).isTrue();
      }
      assertThat(counters.rowsStored()).isEqualTo(1200);
      assertThat(counters.rowsDropped()).isZero();
      try (Connection c = db.database.connect()) {
        assertThat(RecordedMessages.between(c, DAY, DAY.plusSeconds(86_400))).isEqualTo(expected);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(ResultsDatabase.Dialect.class)
  void aFullQueue_dropsAndCounts_andRecordNeverWaits(ResultsDatabase.Dialect dialect) throws Exception {
    try (TestDatabase db = TestDatabase.create(dialect, dir, CLOCK)) {
      ReportingCounters counters = new ReportingCounters();
      try (DatabaseResultStore store = new DatabaseResultStore(db.database, counters, new OwnReportAddresses(), 2);
           Connection locker = db.database.connect()) {
        // another process holds the write lock: the writer thread waits for it, the queue fills
        try (Statement s = locker.createStatement()) {
          if (dialect == ResultsDatabase.Dialect.SQLITE) {
            s.execute("BEGIN IMMEDIATE");
          } else {
            locker.setAutoCommit(false);
            s.execute("LOCK TABLE evaluated_message IN ACCESS EXCLUSIVE MODE");
          }
        }
        store.record(message().build());
        Thread.sleep(200);
        long start = System.nanoTime();
        for (int i = 0; i < 50; i++) {
          store.record(message().at(DAY.plusSeconds(i)).build());
        }
        long micros = (System.nanoTime() - start) / 1000;
        assertThat(micros).as("50 record() calls against a locked database took %d us", micros).isLessThan(200_000);
        assertThat(counters.rowsDropped()).isGreaterThanOrEqualTo(48);
        try (Statement s = locker.createStatement()) {
          s.execute("ROLLBACK");
        }
        assertThat(store.awaitWritten(Duration.ofSeconds(30))).isTrue();
      }
      assertThat(counters.rowsStored() + counters.rowsDropped()).isEqualTo(51);
      assertThat(db.count("SELECT COUNT(*) FROM evaluated_message")).isEqualTo((int) counters.rowsStored());
    }
  }

  @ParameterizedTest
  @EnumSource(ResultsDatabase.Dialect.class)
  void mailToOurOwnReportAddresses_isNeverRecorded(ResultsDatabase.Dialect dialect) throws Exception {
    try (TestDatabase db = TestDatabase.create(dialect, dir, CLOCK)) {
      OwnReportAddresses own = new OwnReportAddresses();
      own.replace(List.of("DMARC@example.org"));
      ReportingCounters counters = new ReportingCounters();
      try (DatabaseResultStore store = new DatabaseResultStore(db.database, counters, own)) {
        store.record(message().recipients("dmarc@Example.org").build());
        store.record(message().recipients("alice@example.org", "dmarc@example.org").build());
        store.record(message().recipients("alice@example.org").build());
        assertThat(store.awaitWritten(Duration.ofSeconds(30))).isTrue();
      }
      assertThat(counters.rowsStored()).isEqualTo(1);
      assertThat(db.count("SELECT COUNT(*) FROM evaluated_message")).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(ResultsDatabase.Dialect.class)
  void theSummary_groupsBySourceAndResult_failuresFirst(ResultsDatabase.Dialect dialect) throws Exception {
    try (TestDatabase db = TestDatabase.create(dialect, dir, CLOCK)) {
      try (Connection c = db.database.connect()) {
        List<RecordedMessage> rows = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          rows.add(message().at(DAY.plusSeconds(i)).recorded());
        }
        rows.add(message().ip("203.0.113.66").dkimAligned(false).spf(org.postseal.spf.SpfOutcome.FAIL, false)
            .action(DmarcAction.REJECT).recorded());
        rows.add(message().from("other.example").noRecord().recorded());
        RecordedMessages.insert(c, rows);
        List<RecordedMessages.SummaryRow> all = RecordedMessages.summary(c, DAY, java.util.Optional.empty());
        assertThat(all).extracting(RecordedMessages.SummaryRow::sourceIp, RecordedMessages.SummaryRow::count)
            .containsExactly(org.assertj.core.groups.Tuple.tuple("203.0.113.66", 1L),
                org.assertj.core.groups.Tuple.tuple("192.0.2.10", 1L),
                org.assertj.core.groups.Tuple.tuple("192.0.2.10", 3L));
        assertThat(all.get(0).dmarc().keyword()).isEqualTo("fail");
        assertThat(RecordedMessages.summary(c, DAY, java.util.Optional.of("other.example"))).singleElement()
            .extracting(RecordedMessages.SummaryRow::policyDomain).isEqualTo("");
        assertThat(RecordedMessages.summary(c, Instant.parse("2026-11-29T00:00:00Z"), java.util.Optional.empty()))
            .isEmpty();
      }
    }
  }

  @org.junit.jupiter.api.Test
  void aDatabaseThatOpensLate_getsTheMessagesThatQueuedMeanwhile() throws Exception {
    java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.CountDownLatch refused = new java.util.concurrent.CountDownLatch(1);
    ReportingCounters counters = new ReportingCounters();
    DatabaseResultStore.Opener opener = () -> {
      if (attempts.incrementAndGet() == 1) {
        refused.countDown();
        throw new java.sql.SQLException("connection refused (a PostgreSQL not up yet)");
      }
      return ResultsDatabase.open("", dir, CLOCK);
    };
    try (DatabaseResultStore store = new DatabaseResultStore(opener, "the test database", counters,
        new OwnReportAddresses(), 100)) {
      assertThat(refused.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(store.database()).isEmpty();
      store.record(message().build());
      store.record(message().ip("198.51.100.7").build());
      assertThat(store.awaitWritten(Duration.ofSeconds(30))).isTrue();
      assertThat(store.database()).isPresent();
    }
    assertThat(attempts.get()).isEqualTo(2);
    assertThat(counters.rowsStored()).isEqualTo(2);
    assertThat(counters.rowsDropped()).isZero();
  }
}
