package org.postseal.dmarc.outbox;

import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.postseal.dmarc.report.BuiltReport;
import org.postseal.dmarc.report.MailtoAddress;
import org.postseal.dmarc.report.RecordedMessage;
import org.postseal.dmarc.report.ReportBuilder;
import org.postseal.dmarc.report.ReportPeriod;
import org.postseal.dmarc.report.ReporterIdentity;
import org.postseal.dmarc.store.OutboxReport;
import org.postseal.dmarc.store.ReportOutbox;

/**
 * A period's reports as the outbox keeps them: {@link ReportBuilder}'s reports with their mailto: destinations
 * (other schemes are not supported and ignored, as RFC 9989 section 4.7 asks; a report with none is not kept)
 * and the text of their mail.
 */
final class PeriodReports implements ReportOutbox.PeriodPlan {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT)
      .withZone(ZoneOffset.UTC);

  private final ReporterIdentity reporter;
  private final ReportBuilder builder;
  private final Clock clock;

  PeriodReports(ReporterIdentity reporter, int maxAttachmentBytes, Clock clock) {
    this.reporter = Objects.requireNonNull(reporter, "reporter");
    this.builder = new ReportBuilder(reporter, maxAttachmentBytes);
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public List<OutboxReport> reportsFor(ReportPeriod period, List<RecordedMessage> messages) {
    List<OutboxReport> out = new ArrayList<>();
    for (BuiltReport built : builder.build(period, messages)) {
      Set<String> destinations = new LinkedHashSet<>();
      for (String uri : built.destinations()) {
        MailtoAddress.of(uri).ifPresent(destinations::add);
      }
      if (destinations.isEmpty()) {
        continue;
      }
      long messageCount = built.report().messageCount();
      long sources = built.report().records().stream().map(r -> r.sourceIp()).distinct().count();
      String summary = "This is a DMARC aggregate report (RFC 9990) from " + reporter.receiver() + " for "
          + built.policyDomain() + ", " + TIME.format(period.begin()) + " to " + TIME.format(period.end()) + " UTC: "
          + messageCount + " message" + (messageCount == 1 ? "" : "s") + " from " + sources + " source"
          + (sources == 1 ? "" : "s") + ". The report is the attached file " + built.fileName() + ".";
      out.add(new OutboxReport(built.reportId(), built.policyDomain(), built.organizationalDomain(), period,
          built.fileName(), reporter.email(), reporter.receiver(), clock.instant(), built.report().records().size(),
          messageCount, summary, built.attachment(), List.copyOf(destinations)));
    }
    return out;
  }
}
