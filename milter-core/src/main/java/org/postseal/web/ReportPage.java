package org.postseal.web;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import org.postseal.dmarc.received.ReceivedReportSummary;
import org.postseal.dmarc.received.ReceivedReportSummary.DayRow;
import org.postseal.dmarc.received.ReceivedReportSummary.DomainSummary;
import org.postseal.dmarc.received.ReceivedReportSummary.ReporterRow;
import org.postseal.dmarc.received.ReceivedReportSummary.SourceRow;
import org.postseal.dmarc.report.ReportPeriod;
import org.postseal.dmarc.store.Delivery;
import org.postseal.dmarc.store.RecordedMessages;
import org.postseal.dmarc.store.RecordedMessages.DomainDecisions;
import org.postseal.dmarc.store.ReportOutbox;
import org.postseal.dmarc.store.ReportingCounters;
import org.postseal.dmarc.store.ResultsDatabase;
import org.postseal.dns.DnsSource;
import org.postseal.doctor.Finding;
import org.postseal.doctor.ReportedTraffic;

/**
 * Everything the report page shows, as values: per domain of ours what receivers reported
 * ({@link ReceivedReportSummary}) and the doctor's next policy step ({@link ReportedTraffic#policyStep}); then what
 * we decided about other domains' mail ({@link RecordedMessages#decisions}) and the aggregate reports we built for
 * them ({@link ReportOutbox#status}). Built by {@link #load}, rendered by {@link ReportPageHtml}; the served page,
 * {@code postseal report html} and the tests share both.
 *
 * @param generatedAt     when it was built
 * @param days            the window: the last this many days
 * @param since           the window's start ({@code generatedAt} minus {@code days})
 * @param onlyDomain      the one policy domain asked for, when one was
 * @param receivedReports how many received reports the window holds
 * @param domains         our domains by name: the signing domains and every policy domain of the received reports
 * @param decisions       what we did with other domains' mail, busiest policy domain first
 * @param sentReports     the reports we built in the window, newest period first
 */
public record ReportPage(Instant generatedAt, int days, Instant since, Optional<String> onlyDomain,
                         int receivedReports, List<DomainView> domains, List<DomainDecisions> decisions,
                         List<SentReport> sentReports) {

  /** The window when none is asked for. */
  public static final int DEFAULT_DAYS = 30;
  /** The longest window: a year and a day, as far back as one leap year reaches. */
  public static final int MAX_DAYS = 366;

  public ReportPage {
    Objects.requireNonNull(generatedAt, "generatedAt");
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(onlyDomain, "onlyDomain");
    domains = List.copyOf(domains);
    decisions = List.copyOf(decisions);
    sentReports = List.copyOf(sentReports);
  }

  /**
   * One domain of ours: the reporters' totals (empty when no report about it arrived in the window), its days
   * (oldest first), its sources (failing first), its reporters, and the next policy step as {@code postseal doctor}
   * says it (empty when the reports name no policy the doctor knows a step from).
   */
  public record DomainView(String domain, Optional<DomainSummary> summary, List<DayRow> days, List<SourceRow> sources,
                           List<ReporterRow> reporters, Optional<Finding> nextStep) {
    public DomainView {
      Objects.requireNonNull(domain, "domain");
      Objects.requireNonNull(summary, "summary");
      Objects.requireNonNull(nextStep, "nextStep");
      days = List.copyOf(days);
      sources = List.copyOf(sources);
      reporters = List.copyOf(reporters);
    }
  }

  /**
   * One aggregate report we built, with each destination's delivery. {@code state} is the deliveries' state when
   * they share one ("sent", "pending", "failed", "refused"), else "mixed".
   */
  public record SentReport(String reportId, String policyDomain, ReportPeriod period, long messages, String state,
                           List<Delivery> deliveries) {
    public SentReport {
      Objects.requireNonNull(reportId, "reportId");
      Objects.requireNonNull(policyDomain, "policyDomain");
      Objects.requireNonNull(period, "period");
      Objects.requireNonNull(state, "state");
      deliveries = List.copyOf(deliveries);
    }
  }

  /**
   * Reads the page of the last {@code days} from {@code database}: reverse DNS names of the busiest sources through
   * {@code dns}, all at once, within {@code dnsDeadline} ({@link ReceivedReportSummary#load}). Blocks on the database
   * and DNS: never call it on a milter thread.
   *
   * @param ourDomains the signing domains (each gets a section, reports or not)
   * @param onlyDomain one policy domain only, when given
   */
  public static ReportPage load(ResultsDatabase database, List<String> ourDomains, Optional<String> onlyDomain,
                                int days, DnsSource dns, Duration dnsDeadline, Clock clock) throws SQLException {
    if (days < 1 || days > MAX_DAYS) {
      throw new IllegalArgumentException("days must be 1.." + MAX_DAYS + ", was " + days);
    }
    Instant now = clock.instant();
    Instant since = now.minus(Duration.ofDays(days));
    ReceivedReportSummary.Summary summary = ReceivedReportSummary.load(database, since, onlyDomain, dns, dnsDeadline);
    List<DomainDecisions> decisions;
    try (Connection c = database.connect()) {
      decisions = RecordedMessages.decisions(c, since, onlyDomain);
    }
    List<Delivery> deliveries = new ReportOutbox(database, new ReportingCounters(), clock, "postseal-report-page")
        .status(since);
    return of(now, days, onlyDomain, ourDomains, summary, decisions, deliveries);
  }

  /** The page of these values (what {@link #load} read); pure. */
  public static ReportPage of(Instant now, int days, Optional<String> onlyDomain, List<String> ourDomains,
                              ReceivedReportSummary.Summary summary, List<DomainDecisions> decisions,
                              List<Delivery> deliveries) {
    Duration window = Duration.ofDays(days);
    TreeSet<String> names = new TreeSet<>();
    if (onlyDomain.isPresent()) {
      names.add(onlyDomain.get());
    } else {
      names.addAll(ourDomains);
      summary.domains().forEach(d -> names.add(d.domain()));
    }
    List<DomainView> domains = new ArrayList<>();
    for (String name : names) {
      Optional<DomainSummary> totals = summary.domains().stream().filter(d -> d.domain().equals(name)).findFirst();
      Optional<Finding> step = totals.isPresent() ? ReportedTraffic.policyStep(totals.get())
          : Optional.of(ReportedTraffic.noReports(name, window));
      domains.add(new DomainView(name, totals,
          summary.days().stream().filter(d -> d.domain().equals(name)).toList(),
          summary.sources().stream().filter(s -> s.domain().equals(name)).toList(),
          summary.reporters().stream().filter(r -> r.domain().equals(name)).toList(), step));
    }
    Map<String, List<Delivery>> byReport = new LinkedHashMap<>();
    for (Delivery d : deliveries) {
      if (onlyDomain.isEmpty() || onlyDomain.get().equals(d.report().policyDomain())) {
        byReport.computeIfAbsent(d.report().reportId(), k -> new ArrayList<>()).add(d);
      }
    }
    List<SentReport> sent = new ArrayList<>();
    byReport.forEach((id, list) -> {
      List<String> states = list.stream().map(d -> d.state().keyword()).distinct().toList();
      Delivery first = list.get(0);
      sent.add(new SentReport(id, first.report().policyDomain(), first.report().period(),
          first.report().messageCount(), states.size() == 1 ? states.get(0) : "mixed", list));
    });
    return new ReportPage(now, days, now.minus(window), onlyDomain, summary.reports(), domains, decisions, sent);
  }
}
