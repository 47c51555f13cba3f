package org.postseal.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.postseal.dmarc.outbox.ReportCycle;
import org.postseal.dmarc.store.Delivery;
import org.postseal.dmarc.store.DeliveryState;
import org.postseal.dmarc.store.OutboxReport;
import org.postseal.dmarc.store.RecordedMessages;
import org.postseal.dmarc.store.ReportOutbox;

/** What {@code postseal report send|show|status} print: tables for people, {@code --json} objects for scripts. */
final class ReportOutput {

  private static final String NONE = "-";

  private ReportOutput() {
  }

  /** report send --dry-run: one line per report file written, then where they are. */
  static String dryRun(List<ReportOutbox.ClosedPeriod> periods, Path out, Instant until, String stoodInSender) {
    StringBuilder text = new StringBuilder();
    int reports = 0;
    List<String[]> cells = new ArrayList<>();
    cells.add(new String[] {"PERIOD (UTC)", "POLICY DOMAIN", "MESSAGES", "RECORDS", "DESTINATIONS", "FILE"});
    for (ReportOutbox.ClosedPeriod period : periods) {
      for (OutboxReport r : period.reports()) {
        reports++;
        cells.add(new String[] {period(r), r.policyDomain(), Long.toString(r.messageCount()),
            Integer.toString(r.recordCount()), String.join(",", r.destinations()), r.fileName()});
      }
    }
    text.append("dry run: ").append(reports).append(" report").append(reports == 1 ? "" : "s").append(" until ")
        .append(until).append(", written to ").append(out).append(" (nothing recorded, nothing sent)\n");
    if (reports > 0) {
      text.append(TextTable.render(cells));
    }
    if (!stoodInSender.isEmpty()) {
      text.append("reports.from is empty: these name ").append(stoodInSender)
          .append(" as their sender; set reports.from to send them\n");
    }
    return text.toString();
  }

  /** report send: the periods closed, then what was sent. */
  static String sent(List<ReportOutbox.ClosedPeriod> closed, ReportCycle.SendResult sent, Instant until) {
    StringBuilder text = new StringBuilder();
    if (closed.isEmpty()) {
      text.append("no period to close until ").append(until).append('\n');
    }
    for (ReportOutbox.ClosedPeriod period : closed) {
      text.append("closed ").append(period.period()).append(": ").append(period.messageCount()).append(" messages, ")
          .append(period.reports().size()).append(" report").append(period.reports().size() == 1 ? "" : "s")
          .append('\n');
    }
    text.append("deliveries: ").append(sent.sent()).append(" sent, ").append(sent.deferred()).append(" deferred, ")
        .append(sent.failed()).append(" failed, ").append(sent.refused()).append(" refused (details: postseal report"
            + " status)\n");
    return text.toString();
  }

  /** report show: one line per policy domain, From domain, source IP and result; failures first. */
  static String showTable(List<RecordedMessages.SummaryRow> rows, Instant since) {
    if (rows.isEmpty()) {
      return "No evaluated messages since " + since + ".\n";
    }
    List<String[]> cells = new ArrayList<>();
    cells.add(new String[] {"POLICY DOMAIN", "FROM", "SOURCE IP", "MESSAGES", "DMARC", "DKIM", "SPF", "DISPOSITION",
        "LAST SEEN (UTC)"});
    for (RecordedMessages.SummaryRow r : rows) {
      cells.add(new String[] {r.policyDomain().isEmpty() ? "(no record)" : r.policyDomain(),
          r.headerFrom().isEmpty() ? NONE : r.headerFrom(), r.sourceIp().isEmpty() ? NONE : r.sourceIp(),
          Long.toString(r.count()), r.dmarc().keyword(), r.isDkimAligned() ? "aligned" : NONE,
          r.isSpfAligned() ? "aligned" : NONE, r.disposition().keyword(), minute(r.lastSeen())});
    }
    long total = rows.stream().mapToLong(RecordedMessages.SummaryRow::count).sum();
    return "Since " + since + ": " + total + " evaluated message" + (total == 1 ? "" : "s") + "\n" + TextTable.render(cells);
  }

  /** {@code {"since": ..., "domain": ..., "rows": [{"policy_domain", "header_from", "source_ip", ...}]}}. */
  static String showJson(List<RecordedMessages.SummaryRow> rows, Instant since, String domain) {
    List<Object> out = new ArrayList<>();
    for (RecordedMessages.SummaryRow r : rows) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("policy_domain", r.policyDomain().isEmpty() ? null : r.policyDomain());
      row.put("header_from", r.headerFrom());
      row.put("source_ip", r.sourceIp());
      row.put("count", r.count());
      row.put("dmarc", r.dmarc().keyword());
      row.put("dkim_aligned", r.isDkimAligned());
      row.put("spf_aligned", r.isSpfAligned());
      row.put("disposition", r.disposition().keyword());
      row.put("last_seen", r.lastSeen().toString());
      out.add(row);
    }
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("since", since.toString());
    root.put("domain", domain);
    root.put("rows", out);
    return JsonOutput.write(root);
  }

  /** report status: one line per report and destination, newest period first, then the counts. */
  static String statusTable(List<Delivery> deliveries, Optional<Instant> closedUntil, Instant now) {
    StringBuilder text = new StringBuilder();
    text.append("Periods closed until ").append(closedUntil.map(Instant::toString).orElse("(none yet)")).append('\n');
    if (deliveries.isEmpty()) {
      return text.append("The outbox is empty.\n").toString();
    }
    List<String[]> cells = new ArrayList<>();
    cells.add(new String[] {"PERIOD (UTC)", "POLICY DOMAIN", "REPORT ID", "DESTINATION", "STATE", "ATTEMPTS", "DETAIL"});
    Map<DeliveryState, Integer> counts = new LinkedHashMap<>();
    for (DeliveryState s : DeliveryState.values()) {
      counts.put(s, 0);
    }
    for (Delivery d : deliveries) {
      counts.merge(d.state(), 1, Integer::sum);
      String detail = switch (d.state()) {
        case PENDING -> (d.nextAttemptAt().isAfter(now) ? "next attempt " + minute(d.nextAttemptAt()) : "due now")
            + (d.lastReply().isEmpty() ? "" : "; last: " + d.lastReply());
        case SENT -> minute(d.doneAt().orElse(d.nextAttemptAt())) + " " + d.lastReply();
        case FAILED, REFUSED -> d.lastReply();
      };
      cells.add(new String[] {period(d.report()), d.report().policyDomain(), d.report().reportId(), d.destination(),
          d.state().keyword(), Integer.toString(d.attempts()), detail});
    }
    text.append(TextTable.render(cells));
    List<String> summary = new ArrayList<>();
    counts.forEach((state, n) -> summary.add(n + " " + state.keyword()));
    return text.append(String.join(", ", summary)).append('\n').toString();
  }

  /** {@code {"closed_until": ..., "deliveries": [{"report_id", "policy_domain", "period_begin", ...}]}}. */
  static String statusJson(List<Delivery> deliveries, Optional<Instant> closedUntil) {
    List<Object> out = new ArrayList<>();
    for (Delivery d : deliveries) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("report_id", d.report().reportId());
      row.put("policy_domain", d.report().policyDomain());
      row.put("period_begin", d.report().period().begin().toString());
      row.put("period_end", d.report().period().end().toString());
      row.put("file_name", d.report().fileName());
      row.put("messages", d.report().messageCount());
      row.put("destination", d.destination());
      row.put("state", d.state().keyword());
      row.put("attempts", d.attempts());
      row.put("next_attempt_at", d.state() == DeliveryState.PENDING ? d.nextAttemptAt().toString() : null);
      row.put("done_at", d.doneAt().map(Instant::toString).orElse(null));
      row.put("last_reply", d.lastReply().isEmpty() ? null : d.lastReply());
      out.add(row);
    }
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("closed_until", closedUntil.map(Instant::toString).orElse(null));
    root.put("deliveries", out);
    return JsonOutput.write(root);
  }

  /** "2026-11-28" for a whole UTC day, else "2026-11-28 00:00..14:03". */
  private static String period(OutboxReport r) {
    Instant begin = r.period().begin();
    Instant end = r.period().end();
    String day = begin.toString().substring(0, 10);
    if (Duration.between(begin, end).equals(Duration.ofDays(1))) {
      return day;
    }
    return day + " " + begin.toString().substring(11, 16) + ".." + (end.toString().startsWith(day)
        ? end.toString().substring(11, 16) : "24:00");
  }

  private static String minute(Instant instant) {
    return instant.toString().substring(0, 16).replace('T', ' ');
  }
}
