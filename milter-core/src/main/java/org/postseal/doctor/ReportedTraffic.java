package org.postseal.doctor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.postseal.config.DurationText;
import org.postseal.dmarc.received.ReceivedReportSummary;
import org.postseal.dmarc.received.ReceivedReportSummary.DomainSummary;
import org.postseal.dmarc.received.ReceivedReportSummary.SourceRow;

/**
 * What the doctor says from the reports receivers sent us ({@code postseal report import}) and from our keys: who
 * fails DMARC as the domain, whether our own mail passes, the next step of its policy (p=none, then quarantine,
 * then reject, only when our own mail passes), and which signing domains have no key yet. Findings only: the
 * command gathers the values.
 */
public final class ReportedTraffic {

  static final String REPORTS = "Reports";
  static final String KEYS = "Keys";
  /** Failing sources named in one finding. */
  static final int TOP_SOURCES = 5;

  private ReportedTraffic() {
  }

  /**
   * The findings about {@code domain} from {@code summary} (the reports of the last {@code window}); empty
   * summary: no results database could be read.
   */
  public static List<Finding> findings(String domain, Optional<ReceivedReportSummary.Summary> summary,
                                       Duration window) {
    List<Finding> findings = new ArrayList<>();
    String days = lastDays(window);
    if (summary.isEmpty()) {
      findings.add(Finding.info(REPORTS, "the results database could not be read: no received reports checked"));
      return findings;
    }
    Optional<DomainSummary> found = summary.get().domains().stream().filter(d -> d.domain().equals(domain)).findFirst();
    if (found.isEmpty()) {
      findings.add(noReports(domain, window));
      return findings;
    }
    DomainSummary d = found.get();
    List<SourceRow> failing = summary.get().failingSources(domain);
    long failed = d.messages() - d.dmarcPass();
    if (failing.isEmpty()) {
      findings.add(Finding.ok(REPORTS, days.substring(0, 1).toUpperCase(Locale.ROOT) + days.substring(1)
          + " receivers saw " + d.messages() + " messages from " + d.sources() + " sources as " + domain
          + ": all passed DMARC"));
    } else {
      List<String> top = new ArrayList<>();
      for (SourceRow s : failing.subList(0, Math.min(TOP_SOURCES, failing.size()))) {
        top.add(s.sourceIp() + s.reverseName().map(n -> " (" + n + ")").orElse("") + ": " + s.dmarcFail()
            + (s.isOurs() ? ", one of ours" : ""));
      }
      findings.add(Finding.warning(REPORTS, days.substring(0, 1).toUpperCase(Locale.ROOT) + days.substring(1)
          + " receivers saw " + failed + " messages from " + failing.size() + " source" + (failing.size() == 1 ? "" : "s")
          + " failing DMARC for " + domain + "; the top ones are " + String.join(", ", top),
          "a source of yours must sign with our key or be in SPF; the others send as " + domain + " without right,"
              + " which an enforcing policy stops (postseal report show --received --domain " + domain + ")"));
    }
    policyStep(d).ifPresent(findings::add);
    return findings;
  }

  /** No report about {@code domain} in the last {@code window}: where reports come from. */
  public static Finding noReports(String domain, Duration window) {
    return Finding.info(REPORTS, "no aggregate report about " + domain + " was received " + lastDays(window),
        "publish rua=mailto:ADDRESS in _dmarc." + domain + " and pipe that mailbox to postseal report import -");
  }

  /**
   * The next step of {@code d}'s policy and why, as the doctor says it (the report page shows the same finding):
   * first our own mail must pass ({@link ReceivedReportSummary#OWN_MAIL_PASS_SHARE}), then p= goes none ->
   * quarantine -> reject. Empty when the reports name no policy this knows.
   */
  public static Optional<Finding> policyStep(DomainSummary d) {
    String domain = d.domain();
    if (d.ourSources() == 0) {
      return Optional.of(Finding.warning(REPORTS, "no source passes DMARC for " + domain + " in these reports: none of"
          + " them is known to be ours", "make sure your own mail is signed (signing.domains) and your servers are in"
          + " SPF before any stricter policy"));
    }
    if (!d.doesOwnMailPass()) {
      return Optional.of(Finding.warning(REPORTS, "our own sources' mail passes DMARC " + percent(d.ownPassShare())
          + " of the time, under the " + percent(ReceivedReportSummary.OWN_MAIL_PASS_SHARE) + " a stricter policy needs;"
          + " p=" + (d.policy().isEmpty() ? "-" : d.policy()) + " stays", "find our sources with failures in postseal"
          + " report show --received --domain " + domain + " (OURS yes, DMARC PASS under 100%) and fix them first"));
    }
    if (d.nextPolicy().isPresent()) {
      return Optional.of(Finding.info(REPORTS, "our own mail passes DMARC (" + percent(d.ownPassShare()) + " from "
          + d.ourSources() + " source" + (d.ourSources() == 1 ? "" : "s") + "): the next policy step is p="
          + d.nextPolicy().get() + " (now p=" + d.policy() + ")", "publish p=" + d.nextPolicy().get() + " in _dmarc."
          + domain + ", then watch the reports for a week before the next step"));
    }
    if (d.policy().equals("reject")) {
      return Optional.of(Finding.ok(REPORTS, "p=reject, and our own mail passes DMARC (" + percent(d.ownPassShare())
          + ")"));
    }
    return Optional.empty();
  }

  /**
   * One warning per signing domain without an active key (its mail goes out unsigned), naming where the domain
   * comes from; a failed domains-query is a warning too.
   *
   * @param withoutKey   signing domains (signing.domains and domains-query) with no active key
   * @param queried      the domains domains-query returned
   * @param queryFailure why domains-query failed, when it did
   */
  public static List<Finding> keys(List<String> withoutKey, List<String> queried, Optional<String> queryFailure) {
    List<Finding> findings = new ArrayList<>();
    queryFailure.ifPresent(f -> findings.add(Finding.warning(KEYS, "signing.domains-query failed: " + f,
        "fix the query or [database]; serve keeps the last list it read")));
    for (String domain : withoutKey) {
      findings.add(Finding.warning(KEYS, domain + " is a signing domain" + (queried.contains(domain)
          ? " (from domains-query)" : "") + " with no key yet: its mail goes out unsigned",
          "postseal keygen " + domain + ", publish the record it prints, then postseal keys activate " + domain));
    }
    return findings;
  }

  /** "in the last 7 days". */
  private static String lastDays(Duration window) {
    return "in the last " + DurationText.format(window).replace("d", " days");
  }

  private static String percent(double share) {
    return String.format(Locale.ROOT, "%.1f%%", share * 100);
  }
}
