package org.postseal.dmarc.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.postseal.dmarc.report.RecordedMessage;
import org.postseal.dmarc.report.ReportPeriod;

/**
 * Reports between "built" and "sent", kept in the results database so that none is lost and none is sent twice
 * under different names.
 *
 * <p>Closing: periods are contiguous; each begins where the last closed one ended (the first at the UTC midnight
 * before the oldest message kept) and ends at the next UTC midnight or at the time given. A period's reports are
 * built from the messages it holds, outside any transaction, and then written in one short transaction together
 * with the period's row, whose primary key is its begin: of several instances (on one PostgreSQL) or processes
 * (serve and a command, on one SQLite file) closing the same period, exactly one insert succeeds, and the others
 * discard what they built. Everything about a report is fixed at that moment: a crash anywhere later leaves the
 * same bytes to send.
 *
 * <p>Sending: a sender {@link #claim claims} a pending delivery for {@link #CLAIM_LEASE} before it talks to the SMTP
 * server and records the outcome after; a sender that died holding a claim has it expire, and the delivery is
 * tried again with the same report: a report reaches a destination once, or (after a crash between the SMTP
 * server's acceptance and the record of it) twice with the same report id and file name, which receivers
 * discard (RFC 9990 section 3.1.6.3).
 *
 * <p>Thread-safe: each call uses its own connection.
 */
public final class ReportOutbox {

  /** How long a claim keeps other senders away: far longer than one SMTP delivery may take. */
  public static final Duration CLAIM_LEASE = Duration.ofMinutes(10);

  /** Builds a period's reports from its messages: pure, so that what is built only depends on the messages. */
  @FunctionalInterface
  public interface PeriodPlan {
    List<OutboxReport> reportsFor(ReportPeriod period, List<RecordedMessage> messages);
  }

  /** A period and the reports built for it. */
  public record ClosedPeriod(ReportPeriod period, List<OutboxReport> reports, int messageCount) {
    public ClosedPeriod {
      Objects.requireNonNull(period, "period");
      reports = List.copyOf(reports);
    }
  }

  /** What {@link #purge} deleted. */
  public record Purged(int messages, int reports, int periods) {
  }

  private final ResultsDatabase database;
  private final ReportingCounters counters;
  private final Clock clock;
  private final String instance;

  /**
   * @param instance names this process in the periods it closes and the deliveries it claims
   *                 ("host:pid"), for people reading the tables
   */
  public ReportOutbox(ResultsDatabase database, ReportingCounters counters, Clock clock, String instance) {
    this.database = Objects.requireNonNull(database, "database");
    this.counters = Objects.requireNonNull(counters, "counters");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.instance = Objects.requireNonNull(instance, "instance");
  }

  /**
   * Closes every period that ends by {@code until}, the last one possibly a part of a day ending at
   * {@code until}, and puts their reports in the outbox.
   *
   * @return the periods this call closed (not those another instance closed meanwhile)
   */
  public List<ClosedPeriod> close(Instant until, PeriodPlan plan) throws SQLException {
    Instant limit = wholeSeconds(until);
    List<ClosedPeriod> closed = new ArrayList<>();
    int lostRaces = 0;
    while (true) {
      Optional<ReportPeriod> next;
      List<RecordedMessage> messages;
      try (Connection c = database.connect()) {
        next = nextPeriod(c, limit);
        if (next.isEmpty()) {
          return closed;
        }
        messages = RecordedMessages.between(c, next.get().begin(), next.get().end());
      }
      List<OutboxReport> reports = plan.reportsFor(next.get(), messages);
      if (store(next.get(), reports)) {
        counters.addReportsBuilt(reports.size());
        closed.add(new ClosedPeriod(next.get(), reports, messages.size()));
      } else if (++lostRaces > 1000) {
        throw new IllegalStateException("closing " + next.get() + " lost to other instances 1000 times in a row");
      }
    }
  }

  /** What {@link #close} would build now, without writing anything: the dry run. */
  public List<ClosedPeriod> preview(Instant until, PeriodPlan plan) throws SQLException {
    Instant limit = wholeSeconds(until);
    List<ClosedPeriod> periods = new ArrayList<>();
    try (Connection c = database.connect()) {
      Optional<ReportPeriod> next = nextPeriod(c, limit);
      while (next.isPresent()) {
        ReportPeriod period = next.get();
        List<RecordedMessage> messages = RecordedMessages.between(c, period.begin(), period.end());
        periods.add(new ClosedPeriod(period, plan.reportsFor(period, messages), messages.size()));
        next = period.end().isBefore(limit) ? Optional.of(ReportPeriod.from(period.end(), limit)) : Optional.empty();
      }
    }
    return periods;
  }

  /** Where the next period begins: the end of the last closed one, or empty when none was closed. */
  public Optional<Instant> closedUntil() throws SQLException {
    try (Connection c = database.connect()) {
      return lastPeriodEnd(c);
    }
  }

  /** Pending deliveries whose time has come and that nobody holds, oldest first, with their attachments. */
  public List<Delivery> due(int limit) throws SQLException {
    long now = clock.instant().getEpochSecond();
    try (Connection c = database.connect();
         PreparedStatement select = c.prepareStatement(DELIVERY_SELECT + ", r.attachment FROM report_delivery d"
             + " JOIN report r ON r.report_id = d.report_id WHERE d.state = 'pending' AND d.next_attempt_at <= ?"
             + " AND (d.claimed_until IS NULL OR d.claimed_until <= ?)"
             + " ORDER BY d.next_attempt_at, d.report_id, d.destination LIMIT ?")) {
      select.setLong(1, now);
      select.setLong(2, now);
      select.setInt(3, limit);
      return deliveries(select, true);
    }
  }

  /** Takes {@code delivery} for {@link #CLAIM_LEASE}; false when another sender holds it or it is no longer pending. */
  public boolean claim(Delivery delivery) throws SQLException {
    long now = clock.instant().getEpochSecond();
    return update("UPDATE report_delivery SET claimed_by = ?, claimed_until = ? WHERE report_id = ? AND destination = ?"
        + " AND state = 'pending' AND (claimed_until IS NULL OR claimed_until <= ?)",
        instance, now + CLAIM_LEASE.toSeconds(), delivery.report().reportId(), delivery.destination(), now) == 1;
  }

  /** The SMTP server accepted it. */
  public void markSent(Delivery delivery, String reply) throws SQLException {
    update("UPDATE report_delivery SET state = 'sent', attempts = attempts + 1, last_reply = ?, done_at = ?,"
        + " claimed_by = NULL, claimed_until = NULL WHERE report_id = ? AND destination = ?",
        reply, clock.instant().getEpochSecond(), delivery.report().reportId(), delivery.destination());
    counters.addReportSent();
  }

  /** A temporary failure: try again at {@code next}. */
  public void markDeferred(Delivery delivery, String reply, Instant next, boolean attempted) throws SQLException {
    update("UPDATE report_delivery SET attempts = attempts + ?, last_reply = ?, next_attempt_at = ?,"
        + " claimed_by = NULL, claimed_until = NULL WHERE report_id = ? AND destination = ?",
        attempted ? 1 : 0, reply, next.getEpochSecond(), delivery.report().reportId(), delivery.destination());
  }

  /** Given up ({@link DeliveryState#FAILED}) or never to be sent ({@link DeliveryState#REFUSED}), with why. */
  public void markDone(Delivery delivery, DeliveryState state, String reason, boolean attempted) throws SQLException {
    if (state != DeliveryState.FAILED && state != DeliveryState.REFUSED) {
      throw new IllegalArgumentException("markDone takes failed or refused, not " + state);
    }
    update("UPDATE report_delivery SET state = ?, attempts = attempts + ?, last_reply = ?, done_at = ?,"
        + " claimed_by = NULL, claimed_until = NULL WHERE report_id = ? AND destination = ?",
        state.keyword(), attempted ? 1 : 0, reason, clock.instant().getEpochSecond(), delivery.report().reportId(),
        delivery.destination());
    counters.addReportFailed();
  }

  /** Every delivery of the reports built since {@code since}, newest report first (attachments not loaded). */
  public List<Delivery> status(Instant since) throws SQLException {
    try (Connection c = database.connect();
         PreparedStatement select = c.prepareStatement(DELIVERY_SELECT + " FROM report_delivery d"
             + " JOIN report r ON r.report_id = d.report_id WHERE r.built_at >= ?"
             + " ORDER BY r.period_begin DESC, r.policy_domain, r.report_id, d.destination")) {
      select.setLong(1, since.getEpochSecond());
      return deliveries(select, false);
    }
  }

  /**
   * Deletes what is older than {@code before}: evaluated messages, reports with no pending delivery (and their
   * deliveries), closed periods but the last (where the next period begins).
   */
  public Purged purge(Instant before) throws SQLException {
    long cutoff = before.getEpochSecond();
    try (Connection connection = database.connect()) {
      return database.transaction(connection, c -> {
        int messages = RecordedMessages.purge(c, before);
        int reports;
        try (PreparedStatement d = c.prepareStatement("DELETE FROM report_delivery WHERE report_id IN (SELECT report_id"
            + " FROM report WHERE built_at < ?) AND NOT EXISTS (SELECT 1 FROM report_delivery p WHERE"
            + " p.report_id = report_delivery.report_id AND p.state = 'pending')")) {
          d.setLong(1, cutoff);
          d.executeUpdate();
        }
        try (PreparedStatement d = c.prepareStatement("DELETE FROM report WHERE built_at < ? AND NOT EXISTS"
            + " (SELECT 1 FROM report_delivery p WHERE p.report_id = report.report_id)")) {
          d.setLong(1, cutoff);
          reports = d.executeUpdate();
        }
        int periods;
        try (PreparedStatement d = c.prepareStatement("DELETE FROM report_period WHERE period_end < ? AND period_end <"
            + " (SELECT MAX(period_end) FROM report_period)")) {
          d.setLong(1, cutoff);
          periods = d.executeUpdate();
        }
        return new Purged(messages, reports, periods);
      });
    }
  }

  /**
   * The database counts in seconds (evaluated_at, period_begin, period_end): a period ending at 10:00:00.8 would be
   * kept as ending at 10:00:00 and its successor would begin where it began. Periods end on a whole second.
   */
  private static Instant wholeSeconds(Instant until) {
    return until.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
  }

  private Optional<ReportPeriod> nextPeriod(Connection c, Instant until) throws SQLException {
    Optional<Instant> begin = lastPeriodEnd(c);
    if (begin.isEmpty()) {
      begin = RecordedMessages.oldest(c).map(ReportPeriod::startOfUtcDay);
    }
    if (begin.isEmpty() || !begin.get().isBefore(until)) {
      return Optional.empty();
    }
    return Optional.of(ReportPeriod.from(begin.get(), until));
  }

  private static Optional<Instant> lastPeriodEnd(Connection c) throws SQLException {
    return RecordedMessages.instant(c, "SELECT MAX(period_end) FROM report_period");
  }

  /** The period's row, its reports and their deliveries in one transaction; false when another closed it first. */
  private boolean store(ReportPeriod period, List<OutboxReport> reports) throws SQLException {
    long now = clock.instant().getEpochSecond();
    try (Connection connection = database.connect()) {
      return database.transaction(connection, c -> {
        Optional<Instant> last = lastPeriodEnd(c);
        boolean stillNext = last.map(period.begin()::equals).orElse(true);
        int inserted = 0;
        if (stillNext) {
          try (PreparedStatement insert = c.prepareStatement("INSERT INTO report_period (period_begin, period_end,"
              + " closed_at, closed_by) VALUES (?, ?, ?, ?) ON CONFLICT (period_begin) DO NOTHING")) {
            insert.setLong(1, period.begin().getEpochSecond());
            insert.setLong(2, period.end().getEpochSecond());
            insert.setLong(3, now);
            insert.setString(4, instance);
            inserted = insert.executeUpdate();
          }
        }
        if (inserted != 1) {
          // another instance closed it: nothing was written, the transaction ends empty
          return false;
        }
        insertReports(c, reports);
        return true;
      });
    }
  }

  private static void insertReports(Connection c, List<OutboxReport> reports) throws SQLException {
    try (PreparedStatement report = c.prepareStatement("INSERT INTO report (report_id, policy_domain,"
        + " organizational_domain, period_begin, period_end, file_name, from_address, receiver, built_at, record_count,"
        + " message_count, summary, attachment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
         PreparedStatement delivery = c.prepareStatement("INSERT INTO report_delivery (report_id, destination, state,"
             + " attempts, next_attempt_at, last_reply) VALUES (?, ?, 'pending', 0, ?, '')")) {
      for (OutboxReport r : reports) {
        report.setString(1, r.reportId());
        report.setString(2, r.policyDomain());
        report.setString(3, r.organizationalDomain());
        report.setLong(4, r.period().begin().getEpochSecond());
        report.setLong(5, r.period().end().getEpochSecond());
        report.setString(6, r.fileName());
        report.setString(7, r.fromAddress());
        report.setString(8, r.receiver());
        report.setLong(9, r.builtAt().getEpochSecond());
        report.setInt(10, r.recordCount());
        report.setLong(11, r.messageCount());
        report.setString(12, r.summary());
        report.setBytes(13, r.attachment());
        report.addBatch();
        for (String destination : r.destinations()) {
          delivery.setString(1, r.reportId());
          delivery.setString(2, destination);
          delivery.setLong(3, r.builtAt().getEpochSecond());
          delivery.addBatch();
        }
      }
      report.executeBatch();
      delivery.executeBatch();
    }
  }

  private static final String DELIVERY_SELECT = "SELECT r.report_id, r.policy_domain, r.organizational_domain,"
      + " r.period_begin, r.period_end,"
      + " r.file_name, r.from_address, r.receiver, r.built_at, r.record_count, r.message_count, r.summary,"
      + " d.destination, d.state, d.attempts, d.next_attempt_at, d.last_reply, d.done_at";

  private static List<Delivery> deliveries(PreparedStatement select, boolean withAttachment) throws SQLException {
    Map<String, OutboxReport> reports = new LinkedHashMap<>();
    List<Delivery> out = new ArrayList<>();
    try (ResultSet r = select.executeQuery()) {
      while (r.next()) {
        String id = r.getString("report_id");
        OutboxReport report = reports.get(id);
        if (report == null) {
          report = new OutboxReport(id, r.getString("policy_domain"), r.getString("organizational_domain"),
              new ReportPeriod(Instant.ofEpochSecond(r.getLong("period_begin")),
                  Instant.ofEpochSecond(r.getLong("period_end"))),
              r.getString("file_name"), r.getString("from_address"), r.getString("receiver"),
              Instant.ofEpochSecond(r.getLong("built_at")), r.getInt("record_count"), r.getLong("message_count"),
              r.getString("summary"), withAttachment ? r.getBytes("attachment") : new byte[0], List.of());
          reports.put(id, report);
        }
        long done = r.getLong("done_at");
        Optional<Instant> doneAt = r.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochSecond(done));
        out.add(new Delivery(report, r.getString("destination"), DeliveryState.of(r.getString("state")),
            r.getInt("attempts"), Instant.ofEpochSecond(r.getLong("next_attempt_at")), r.getString("last_reply"),
            doneAt));
      }
    }
    return out;
  }

  private int update(String sql, Object... values) throws SQLException {
    try (Connection c = database.connect(); PreparedStatement update = c.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) {
        Object v = values[i];
        if (v instanceof String s) {
          update.setString(i + 1, s);
        } else if (v instanceof Long l) {
          update.setLong(i + 1, l);
        } else if (v instanceof Integer n) {
          update.setInt(i + 1, n);
        } else {
          update.setNull(i + 1, Types.VARCHAR);
        }
      }
      return update.executeUpdate();
    }
  }
}
