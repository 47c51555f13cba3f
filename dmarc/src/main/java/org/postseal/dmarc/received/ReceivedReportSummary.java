package org.postseal.dmarc.received;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.postseal.dmarc.store.ResultsDatabase;
import org.postseal.dns.DnsAnswer;
import org.postseal.dns.DnsSource;
import org.postseal.dns.RecordType;
import org.postseal.spf.IpNetwork;

/**
 * What receivers reported about our domains, summarized: who sends mail as each domain (per source IP, with its
 * reverse DNS name), what passed, who reported it, and day by day. {@code postseal report show --received},
 * {@code postseal doctor} and the report page render these values. Pass counts are the receivers' DMARC
 * verdicts (policy_evaluated: an aligned DKIM or SPF pass), not the raw auth results.
 *
 * <p>A source is <em>ours</em> when receivers saw at least one of its messages pass DMARC for the domain: it is
 * in our SPF record or signs with our key (a forwarder that keeps our DKIM signature intact counts too). A
 * source that never passes is a spoofer or a forwarder that breaks our signatures: the list of those is what the
 * admin reads before moving to an enforcing policy.
 */
public final class ReceivedReportSummary {

  /**
   * Our own mail must pass at least this share before a stricter policy is suggested: 98%, not 100%, since a few
   * messages of our own sources fail for reasons an enforcing policy does not change (a receiver's DNS timeout, a
   * message altered after signing by our own relay's footer).
   */
  public static final double OWN_MAIL_PASS_SHARE = 0.98;
  /** Reverse lookups per summary: the busiest sources first; the rest are shown without a name. */
  public static final int MAX_REVERSE_LOOKUPS = 300;

  /** One policy domain: totals, and what the latest report says its policy is. */
  public record DomainSummary(String domain, long messages, long dmarcPass, int sources, int ourSources,
                              long ourMessages, long ourDmarcPass, int reporters, String policy) {

    /** The share of mail passing DMARC, 0..1 (1 when there was no mail). */
    public double dmarcPassShare() {
      return messages == 0 ? 1 : (double) dmarcPass / messages;
    }

    /** The share of our own sources' mail passing DMARC, 0..1 (0 when we have no source). */
    public double ownPassShare() {
      return ourMessages == 0 ? 0 : (double) ourDmarcPass / ourMessages;
    }

    /** Whether our own mail passes well enough for a stricter policy ({@link #OWN_MAIL_PASS_SHARE}). */
    public boolean doesOwnMailPass() {
      return ourMessages > 0 && ownPassShare() >= OWN_MAIL_PASS_SHARE;
    }

    /**
     * The next step of p= (none -> quarantine -> reject) when our own mail passes; empty when p is reject already,
     * unknown, or our own mail does not pass yet.
     */
    public Optional<String> nextPolicy() {
      if (!doesOwnMailPass()) {
        return Optional.empty();
      }
      return switch (policy) {
        case "none" -> Optional.of("quarantine");
        case "quarantine" -> Optional.of("reject");
        default -> Optional.empty();
      };
    }
  }

  /**
   * One source IP sending as one policy domain; {@code firstBegin} and {@code lastEnd} bound the periods of the
   * reports that name it (first and last seen, as near as aggregate reports tell).
   */
  public record SourceRow(String domain, String sourceIp, Optional<String> reverseName, long messages, long spfPass,
                          long dkimPass, long dmarcPass, List<String> reporters, boolean isOurs, Instant firstBegin,
                          Instant lastEnd) {
    public long dmarcFail() {
      return messages - dmarcPass;
    }
  }

  /** One reporter (org_name) about one policy domain. */
  public record ReporterRow(String domain, String reporter, int reports, long messages, long dmarcPass, int sources,
                            Instant firstBegin, Instant lastEnd) {
  }

  /** One UTC day (the day each report's period begins) of one policy domain. */
  public record DayRow(String domain, LocalDate day, long messages, long dmarcPass, int sources, int failingSources,
                       int reporters) {
  }

  /** Everything the views need, in their order: domains by name, sources failing first, reporters, days. */
  public record Summary(Instant since, Optional<String> domain, int reports, List<DomainSummary> domains,
                        List<SourceRow> sources, List<ReporterRow> reporters, List<DayRow> days) {
    public Summary {
      domains = List.copyOf(domains);
      sources = List.copyOf(sources);
      reporters = List.copyOf(reporters);
      days = List.copyOf(days);
    }

    /** The sources of one domain that fail DMARC, most failing messages first. */
    public List<SourceRow> failingSources(String policyDomain) {
      return sources.stream().filter(s -> s.domain().equals(policyDomain) && s.dmarcFail() > 0).toList();
    }
  }

  private ReceivedReportSummary() {
  }

  /**
   * The summary of the reports stored whose period ends at or after {@code since}, about {@code domain} when given,
   * with reverse DNS names looked up through {@code dns}: every lookup starts at once and what has not answered
   * within {@code deadline} is shown without a name.
   */
  public static Summary load(ResultsDatabase database, Instant since, Optional<String> domain, DnsSource dns,
                             Duration deadline) throws SQLException {
    List<ReceivedReport> reports;
    try (Connection c = database.connect()) {
      reports = ReceivedReports.since(c, since, domain);
    }
    Summary withoutNames = summarize(reports, since, domain, Map.of());
    List<String> busiest = withoutNames.sources().stream().sorted(Comparator.comparingLong(SourceRow::messages)
        .reversed()).map(SourceRow::sourceIp).distinct().limit(MAX_REVERSE_LOOKUPS).toList();
    return summarize(reports, since, domain, reverseNames(dns, busiest, deadline));
  }

  /** The summary of {@code reports}; {@code reverseNames} maps source IPs to their PTR names where known. */
  public static Summary summarize(List<ReceivedReport> reports, Instant since, Optional<String> domain,
                                  Map<String, String> reverseNames) {
    Map<String, DomainTotals> domains = new TreeMap<>();
    Map<List<String>, SourceTotals> sources = new LinkedHashMap<>();
    Map<List<String>, ReporterTotals> reporters = new TreeMap<>(Comparator.comparing((List<String> k) -> k.get(0))
        .thenComparing(k -> k.get(1)));
    Map<List<String>, DayTotals> days = new TreeMap<>(Comparator.comparing((List<String> k) -> k.get(0))
        .thenComparing(k -> k.get(1)));
    for (ReceivedReport report : reports.stream().sorted(Comparator.comparing(ReceivedReport::end)).toList()) {
      String d = report.policy().domain();
      DomainTotals dt = domains.computeIfAbsent(d, k -> new DomainTotals());
      dt.reporters.add(report.orgName());
      if (!report.policy().p().isEmpty()) {
        dt.policy = report.policy().p();
      }
      ReporterTotals rt = reporters.computeIfAbsent(List.of(d, report.orgName()), k -> new ReporterTotals());
      rt.reports++;
      rt.firstBegin = rt.firstBegin == null || report.begin().isBefore(rt.firstBegin) ? report.begin() : rt.firstBegin;
      rt.lastEnd = rt.lastEnd == null || report.end().isAfter(rt.lastEnd) ? report.end() : rt.lastEnd;
      String day = LocalDate.ofInstant(report.begin(), ZoneOffset.UTC).toString();
      DayTotals day1 = days.computeIfAbsent(List.of(d, day), k -> new DayTotals());
      day1.reporters.add(report.orgName());
      for (ReceivedReport.Row row : report.rows()) {
        long pass = row.isDmarcPass() ? row.count() : 0;
        dt.messages += row.count();
        dt.dmarcPass += pass;
        SourceTotals st = sources.computeIfAbsent(List.of(d, row.sourceIp()), k -> new SourceTotals());
        st.messages += row.count();
        st.dmarcPass += pass;
        st.spfPass += row.spfEvaluated().equals("pass") ? row.count() : 0;
        st.dkimPass += row.dkimEvaluated().equals("pass") ? row.count() : 0;
        st.reporters.add(report.orgName());
        st.firstBegin = st.firstBegin == null || report.begin().isBefore(st.firstBegin) ? report.begin() : st.firstBegin;
        st.lastEnd = st.lastEnd == null || report.end().isAfter(st.lastEnd) ? report.end() : st.lastEnd;
        rt.messages += row.count();
        rt.dmarcPass += pass;
        rt.sources.add(row.sourceIp());
        day1.messages += row.count();
        day1.dmarcPass += pass;
        day1.sources.add(row.sourceIp());
        if (!row.isDmarcPass() && row.count() > 0) {
          day1.failingSources.add(row.sourceIp());
        }
      }
    }
    List<SourceRow> sourceRows = new ArrayList<>();
    sources.forEach((key, st) -> sourceRows.add(new SourceRow(key.get(0), key.get(1),
        Optional.ofNullable(reverseNames.get(key.get(1))), st.messages, st.spfPass, st.dkimPass, st.dmarcPass,
        List.copyOf(st.reporters), st.dmarcPass > 0, st.firstBegin, st.lastEnd)));
    // failing sources first (the spoofer list), most failing messages first; then the rest by volume
    sourceRows.sort(Comparator.comparing((SourceRow s) -> s.dmarcFail() == 0)
        .thenComparing(Comparator.comparingLong(SourceRow::dmarcFail).reversed())
        .thenComparing(Comparator.comparingLong(SourceRow::messages).reversed())
        .thenComparing(SourceRow::domain).thenComparing(SourceRow::sourceIp));
    List<DomainSummary> domainRows = new ArrayList<>();
    domains.forEach((d, dt) -> {
      List<SourceRow> own = sourceRows.stream().filter(s -> s.domain().equals(d)).toList();
      long ourMessages = own.stream().filter(SourceRow::isOurs).mapToLong(SourceRow::messages).sum();
      long ourPass = own.stream().filter(SourceRow::isOurs).mapToLong(SourceRow::dmarcPass).sum();
      domainRows.add(new DomainSummary(d, dt.messages, dt.dmarcPass, own.size(),
          (int) own.stream().filter(SourceRow::isOurs).count(), ourMessages, ourPass, dt.reporters.size(), dt.policy));
    });
    List<ReporterRow> reporterRows = new ArrayList<>();
    reporters.forEach((key, rt) -> reporterRows.add(new ReporterRow(key.get(0), key.get(1), rt.reports, rt.messages,
        rt.dmarcPass, rt.sources.size(), rt.firstBegin, rt.lastEnd)));
    List<DayRow> dayRows = new ArrayList<>();
    days.forEach((key, t) -> dayRows.add(new DayRow(key.get(0), LocalDate.parse(key.get(1)), t.messages, t.dmarcPass,
        t.sources.size(), t.failingSources.size(), t.reporters.size())));
    return new Summary(since, domain, reports.size(), domainRows, sourceRows, reporterRows, dayRows);
  }

  /**
   * The PTR name of each address that has one (the first, when there are several), all looked up at once; what has
   * not answered by {@code deadline} is left out. Never longer than the deadline.
   */
  static Map<String, String> reverseNames(DnsSource dns, List<String> addresses, Duration deadline) {
    Objects.requireNonNull(dns, "dns");
    Map<String, CompletableFuture<DnsAnswer>> lookups = new LinkedHashMap<>();
    for (String address : addresses) {
      IpNetwork.parseAddress(address).ifPresent(bytes -> lookups.put(address, dns.lookup(reverseName(bytes),
          RecordType.PTR)));
    }
    try {
      CompletableFuture.allOf(lookups.values().toArray(CompletableFuture[]::new))
          .get(deadline.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // those that answered are used below
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Map<String, String> names = new HashMap<>();
    lookups.forEach((address, future) -> {
      if (future.getNow(null) instanceof DnsAnswer.Found found && !found.records().isEmpty()) {
        names.put(address, found.records().get(0));
      }
    });
    return names;
  }

  /** "4.3.2.1.in-addr.arpa" for 1.2.3.4; nibbles under ip6.arpa for IPv6 (RFC 3596 section 2.5). */
  static String reverseName(byte[] address) {
    StringBuilder name = new StringBuilder();
    if (address.length == 4) {
      for (int i = 3; i >= 0; i--) {
        name.append(address[i] & 0xFF).append('.');
      }
      return name.append("in-addr.arpa").toString();
    }
    for (int i = address.length - 1; i >= 0; i--) {
      name.append(Character.forDigit(address[i] & 0x0F, 16)).append('.')
          .append(Character.forDigit((address[i] >> 4) & 0x0F, 16)).append('.');
    }
    return name.append("ip6.arpa").toString();
  }

  private static final class DomainTotals {
    long messages;
    long dmarcPass;
    final TreeSet<String> reporters = new TreeSet<>();
    String policy = "";
  }

  private static final class SourceTotals {
    long messages;
    long dmarcPass;
    long spfPass;
    long dkimPass;
    final TreeSet<String> reporters = new TreeSet<>();
    Instant firstBegin;
    Instant lastEnd;
  }

  private static final class ReporterTotals {
    int reports;
    long messages;
    long dmarcPass;
    final TreeSet<String> sources = new TreeSet<>();
    Instant firstBegin;
    Instant lastEnd;
  }

  private static final class DayTotals {
    long messages;
    long dmarcPass;
    final TreeSet<String> sources = new TreeSet<>();
    final TreeSet<String> failingSources = new TreeSet<>();
    final TreeSet<String> reporters = new TreeSet<>();
  }
}
