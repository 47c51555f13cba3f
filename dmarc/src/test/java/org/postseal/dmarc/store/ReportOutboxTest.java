package org.postseal.dmarc.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postseal.dmarc.report.ReportFixtures.DAY;
import static org.postseal.dmarc.report.ReportFixtures.message;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postseal.dmarc.report.BuiltReport;
import org.postseal.dmarc.report.RecordedMessage;
import org.postseal.dmarc.report.ReportBuilder;
import org.postseal.dmarc.report.ReportFixtures;
import org.postseal.dmarc.report.ReportPeriod;

/** Closing periods into the outbox, claiming deliveries and purging, on SQLite and PostgreSQL. */
class ReportOutboxTest {

  private static final Instant NOW = DAY.plus(Duration.ofDays(2)).plusSeconds(3600);
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  @TempDir
  Path dir;

  /** The reports of a period, one destination per rua URI (the address after "mailto:"). */
  static final ReportOutbox.PeriodPlan PLAN = (period, messages) -> {
    List<OutboxReport> out = new ArrayList<>();
    for (BuiltReport b : new ReportBuilder(ReportFixtures.REPORTER).build(period, messages)) {
      out.add(new OutboxReport(b.reportId(), b.policyDomain(), b.organizationalDomain(), period, b.fileName(),
          ReportFixtures.REPORTER.email(), ReportFixtures.REPORTER.receiver(), NOW, b.report().records().size(),
          b.report().messageCount(), "summary", b.attachment(),
          b.destinations().stream().map(u -> u.substring("mailto:".length())).toList()));
    }
    return out;
  };

  private static void insert(TestDatabase db, List<RecordedMessage> rows) throws Exception {
    try (Connection c = db.database.connect()) {
      RecordedMessages.insert(c, rows);
    }
  }

  @ParameterizedTest
  @EnumSource(ResultsDatabase.Dialect.class)
  void periodsAreUtcDays_contiguous_closedOnce_andThePartOfADayUpToUntil(ResultsDatabase.Dialect dialect)
      throws Exception {
    try (TestDatabase db = TestDatabase.create(dialect, dir, CLOCK)) {
      insert(db, List.of(message().at(DAY.plusSeconds(100)).recorded(),
          message().at(DAY.plusSeconds(86_400 + 5)).from("example.net")
              .record("v=DMARC1; p=none; rua=mailto:d@example.net", "example.net").recorded(),
          message().at(DAY.plusSeconds(2 * 86_400 + 60)).recorded()));
      ReportingCounters counters = new ReportingCounters();
      ReportOutbox outbox = new ReportOutbox(db.database, counters, CLOCK, "test:1");

      List<ReportOutbox.ClosedPeriod> first = outbox.close(DAY.plus(Duration.ofDays(2)), PLAN);
      assertThat(first).extracting(ReportOutbox.ClosedPeriod::period).containsExactly(
          ReportPeriod.utcDayOf(DAY), ReportPeriod.utcDayOf(DAY.plus(Duration.ofDays(1))));
      assertThat(first).extracting(p -> p.reports().get(0).policyDomain()).containsExactly("example.com", "example.net");
      assertThat(outbox.close(DAY.plus(Duration.ofDays(2)), PLAN)).isEmpty();

      // --until now: the day so far, to the whole second, then the rest of the day is the next period
      Instant until = DAY.plus(Duration.ofDays(2)).plusSeconds(1800);
      assertThat(outbox.preview(until.plusNanos(8_007_115), PLAN)).singleElement()
          .extracting(ReportOutbox.ClosedPeriod::period).isEqualTo(new ReportPeriod(DAY.plus(Duration.ofDays(2)), until));
      assertThat(outbox.close(until.plusNanos(8_007_115), PLAN)).singleElement().satisfies(p -> {
        assertThat(p.period()).isEqualTo(new ReportPeriod(DAY.plus(Duration.ofDays(2)), until));
        assertThat(p.reports()).hasSize(1);
      });
      assertThat(outbox.closedUntil()).contains(until);
      assertThat(outbox.close(until.plusMillis(999), PLAN)).as("nothing within the same second").isEmpty();
      assertThat(outbox.preview(DAY.plus(Duration.ofDays(3)), PLAN)).singleElement()
          .extracting(ReportOutbox.ClosedPeriod::period).isEqualTo(new ReportPeriod(until, DAY.plus(Duration.ofDays(3))));
      assertThat(counters.reportsBuilt()).isEqualTo(3);
      assertThat(db.count("SELECT COUNT(*) FROM report_delivery WHERE state = 'pending'")).isEqualTo(3);
    }
  }

  @ParameterizedTest
  @EnumSource(ResultsDatabase.Dialect.class)
  void severalInstancesClosingAtOnce_closeEachPeriodOnce(ResultsDatabase.Dialect dialect) throws Exception {
    try (TestDatabase db = TestDatabase.create(dialect, dir, CLOCK)) {
      List<RecordedMessage> rows = new ArrayList<>();
      for (int day = 0; day < 6; day++) {
        rows.add(message().at(DAY.minus(Duration.ofDays(day)).plusSeconds(7)).recorded());
      }
      insert(db, rows);
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<List<ReportOutbox.ClosedPeriod>>> runs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          ReportOutbox outbox = new ReportOutbox(db.database, new ReportingCounters(), CLOCK, "instance:" + i);
          Callable<List<ReportOutbox.ClosedPeriod>> close = () -> outbox.close(DAY.plus(Duration.ofDays(1)), PLAN);
          runs.add(pool.submit(close));
        }
        List<ReportPeriod> closed = Collections.synchronizedList(new ArrayList<>());
        for (Future<List<ReportOutbox.ClosedPeriod>> run : runs) {
          run.get().forEach(p -> closed.add(p.period()));
        }
        assertThat(closed).hasSize(6).doesNotHaveDuplicates();
      } finally {
        pool.shutdownNow();
      }
      assertThat(db.count("SELECT COUNT(*) FROM report")).isEqualTo(6);
      assertThat(db.count("SELECT COUNT(*) FROM report_period")).isEqualTo(6);
    }
  }

  @ParameterizedTest
  @EnumSource(ResultsDatabase.Dialect.class)
  void aClaimedDeliveryIsNobodyElses_untilItsLeaseRunsOut(ResultsDatabase.Dialect dialect) throws Exception {
    try (TestDatabase db = TestDatabase.create(dialect, dir, CLOCK)) {
      insert(db, List.of(message().at(DAY).recorded()));
      ReportOutbox a = new ReportOutbox(db.database, new ReportingCounters(), CLOCK, "a");
      a.close(DAY.plus(Duration.ofDays(1)), PLAN);
      Delivery due = a.due(10).get(0);
      assertThat(due.report().attachment()).isNotEmpty();
      assertThat(due.destination()).isEqualTo("dmarc@example.com");

      ReportOutbox b = new ReportOutbox(db.database, new ReportingCounters(), CLOCK, "b");
      assertThat(a.claim(due)).isTrue();
      assertThat(b.claim(due)).isFalse();
      assertThat(b.due(10)).isEmpty();
      ReportOutbox later = new ReportOutbox(db.database, new ReportingCounters(),
          Clock.offset(CLOCK, ReportOutbox.CLAIM_LEASE.plusSeconds(1)), "c");
      assertThat(later.due(10)).hasSize(1);
      assertThat(later.claim(due)).isTrue();

      ReportingCounters counters = new ReportingCounters();
      new ReportOutbox(db.database, counters, CLOCK, "c").markSent(due, "250 ok");
      assertThat(later.due(10)).isEmpty();
      assertThat(a.status(DAY)).singleElement().satisfies(d -> {
        assertThat(d.state()).isEqualTo(DeliveryState.SENT);
        assertThat(d.attempts()).isEqualTo(1);
        assertThat(d.lastReply()).isEqualTo("250 ok");
        assertThat(d.doneAt()).contains(NOW);
      });
      assertThat(counters.reportsSent()).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(ResultsDatabase.Dialect.class)
  void purge_deletesWhatIsOlderThanKeep_butPendingReportsAndTheLastPeriod(ResultsDatabase.Dialect dialect)
      throws Exception {
    try (TestDatabase db = TestDatabase.create(dialect, dir, CLOCK)) {
      insert(db, List.of(message().at(DAY).recorded(), message().at(DAY.plus(Duration.ofDays(1))).recorded()));
      ReportOutbox outbox = new ReportOutbox(db.database, new ReportingCounters(), CLOCK, "a");
      outbox.close(DAY.plus(Duration.ofDays(2)), PLAN);
      Delivery first = outbox.due(10).get(0);
      outbox.markSent(first, "250 ok");

      ReportOutbox.Purged purged = outbox.purge(NOW.plusSeconds(1));

      assertThat(purged.messages()).isEqualTo(2);
      assertThat(purged.reports()).isEqualTo(1);
      assertThat(purged.periods()).isEqualTo(1);
      assertThat(db.count("SELECT COUNT(*) FROM report")).isEqualTo(1);
      assertThat(db.count("SELECT COUNT(*) FROM report_delivery WHERE state = 'pending'")).isEqualTo(1);
      assertThat(outbox.closedUntil()).contains(DAY.plus(Duration.ofDays(2)));
    }
  }
}
