package org.postseal.web;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.postseal.dmarc.received.ReceivedReportSummary;
import org.postseal.dmarc.received.ReceivedReportSummary.DayRow;
import org.postseal.dmarc.received.ReceivedReportSummary.DomainSummary;
import org.postseal.dmarc.received.ReceivedReportSummary.ReporterRow;
import org.postseal.dmarc.received.ReceivedReportSummary.SourceRow;
import org.postseal.dmarc.store.Delivery;
import org.postseal.dmarc.store.RecordedMessages.DomainDecisions;
import org.postseal.doctor.Finding;
import org.postseal.web.ReportPage.DomainView;
import org.postseal.web.ReportPage.SentReport;

/**
 * The report page as HTML: one file, inline CSS and an inline SVG chart, no script, no reference to anything outside
 * it (it opens offline; {@link #CONTENT_SECURITY_POLICY} is sent as a header and repeated in a meta element). Pure:
 * values in, a string out.
 *
 * <p>Every value from the store is escaped by {@link #escape} on its way into text or a quoted attribute: report
 * data is hostile input (anyone may mail a report to a rua address, with HTML in its org_name or domain). Numbers
 * that tests and the browser check read are marked with data- attributes (the DOM contract: data-metric,
 * data-col, data-day, ...), written without thousands separators.
 */
public final class ReportPageHtml {

  /** The page's policy: nothing loads, nothing runs; only its own style element and attributes apply. */
  public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

  /** Where the page is shown: served pages carry a form to change the window; a written file cannot. */
  public enum Where { SERVED, FILE }

  /** Sources shown per domain; the rest are counted (report show --received lists them all). */
  static final int MAX_SOURCES = 200;
  /** Policy domains shown in "what we did with their mail"; the rest are counted. */
  static final int MAX_DECISIONS = 50;
  /** Reports shown in "what we reported"; the rest are counted. */
  static final int MAX_SENT_REPORTS = 200;

  private static final int CHART_WIDTH = 720;
  private static final int CHART_HEIGHT = 170;
  private static final int CHART_LEFT = 40;
  private static final int CHART_TOP = 8;
  private static final int CHART_BOTTOM = 22;
  private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT)
      .withZone(ZoneOffset.UTC);
  private static final String PASS_COLOUR = "#2e7d32";
  private static final String LOW_COLOUR = "#c62828";

  private static final String STYLE = """
      body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1100px;\
      padding:0 16px 40px;color:#1d1d1f;background:#fff}
      h1{font-size:1.5em;margin:20px 0 4px}h2{font-size:1.25em;margin:0 0 6px}h3{font-size:1em;margin:18px 0 6px}
      section{border-top:2px solid #e3e3e3;padding:18px 0 8px;margin-top:18px}
      .window,.note,.more,figcaption{color:#555;font-size:.92em}
      .totals span[data-metric]{font-weight:600}
      .next-step{padding:8px 12px;border-left:4px solid #1565c0;background:#f1f6fd}
      .next-step.warning{border-color:#ef6c00;background:#fff5eb}.next-step.ok{border-color:#2e7d32;background:#f0f8f0}
      .fix{display:block;color:#333}
      table{border-collapse:collapse;width:100%;font-size:.9em;margin:4px 0}
      th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #eee;vertical-align:top}
      td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
      td.n,td.rate,td[data-col="ip"]{white-space:nowrap}
      td.rate{color:#666;text-align:right;font-size:.9em}
      td[data-col="reverse-name"],td[data-col="reporters"],td[data-col="reporter"],td[data-col="domain"],\
      td[data-col="to-domain"],td[data-col="destinations"],td[data-col="report-id"]{overflow-wrap:anywhere}
      td[data-col="reverse-name"]{min-width:12em}
      tr[data-failing="true"][data-ours="false"]{background:#fdecec}
      tr[data-failing="true"][data-ours="true"]{background:#fff8e6}
      tr[data-ours="true"] td[data-col="ip"]::after{content:" ours";color:#2e7d32;font-size:.8em;font-weight:600}
      tr[data-failing="true"][data-ours="false"] td[data-col="ip"]::after{content:" not ours";color:#c62828;\
      font-size:.8em;font-weight:600}
      .reason{white-space:nowrap;margin-right:8px}
      svg.pass-chart{width:100%;height:auto;max-width:720px;display:block}
      svg text{font-size:11px;fill:#666}
      form{margin:8px 0}input{width:5em}
      code{font-size:.95em}
      """;

  private ReportPageHtml() {
  }

  /** The whole page. */
  public static String render(ReportPage page, Where where) {
    StringBuilder html = new StringBuilder(16_384);
    String title = page.onlyDomain().map(d -> "Who sends as " + d).orElse("Who sends as our domains");
    head(html, title);
    html.append("<header>\n<h1>").append(escape(title))
        .append("</h1>\n<p class=\"window\">The last <span data-window-days>")
        .append(page.days()).append("</span> day").append(page.days() == 1 ? "" : "s").append(" (since ")
        .append(minute(page.since())).append(" UTC): ").append(page.receivedReports()).append(" aggregate report")
        .append(page.receivedReports() == 1 ? "" : "s").append(" received. Made ").append(minute(page.generatedAt()))
        .append(" UTC.</p>\n");
    if (where == Where.SERVED) {
      html.append("<form method=\"get\"><label>Days <input type=\"number\" name=\"days\" min=\"1\" max=\"")
          .append(ReportPage.MAX_DAYS).append("\" value=\"").append(page.days())
          .append("\"></label> <button type=\"submit\">Show</button></form>\n");
    }
    html.append("</header>\n");
    if (page.domains().isEmpty()) {
      html.append("<p class=\"note\">No domain to show: signing.domains is empty and no report was received in the"
          + " window.</p>\n");
    }
    for (DomainView domain : page.domains()) {
      domain(html, domain, page);
    }
    inbound(html, page);
    html.append("<footer><p class=\"note\">The same numbers as <code>postseal report show --received --json</code>"
        + " (receivers' reports), <code>postseal report show</code> (our own results) and <code>postseal report"
        + " status</code> (the reports we sent).</p></footer>\n</body>\n</html>\n");
    return html.toString();
  }

  /** The page shown when the report page could not be made: the cause, escaped. */
  public static String failure(String cause) {
    StringBuilder html = new StringBuilder();
    head(html, "The report page could not be made");
    html.append("<h1>The report page could not be made</h1>\n<p class=\"cause\">").append(escape(cause))
        .append("</p>\n<p class=\"note\">The milter is not affected. The log has this line too (WARN).</p>\n")
        .append("</body>\n</html>\n");
    return html.toString();
  }

  private static void head(StringBuilder html, String title) {
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"").append(escape(CONTENT_SECURITY_POLICY))
        .append("\">\n<meta name=\"referrer\" content=\"no-referrer\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
        .append(escape(title)).append("</title>\n<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n");
  }

  private static void domain(StringBuilder html, DomainView view, ReportPage page) {
    String d = escape(view.domain());
    html.append("<section class=\"domain\" data-domain=\"").append(d).append("\">\n<h2>").append(d).append("</h2>\n");
    if (view.summary().isEmpty()) {
      html.append("<p class=\"totals\"><span data-metric=\"messages\">0</span> messages reported,"
          + " <span data-metric=\"dmarc-pass\">0</span> passed DMARC: no aggregate report about ").append(d)
          .append(" was received in the window.</p>\n");
    } else {
      DomainSummary s = view.summary().get();
      html.append("<p class=\"totals\"><span data-metric=\"messages\">").append(s.messages())
          .append("</span> messages reported by ").append(s.reporters()).append(" receiver")
          .append(s.reporters() == 1 ? "" : "s").append(", <span data-metric=\"dmarc-pass\">").append(s.dmarcPass())
          .append("</span> passed DMARC (<span data-metric=\"pass-share\">").append(share(s.dmarcPass(), s.messages()))
          .append("</span>%); ").append(s.sources()).append(" source").append(s.sources() == 1 ? "" : "s").append(", ")
          .append(s.ourSources()).append(" ours; the latest report says the policy is p=<span data-metric=\"policy\">")
          .append(escape(s.policy().isEmpty() ? "unknown" : s.policy())).append("</span>.</p>\n");
    }
    nextStep(html, view);
    if (view.summary().isPresent()) {
      chart(html, view, page);
      sources(html, view);
      reporters(html, view);
    }
    html.append("</section>\n");
  }

  private static void nextStep(StringBuilder html, DomainView view) {
    html.append("<p class=\"next-step");
    if (view.nextStep().isEmpty()) {
      html.append("\">No next policy step: the reports name no policy (p=) a step is known from.</p>\n");
      return;
    }
    Finding f = view.nextStep().get();
    html.append(' ').append(escape(f.severity().label().toLowerCase(Locale.ROOT))).append("\"><strong>Next step:")
        .append("</strong> ").append(escape(f.message()));
    if (!f.fix().isEmpty()) {
      html.append("<span class=\"fix\">fix: ").append(escape(f.fix())).append("</span>");
    }
    html.append("</p>\n");
  }

  /**
   * One bar per day with reports, its height the share passing DMARC, placed on the window's day axis; red under
   * {@link ReceivedReportSummary#OWN_MAIL_PASS_SHARE}. Each bar's title is its hover text.
   */
  private static void chart(StringBuilder html, DomainView view, ReportPage page) {
    LocalDate first = LocalDate.ofInstant(page.since(), ZoneOffset.UTC);
    LocalDate last = LocalDate.ofInstant(page.generatedAt(), ZoneOffset.UTC);
    long slots = ChronoUnit.DAYS.between(first, last) + 1;
    double plotWidth = CHART_WIDTH - CHART_LEFT - 4;
    double plotHeight = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM;
    double slot = plotWidth / slots;
    double bar = Math.max(1, slot * 0.8);
    html.append("<figure>\n<svg class=\"pass-chart\" viewBox=\"0 0 ")
        .append(CHART_WIDTH).append(' ').append(CHART_HEIGHT).append("\" role=\"img\" aria-label=\"share of ")
        .append(escape(view.domain())).append("'s mail passing DMARC per day\">\n");
    for (int percent = 0; percent <= 100; percent += 50) {
      double y = CHART_TOP + plotHeight * (1 - percent / 100.0);
      html.append("<line x1=\"").append(CHART_LEFT).append("\" x2=\"").append(CHART_WIDTH - 4).append("\" y1=\"")
          .append(number(y)).append("\" y2=\"").append(number(y)).append("\" stroke=\"#ddd\"/>")
          .append("<text x=\"").append(CHART_LEFT - 4).append("\" y=\"").append(number(y + 4))
          .append("\" text-anchor=\"end\">").append(percent).append("%</text>\n");
    }
    html.append("<text x=\"").append(CHART_LEFT).append("\" y=\"").append(CHART_HEIGHT - 6).append("\">")
        .append(first).append("</text><text x=\"").append(CHART_WIDTH - 4).append("\" y=\"").append(CHART_HEIGHT - 6)
        .append("\" text-anchor=\"end\">").append(last).append("</text>\n");
    for (DayRow day : view.days()) {
      long index = ChronoUnit.DAYS.between(first, day.day());
      if (index < 0 || index >= slots) {
        // a report whose period began before the window but ends inside it: the axis starts at the window
        index = Math.max(0, Math.min(slots - 1, index));
      }
      double passShare = day.messages() == 0 ? 1 : (double) day.dmarcPass() / day.messages();
      double height = Math.max(2, plotHeight * passShare);
      double x = CHART_LEFT + index * slot + (slot - bar) / 2;
      double y = CHART_TOP + plotHeight - height;
      html.append("<rect class=\"day\" data-day=\"").append(day.day()).append("\" data-messages=\"")
          .append(day.messages()).append("\" data-pass=\"").append(day.dmarcPass()).append("\" x=\"").append(number(x))
          .append("\" y=\"").append(number(y)).append("\" width=\"").append(number(bar)).append("\" height=\"")
          .append(number(height)).append("\" fill=\"")
          .append(passShare < ReceivedReportSummary.OWN_MAIL_PASS_SHARE ? LOW_COLOUR : PASS_COLOUR).append("\"><title>")
          .append(day.day()).append(": ").append(day.messages()).append(" messages, ").append(day.dmarcPass())
          .append(" passed DMARC (").append(share(day.dmarcPass(), day.messages())).append("%); ").append(day.sources())
          .append(" sources, ").append(day.failingSources()).append(" failing; ").append(day.reporters())
          .append(" reporter").append(day.reporters() == 1 ? "" : "s").append("</title></rect>\n");
    }
    html.append("</svg>\n<figcaption>The share of mail passing DMARC per UTC day (the day each report's period"
        + " begins); red under ").append(share(ReceivedReportSummary.OWN_MAIL_PASS_SHARE))
        .append("%. Hover a bar for its numbers.</figcaption>\n</figure>\n");
  }

  private static void sources(StringBuilder html, DomainView view) {
    List<SourceRow> rows = view.sources();
    html.append("<h3>Sources, failing first</h3>\n<table class=\"sources\">\n<thead><tr><th>IP</th><th>reverse DNS</th>"
        + "<th class=\"n\">messages</th><th class=\"n\">SPF pass</th><th class=\"n\">%</th><th class=\"n\">DKIM pass"
        + "</th><th class=\"n\">%</th><th class=\"n\">DMARC pass</th><th class=\"n\">%</th><th>first seen</th><th>last seen</th><th>reporters</th></tr></thead>"
        + "\n<tbody>\n");
    for (SourceRow s : rows.subList(0, Math.min(MAX_SOURCES, rows.size()))) {
      html.append("<tr class=\"source\" data-ip=\"").append(escape(s.sourceIp())).append("\" data-ours=\"")
          .append(s.isOurs()).append("\" data-failing=\"").append(s.dmarcFail() > 0).append("\">")
          .append("<td data-col=\"ip\">").append(escape(s.sourceIp())).append("</td>")
          .append("<td data-col=\"reverse-name\">").append(escape(s.reverseName().orElse(""))).append("</td>")
          .append("<td class=\"n\" data-col=\"messages\">").append(s.messages()).append("</td>");
      countAndRate(html, "spf-pass", s.spfPass(), s.messages());
      countAndRate(html, "dkim-pass", s.dkimPass(), s.messages());
      countAndRate(html, "dmarc-pass", s.dmarcPass(), s.messages());
      html.append("<td data-col=\"first-seen\">").append(day(s.firstBegin())).append("</td>")
          .append("<td data-col=\"last-seen\">").append(day(s.lastEnd())).append("</td>")
          .append("<td data-col=\"reporters\">").append(escape(String.join(", ", s.reporters())))
          .append("</td></tr>\n");
    }
    html.append("</tbody>\n</table>\n");
    more(html, rows.size() - MAX_SOURCES, "source", "postseal report show --received --domain " + view.domain());
  }

  private static void countAndRate(StringBuilder html, String column, long count, long of) {
    html.append("<td class=\"n\" data-col=\"").append(column).append("\">").append(count)
        .append("</td><td class=\"rate\">").append(share(count, of)).append("%</td>");
  }

  private static void reporters(StringBuilder html, DomainView view) {
    html.append("<h3>Reporters</h3>\n<table class=\"reporters\">\n<thead><tr><th>reporter</th><th class=\"n\">reports"
        + "</th><th class=\"n\">messages</th><th class=\"n\">DMARC pass</th><th class=\"n\">sources</th><th>from</th>"
        + "<th>to</th></tr></thead>\n<tbody>\n");
    for (ReporterRow r : view.reporters()) {
      html.append("<tr class=\"reporter\" data-reporter=\"").append(escape(r.reporter())).append("\">")
          .append("<td data-col=\"reporter\">").append(escape(r.reporter())).append("</td>")
          .append("<td class=\"n\" data-col=\"reports\">").append(r.reports()).append("</td>")
          .append("<td class=\"n\" data-col=\"messages\">").append(r.messages()).append("</td>")
          .append("<td class=\"n\" data-col=\"dmarc-pass\">").append(r.dmarcPass()).append("</td>")
          .append("<td class=\"n\" data-col=\"sources\">").append(r.sources()).append("</td>")
          .append("<td data-col=\"first-begin\">").append(minute(r.firstBegin())).append("</td>")
          .append("<td data-col=\"last-end\">").append(minute(r.lastEnd())).append("</td></tr>\n");
    }
    html.append("</tbody>\n</table>\n");
  }

  private static void inbound(StringBuilder html, ReportPage page) {
    html.append("<section class=\"inbound\">\n<h2>Other domains' mail we received</h2>\n")
        .append("<h3>What we did with it</h3>\n<table class=\"our-decisions\">\n<thead><tr><th>policy domain</th>"
            + "<th class=\"n\">messages</th><th class=\"n\">DMARC pass</th><th class=\"n\">rejected</th>"
            + "<th class=\"n\">quarantined</th><th class=\"n\">overridden</th><th>override reasons</th></tr></thead>\n"
            + "<tbody>\n");
    List<DomainDecisions> decisions = page.decisions();
    for (DomainDecisions d : decisions.subList(0, Math.min(MAX_DECISIONS, decisions.size()))) {
      String name = escape(d.policyDomain());
      html.append("<tr class=\"policy-domain\" data-domain=\"").append(name).append("\"><td data-col=\"domain\">")
          .append(name).append("</td><td class=\"n\" data-col=\"messages\">").append(d.messages())
          .append("</td><td class=\"n\" data-col=\"dmarc-pass\">").append(d.dmarcPass())
          .append("</td><td class=\"n\" data-col=\"rejected\">").append(d.rejected())
          .append("</td><td class=\"n\" data-col=\"quarantined\">").append(d.quarantined())
          .append("</td><td class=\"n\" data-col=\"overridden\">").append(d.overridden())
          .append("</td><td data-col=\"reasons\">");
      for (Map.Entry<String, Long> reason : d.reasons().entrySet()) {
        String type = escape(reason.getKey());
        html.append("<span class=\"reason\">").append(type).append(" <span data-override-reason=\"").append(type)
            .append("\">").append(reason.getValue()).append("</span></span>");
      }
      html.append("</td></tr>\n");
    }
    html.append("</tbody>\n</table>\n");
    if (decisions.isEmpty()) {
      html.append("<p class=\"note\">No mail from other domains was evaluated in the window.</p>\n");
    }
    more(html, decisions.size() - MAX_DECISIONS, "policy domain", "postseal report show");
    html.append("<h3>What we reported to them</h3>\n<table class=\"we-reported\">\n<thead><tr><th>period (UTC)</th>"
        + "<th>to domain</th><th class=\"n\">messages</th><th>state</th><th>destinations</th><th>report id</th></tr>"
        + "</thead>\n<tbody>\n");
    List<SentReport> sent = page.sentReports();
    for (SentReport r : sent.subList(0, Math.min(MAX_SENT_REPORTS, sent.size()))) {
      html.append("<tr class=\"sent-report\" data-to-domain=\"").append(escape(r.policyDomain()))
          .append("\" data-state=\"").append(escape(r.state())).append("\" data-messages=\"").append(r.messages())
          .append("\"><td data-col=\"period\">").append(minute(r.period().begin())).append(" .. ")
          .append(minute(r.period().end())).append("</td><td data-col=\"to-domain\">").append(escape(r.policyDomain()))
          .append("</td><td class=\"n\" data-col=\"messages\">").append(r.messages())
          .append("</td><td data-col=\"state\">")
          .append(escape(r.state())).append("</td><td data-col=\"destinations\">");
      for (int i = 0; i < r.deliveries().size(); i++) {
        Delivery d = r.deliveries().get(i);
        html.append(i == 0 ? "" : "<br>").append(escape(d.destination())).append(": ")
            .append(escape(d.state().keyword()))
            .append(d.lastReply().isEmpty() ? "" : " (" + escape(d.lastReply()) + ")");
      }
      html.append("</td><td data-col=\"report-id\">").append(escape(r.reportId())).append("</td></tr>\n");
    }
    html.append("</tbody>\n</table>\n");
    if (sent.isEmpty()) {
      html.append("<p class=\"note\">No aggregate report was built in the window ([reports] enabled sends them"
          + " daily).</p>\n");
    }
    more(html, sent.size() - MAX_SENT_REPORTS, "report", "postseal report status");
    html.append("</section>\n");
  }

  private static void more(StringBuilder html, int more, String what, String command) {
    if (more > 0) {
      html.append("<p class=\"more\">and ").append(more).append(" more ").append(what).append(more == 1 ? "" : "s")
          .append(" (").append(escape(command)).append(" lists them all)</p>\n");
    }
  }

  /**
   * {@code text} safe inside an element and inside a double- or single-quoted attribute: &amp; &lt; &gt; &quot;
   * &#39; escaped, and control characters (which HTML forbids, and which some browsers render as markup-breaking
   * noise) replaced by U+FFFD; tab, line feed and carriage return stay.
   */
  public static String escape(String text) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      String replacement = switch (c) {
        case '&' -> "&amp;";
        case '<' -> "&lt;";
        case '>' -> "&gt;";
        case '"' -> "&quot;";
        case '\'' -> "&#39;";
        default -> (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || (c >= 0x7F && c <= 0x9F) ? "\uFFFD" : null;
      };
      if (replacement != null && out == null) {
        out = new StringBuilder(text.length() + 16).append(text, 0, i);
      }
      if (out != null) {
        if (replacement != null) {
          out.append(replacement);
        } else {
          out.append(c);
        }
      }
    }
    return out == null ? text : out.toString();
  }

  /** "97.5": the share in percent with one decimal; "-" for none of nothing. */
  static String share(long part, long whole) {
    return whole == 0 ? "-" : String.format(Locale.ROOT, "%.1f", 100.0 * part / whole);
  }

  private static String share(double share) {
    return String.format(Locale.ROOT, "%.0f", share * 100);
  }

  private static String number(double value) {
    return String.format(Locale.ROOT, "%.1f", value);
  }

  private static String day(Instant instant) {
    return LocalDate.ofInstant(instant, ZoneOffset.UTC).toString();
  }

  /** "2026-12-06 17:05". */
  private static String minute(Instant instant) {
    return MINUTE.format(instant);
  }
}
