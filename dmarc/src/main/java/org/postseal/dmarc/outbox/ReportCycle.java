package org.postseal.dmarc.outbox;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.postseal.dmarc.DmarcRecordParser;
import org.postseal.dmarc.report.MailtoAddress;
import org.postseal.dmarc.report.ReportPeriod;
import org.postseal.dmarc.store.Delivery;
import org.postseal.dmarc.store.OwnReportAddresses;
import org.postseal.dmarc.store.ReportOutbox;
import org.postseal.dmarc.store.ReportingCounters;
import org.postseal.dmarc.store.ResultsDatabase;
import org.postseal.dns.DnsAnswer;
import org.postseal.dns.DnsSource;
import org.postseal.dns.RecordType;

/**
 * Aggregate reporting as {@code serve} and {@code postseal report} run it: close finished periods into the outbox,
 * send what is due, purge what is older than reports.keep, and keep {@link OwnReportAddresses} current. Each
 * method runs on the caller's thread and may wait for the database, DNS and SMTP: {@code serve} calls them from
 * its own reports thread, never a milter thread.
 */
public final class ReportCycle {

  /**
   * How long after UTC midnight {@code serve} closes the day: messages still in the writer's queue or in flight at
   * midnight reach the database first (a message counted after its period closed is never reported).
   */
  public static final Duration CLOSE_DELAY = Duration.ofMinutes(10);

  /** What one {@link #send} round did. */
  public record SendResult(int sent, int deferred, int failed, int refused) {
  }

  private final ReportOutbox outbox;
  private final PeriodReports plan;
  private final ReportSender sender;
  private final DnsSource dns;
  private final Clock clock;

  /**
   * @param instance names this process in the outbox ("host:pid")
   */
  public ReportCycle(ResultsDatabase database, ReportingCounters counters, ReportSettings settings, DnsSource dns,
                     Clock clock, String instance) {
    this.dns = Objects.requireNonNull(dns, "dns");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.outbox = new ReportOutbox(database, counters, clock, instance);
    this.plan = new PeriodReports(settings.reporter(), settings.maxAttachmentBytes(), clock);
    this.sender = new ReportSender(outbox, new DestinationVerification(dns),
        new SmtpTransport(settings.smtpHost(), settings.smtpPort(), settings.reporter().receiver()),
        new Suppression(settings.suppress()), settings.retry(), clock);
  }

  /** The last UTC midnight at least {@link #CLOSE_DELAY} ago: what {@code serve} closes up to. */
  public static Instant finishedUntil(Instant now) {
    return ReportPeriod.startOfUtcDay(now.minus(CLOSE_DELAY));
  }

  /** Closes every period up to {@code until} and keeps their reports in the outbox. */
  public List<ReportOutbox.ClosedPeriod> close(Instant until) throws SQLException {
    return outbox.close(until, plan);
  }

  /** The reports {@link #close} would build, without keeping them (the dry run). */
  public List<ReportOutbox.ClosedPeriod> preview(Instant until) throws SQLException {
    return outbox.preview(until, plan);
  }

  /** Sends every delivery that is due, round after round until none is left for now. */
  public SendResult send() throws SQLException {
    int sent = 0;
    int deferred = 0;
    int failed = 0;
    int refused = 0;
    while (true) {
      ReportSender.Round round = sender.sendDue();
      sent += round.sent();
      deferred += round.deferred();
      failed += round.failed();
      refused += round.refused();
      if (round.total() < ReportSender.BATCH) {
        return new SendResult(sent, deferred, failed, refused);
      }
    }
  }

  /** The deliveries of reports built since {@code since}. */
  public List<Delivery> status(Instant since) throws SQLException {
    return outbox.status(since);
  }

  /** Deletes evaluated messages, sent reports and closed periods older than {@code keep}. */
  public ReportOutbox.Purged purge(Duration keep) throws SQLException {
    return outbox.purge(clock.instant().minus(keep));
  }

  /**
   * Looks up the rua= of each of {@code domains}' DMARC records and puts those addresses and {@code from} into
   * {@code target}. A lookup that fails keeps the addresses known before (the set never shrinks on a DNS error).
   *
   * @return the addresses now in {@code target}
   */
  public Set<String> refreshOwnAddresses(Collection<String> domains, String from, OwnReportAddresses target) {
    Set<String> found = new LinkedHashSet<>();
    if (!from.isEmpty()) {
      found.add(from);
    }
    boolean complete = true;
    List<CompletableFuture<DnsAnswer>> lookups = new ArrayList<>();
    for (String domain : domains) {
      lookups.add(dns.lookup("_dmarc." + domain, RecordType.TXT));
    }
    for (CompletableFuture<DnsAnswer> lookup : lookups) {
      DnsAnswer answer;
      try {
        answer = lookup.get(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return target.addresses();
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        complete = false;
        continue;
      }
      if (answer instanceof DnsAnswer.Found records) {
        for (String text : records.records()) {
          if (DmarcRecordParser.parse(text) instanceof DmarcRecordParser.Valid valid) {
            for (String uri : valid.record().aggregateReportUris()) {
              MailtoAddress.of(uri).ifPresent(found::add);
            }
          }
        }
      } else if (answer instanceof DnsAnswer.Failed) {
        complete = false;
      }
    }
    if (!complete) {
      found.addAll(target.addresses());
    }
    target.replace(found);
    return target.addresses();
  }
}
