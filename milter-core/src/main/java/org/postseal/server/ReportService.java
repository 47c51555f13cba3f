package org.postseal.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.postseal.config.PostsealConfig;
import org.postseal.config.ReportsConfig;
import org.postseal.dmarc.DmarcResultStore;
import org.postseal.dmarc.EvaluatedMessage;
import org.postseal.dmarc.outbox.ReportCycle;
import org.postseal.dmarc.outbox.ReportSettings;
import org.postseal.dmarc.received.ReceivedReports;
import org.postseal.dmarc.report.ReporterIdentity;
import org.postseal.dmarc.store.DatabaseResultStore;
import org.postseal.dmarc.store.OwnReportAddresses;
import org.postseal.dmarc.store.ReportOutbox;
import org.postseal.dmarc.store.ReportingCounters;
import org.postseal.dmarc.store.ResultsDatabase;
import org.postseal.dns.DnsSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The results store and the daily reports of {@code serve}. Evaluated messages go to the database's writer thread
 * ({@link DatabaseResultStore}); one more thread, {@code postseal-reports}, wakes every {@link #DEFAULT_INTERVAL}
 * and, with reports.enabled and reports.from set, closes the UTC days that ended at least
 * {@link ReportCycle#CLOSE_DELAY} ago and delivers what is due; hourly it purges what is older than reports.keep
 * and looks up our own domains' rua addresses (mail to them is not recorded: report loops); received reports
 * ({@code postseal report import}) whose period ended more than reports.keep ago are purged then too.
 *
 * <p>The writer thread opens the database, so that the milter listens without waiting for it; when it cannot (a
 * PostgreSQL not up yet), it logs why and tries again while messages queue. The reports thread waits for it. The
 * configuration and DNS are read afresh each round, so a reload (SIGHUP) changes the reports' sender, destinations
 * and relay; the database URL needs a restart.
 */
final class ReportService implements DmarcResultStore, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ReportService.class);

  static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
  static final Duration MAINTENANCE_INTERVAL = Duration.ofHours(1);
  private static final Duration STOP_WAIT = Duration.ofSeconds(10);

  private final Supplier<PostsealConfig> config;
  private final Supplier<DnsSource> dns;
  private final Clock clock;
  private final String generator;
  private final ReportingCounters counters = new ReportingCounters();
  private final OwnReportAddresses ownAddresses = new OwnReportAddresses();
  private final ScheduledExecutorService thread;
  private final String instance = instanceName();
  private final DatabaseResultStore store;
  private Instant lastMaintenance = Instant.MIN;

  private ReportService(Supplier<PostsealConfig> config, Supplier<DnsSource> dns, Clock clock, String generator) {
    this.config = config;
    this.dns = dns;
    this.clock = clock;
    this.generator = generator;
    PostsealConfig initial = config.get();
    String url = initial.database().url();
    String description = url.isEmpty() ? initial.stateDir().resolve(ResultsDatabase.SQLITE_FILE_NAME).toString()
        : initial.database().redactedUrl();
    this.store = new DatabaseResultStore(() -> ResultsDatabase.open(url, initial.stateDir(), clock), description,
        counters, ownAddresses, DatabaseResultStore.DEFAULT_QUEUE_CAPACITY);
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "postseal-reports");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Starts the results writer (it opens the database) and the reports thread.
   *
   * @param generator the software named in our reports ("Postseal 0.1.0")
   */
  static ReportService start(Supplier<PostsealConfig> config, Supplier<DnsSource> dns, Clock clock, String generator,
                             Duration interval) {
    ReportService service = new ReportService(config, dns, clock, generator);
    ReportsConfig reports = config.get().reports();
    if (reports.enabled() && reports.from().isEmpty()) {
      // the default: nothing to warn about, but say how reports are turned on
      LOG.info("reports: reports.from is empty: evaluated messages are kept, no report is sent (set reports.from to an"
          + " address in one of signing.domains)");
    }
    service.thread.scheduleWithFixedDelay(service::round, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return service;
  }

  @Override
  public void record(EvaluatedMessage message) {
    store.record(message);
  }

  ReportingCounters counters() {
    return counters;
  }

  OwnReportAddresses ownAddresses() {
    return ownAddresses;
  }

  /** The store's writer (tests wait on it). */
  DatabaseResultStore store() {
    return store;
  }

  /** Runs one round now, on the reports thread, and waits for it. */
  void runRound() throws Exception {
    thread.submit(this::round).get(2, TimeUnit.MINUTES);
  }

  @Override
  public void close() {
    thread.shutdown();
    try {
      if (!thread.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        // a delivery cut short keeps its claim until it expires, then the same report is sent again
        thread.shutdownNow();
      }
    } catch (InterruptedException e) {
      thread.shutdownNow();
      Thread.currentThread().interrupt();
    }
    store.close();
    LOG.info("reports: {}", counters);
  }

  /** One round of the reports thread; never throws (a failure is logged and the next round tries again). */
  private void round() {
    try {
      Optional<ResultsDatabase> database = store.database();
      if (database.isEmpty()) {
        // the writer is still opening it (and says why when it cannot)
        return;
      }
      PostsealConfig current = config.get();
      ReportsConfig reports = current.reports();
      ReportCycle cycle = new ReportCycle(database.get(), counters, settings(current), dns.get(), clock, instance);
      Instant now = clock.instant();
      if (!now.isBefore(lastMaintenance.plus(MAINTENANCE_INTERVAL))) {
        lastMaintenance = now;
        ReportOutbox.Purged purged = cycle.purge(reports.keep());
        if (purged.messages() + purged.reports() > 0) {
          LOG.info("reports: purged {} evaluated messages and {} reports older than {}", purged.messages(),
              purged.reports(), reports.keep());
        }
        int received;
        try (java.sql.Connection c = database.get().connect()) {
          received = ReceivedReports.purge(c, now.minus(reports.keep()));
        }
        if (received > 0) {
          LOG.info("reports: purged {} received reports whose period ended over {} ago", received, reports.keep());
        }
        List<String> domains = current.signing().domains();
        LOG.debug("reports: mail to {} is not recorded (our rua addresses)",
            cycle.refreshOwnAddresses(domains, reports.from(), ownAddresses));
      }
      if (!reports.isSending()) {
        return;
      }
      for (ReportOutbox.ClosedPeriod period : cycle.close(ReportCycle.finishedUntil(now))) {
        LOG.info("reports: closed {}: {} messages, {} reports", period.period(), period.messageCount(),
            period.reports().size());
      }
      cycle.send();
    } catch (SQLException | RuntimeException e) {
      LOG.warn("reports: this round failed, the next one tries again: {}", e.toString());
    }
  }

  /** [reports] as the outbox reads it; the identity needs reports.from (only called when it is set). */
  private ReportSettings settings(PostsealConfig current) {
    ReportsConfig reports = current.reports();
    ReporterIdentity reporter = reports.from().isEmpty()
        ? ReporterIdentity.of(reports.orgName(), "postmaster@" + current.authservId(), generator)
        : ReporterIdentity.of(reports.orgName(), reports.from(), generator);
    return ReportSettings.of(reporter, reports.smtp().host(), reports.smtp().port(), reports.suppress());
  }

  /** "host:pid": who closed a period or holds a claim, for people reading the tables. */
  static String instanceName() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "localhost";
    }
    return host + ":" + ProcessHandle.current().pid();
  }

  @Override
  public String toString() {
    return "reports " + store.database().map(Object::toString).orElse("(database not open)") + ": " + counters;
  }
}
