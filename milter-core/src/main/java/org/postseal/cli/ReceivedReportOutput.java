package org.postseal.cli;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.postseal.dmarc.received.ReceivedReport;
import org.postseal.dmarc.received.ReceivedReportSummary;
import org.postseal.dmarc.received.ReceivedReportSummary.DayRow;
import org.postseal.dmarc.received.ReceivedReportSummary.DomainSummary;
import org.postseal.dmarc.received.ReceivedReportSummary.ReporterRow;
import org.postseal.dmarc.received.ReceivedReportSummary.SourceRow;
import org.postseal.dmarc.received.ReceivedReportSummary.Summary;
import org.postseal.dmarc.received.ReportImporter;

/**
 * What {@code postseal report import} and {@code report show --received} print: the values of
 * {@link ReportImporter} and {@link ReceivedReportSummary} as text for people and {@code --json} for scripts.
 */
final class ReceivedReportOutput {

  /** --by: which table follows the per-domain summary lines. */
  enum View { SOURCE, REPORTER, DAY }

  private static final String NONE = "-";

  private ReceivedReportOutput() {
  }

  /** One line per report of a file, or the refusal: "FILE: imported ...", "FILE: duplicate ...", "FILE: refused: ...". */
  static String imported(String file, ReportImporter.FileOutcome outcome) {
    if (outcome instanceof ReportImporter.FileOutcome.Refused refused) {
      return file + ": refused: " + refused.reason() + "\n";
    }
    StringBuilder text = new StringBuilder();
    for (ReportImporter.ReportOutcome r : ((ReportImporter.FileOutcome.Stored) outcome).reports()) {
      ReceivedReport report = r.report();
      String what = report.orgName() + " report " + report.reportId() + " about " + report.policy().domain() + ", "
          + period(report.begin(), report.end()) + " (" + report.rows().size() + " record"
          + (report.rows().size() == 1 ? "" : "s") + ", " + report.messageCount() + " message"
          + (report.messageCount() == 1 ? "" : "s") + ", " + report.format() + ")";
      if (r.isDuplicate()) {
        text.append(file).append(": duplicate, not counted again: ").append(what).append("; imported before from ")
            .append(r.duplicateOf().get().from()).append(" at ").append(r.duplicateOf().get().at()).append('\n');
      } else {
        text.append(file).append(": imported ").append(what).append('\n');
      }
    }
    return text.toString();
  }

  /** The summary lines per domain, then the table of {@code view}. */
  static String table(Summary summary, View view) {
    StringBuilder text = new StringBuilder();
    text.append("Reports received since ").append(summary.since()).append(summary.domain().map(d -> " about " + d)
        .orElse("")).append(": ").append(summary.reports()).append(" report").append(summary.reports() == 1 ? "" : "s")
        .append('\n');
    if (summary.reports() == 0) {
      return text.append("(none: receivers' reports arrive at the rua address of your DMARC record; import them with"
          + " postseal report import)\n").toString();
    }
    for (DomainSummary d : summary.domains()) {
      text.append(domainLine(d)).append('\n');
    }
    List<String[]> cells = new ArrayList<>();
    switch (view) {
      case SOURCE -> {
        cells.add(new String[] {"DOMAIN", "SOURCE IP", "REVERSE DNS", "MESSAGES", "DMARC PASS", "SPF PASS", "DKIM PASS",
            "OURS", "REPORTERS"});
        for (SourceRow s : summary.sources()) {
          cells.add(new String[] {s.domain(), s.sourceIp(), s.reverseName().orElse(NONE), Long.toString(s.messages()),
              percent(s.dmarcPass(), s.messages()), percent(s.spfPass(), s.messages()),
              percent(s.dkimPass(), s.messages()), s.isOurs() ? "yes" : "no", String.join(",", s.reporters())});
        }
      }
      case REPORTER -> {
        cells.add(new String[] {"DOMAIN", "REPORTER", "REPORTS", "MESSAGES", "DMARC PASS", "SOURCES", "PERIOD (UTC)"});
        for (ReporterRow r : summary.reporters()) {
          cells.add(new String[] {r.domain(), r.reporter(), Integer.toString(r.reports()), Long.toString(r.messages()),
              percent(r.dmarcPass(), r.messages()), Integer.toString(r.sources()), period(r.firstBegin(), r.lastEnd())});
        }
      }
      case DAY -> {
        cells.add(new String[] {"DOMAIN", "DAY (UTC)", "MESSAGES", "DMARC PASS", "SOURCES", "FAILING SOURCES",
            "REPORTERS"});
        for (DayRow d : summary.days()) {
          cells.add(new String[] {d.domain(), d.day().toString(), Long.toString(d.messages()),
              percent(d.dmarcPass(), d.messages()), Integer.toString(d.sources()), Integer.toString(d.failingSources()),
              Integer.toString(d.reporters())});
        }
      }
      default -> throw new IllegalStateException(view.toString());
    }
    return text.append(TextTable.render(cells)).toString();
  }

  /** "example.com: 1234 messages, 97.2% pass DMARC; 5 sources, 2 ours (their mail passes 100.0%); p=none; 3 reporters". */
  static String domainLine(DomainSummary d) {
    return d.domain() + ": " + d.messages() + " message" + (d.messages() == 1 ? "" : "s") + ", "
        + percent(d.dmarcPass(), d.messages()) + " pass DMARC; " + d.sources() + " source" + (d.sources() == 1 ? "" : "s")
        + ", " + d.ourSources() + " ours" + (d.ourMessages() > 0 ? " (their mail passes "
        + percent(d.ourDmarcPass(), d.ourMessages()) + ")" : "") + "; p=" + (d.policy().isEmpty() ? NONE : d.policy())
        + "; " + d.reporters() + " reporter" + (d.reporters() == 1 ? "" : "s");
  }

  /** The whole summary, every view, for scripts. */
  static String json(Summary summary) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("since", summary.since().toString());
    root.put("domain", summary.domain().orElse(null));
    root.put("reports", summary.reports());
    List<Object> domains = new ArrayList<>();
    for (DomainSummary d : summary.domains()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("domain", d.domain());
      m.put("messages", d.messages());
      m.put("dmarc_pass", d.dmarcPass());
      m.put("dmarc_pass_share", round(d.dmarcPassShare()));
      m.put("sources", d.sources());
      m.put("our_sources", d.ourSources());
      m.put("our_messages", d.ourMessages());
      m.put("our_dmarc_pass", d.ourDmarcPass());
      m.put("policy", d.policy().isEmpty() ? null : d.policy());
      m.put("next_policy", d.nextPolicy().orElse(null));
      m.put("reporters", d.reporters());
      domains.add(m);
    }
    root.put("domains", domains);
    List<Object> sources = new ArrayList<>();
    for (SourceRow s : summary.sources()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("domain", s.domain());
      m.put("source_ip", s.sourceIp());
      m.put("reverse_dns", s.reverseName().orElse(null));
      m.put("messages", s.messages());
      m.put("dmarc_pass", s.dmarcPass());
      m.put("spf_pass", s.spfPass());
      m.put("dkim_pass", s.dkimPass());
      m.put("ours", s.isOurs());
      m.put("reporters", s.reporters());
      m.put("first_begin", s.firstBegin().toString());
      m.put("last_end", s.lastEnd().toString());
      sources.add(m);
    }
    root.put("sources", sources);
    List<Object> reporters = new ArrayList<>();
    for (ReporterRow r : summary.reporters()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("domain", r.domain());
      m.put("reporter", r.reporter());
      m.put("reports", r.reports());
      m.put("messages", r.messages());
      m.put("dmarc_pass", r.dmarcPass());
      m.put("sources", r.sources());
      m.put("first_begin", r.firstBegin().toString());
      m.put("last_end", r.lastEnd().toString());
      reporters.add(m);
    }
    root.put("reporters", reporters);
    List<Object> days = new ArrayList<>();
    for (DayRow d : summary.days()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("domain", d.domain());
      m.put("day", d.day().toString());
      m.put("messages", d.messages());
      m.put("dmarc_pass", d.dmarcPass());
      m.put("sources", d.sources());
      m.put("failing_sources", d.failingSources());
      m.put("reporters", d.reporters());
      days.add(m);
    }
    root.put("days", days);
    return JsonOutput.write(root);
  }

  /** "97.2%" of {@code part} in {@code whole}; "-" when whole is 0. */
  static String percent(long part, long whole) {
    return whole == 0 ? NONE : String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
  }

  private static double round(double share) {
    return Math.round(share * 10_000) / 10_000.0;
  }

  /** "2026-11-28" for a period within one UTC day, else "2026-11-27 22:00..2026-11-28 21:59". */
  private static String period(Instant begin, Instant end) {
    String b = begin.toString();
    String e = end.toString();
    if (b.substring(0, 10).equals(e.substring(0, 10))) {
      return b.substring(0, 10);
    }
    return b.substring(0, 16).replace('T', ' ') + ".." + e.substring(0, 16).replace('T', ' ');
  }
}
