package org.postseal.dmarc.received;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.postseal.dns.DnsResolver;
import org.postseal.dns.FakeDnsServer;

/**
 * The summaries of received reports against a fixture with known answers: two reporters about example.com over two
 * days (our server 192.0.2.25 passing, a forwarder keeping our signature, a spoofer failing), one about example.net.
 */
class ReceivedReportSummaryTest {

  static final Instant DAY1 = Instant.parse("2026-11-27T00:00:00Z");
  static final Instant DAY2 = Instant.parse("2026-11-28T00:00:00Z");

  static ReceivedReport.Row row(String ip, long count, boolean dkim, boolean spf, String from) {
    return new ReceivedReport.Row(ip, count, dkim || spf ? "none" : "reject", dkim ? "pass" : "fail",
        spf ? "pass" : "fail", List.of(), from, from, "", List.of(), List.of());
  }

  static ReceivedReport report(String org, String id, String domain, String p, Instant day, ReceivedReport.Row... rows) {
    return new ReceivedReport(ReceivedReport.RFC7489, org, "noreply@" + org, id, day, day.plusSeconds(86_399), "", "",
        new ReceivedReport.Policy(domain, p, "", "", "r", "r", "100", "0", "", ""), List.of(rows));
  }

  /** The fixture: 1000 + 40 + 30 + 900 + 60 + 7 messages. */
  static List<ReceivedReport> fixture() {
    List<ReceivedReport> reports = new ArrayList<>();
    reports.add(report("google.com", "g1", "example.com", "none", DAY1,
        row("192.0.2.25", 1000, true, true, "example.com"),
        row("198.51.100.9", 40, true, false, "example.com"),
        row("203.0.113.66", 30, false, false, "example.com")));
    reports.add(report("Yahoo", "y1", "example.com", "none", DAY2,
        row("192.0.2.25", 900, true, true, "example.com"),
        row("203.0.113.66", 60, false, false, "example.com")));
    reports.add(report("google.com", "g2", "example.net", "quarantine", DAY2,
        row("192.0.2.25", 7, false, true, "example.net")));
    return reports;
  }

  @Test
  void sourcesFailingDmarcComeFirst_andEachDomainHasItsTotals() {
    ReceivedReportSummary.Summary s = ReceivedReportSummary.summarize(fixture(), DAY1, Optional.empty(),
        Map.of("192.0.2.25", "mail.example.com"));

    assertThat(s.reports()).isEqualTo(3);
    assertThat(s.sources()).extracting(r -> r.domain() + " " + r.sourceIp() + " " + r.messages() + " " + r.dmarcPass()
            + " " + r.spfPass() + " " + r.dkimPass() + " " + r.isOurs() + " " + r.reporters() + " " + r.reverseName())
        .containsExactly(
            "example.com 203.0.113.66 90 0 0 0 false [Yahoo, google.com] Optional.empty",
            "example.com 192.0.2.25 1900 1900 1900 1900 true [Yahoo, google.com] Optional[mail.example.com]",
            "example.com 198.51.100.9 40 40 0 40 true [google.com] Optional.empty",
            "example.net 192.0.2.25 7 7 7 0 true [google.com] Optional[mail.example.com]");

    ReceivedReportSummary.DomainSummary com = s.domains().get(0);
    assertThat(com.domain()).isEqualTo("example.com");
    assertThat(com.messages()).isEqualTo(2030);
    assertThat(com.dmarcPass()).isEqualTo(1940);
    assertThat(com.sources()).isEqualTo(3);
    assertThat(com.ourSources()).isEqualTo(2);
    assertThat(com.reporters()).isEqualTo(2);
    assertThat(com.policy()).isEqualTo("none");
    assertThat(com.doesOwnMailPass()).isTrue();
    assertThat(com.nextPolicy()).contains("quarantine");
    assertThat(s.domains().get(1).nextPolicy()).as("example.net is at quarantine").contains("reject");
    assertThat(s.failingSources("example.com")).extracting(ReceivedReportSummary.SourceRow::sourceIp)
        .containsExactly("203.0.113.66");
  }

  @Test
  void byReporterAndByDay() {
    ReceivedReportSummary.Summary s = ReceivedReportSummary.summarize(fixture(), DAY1, Optional.empty(), Map.of());

    assertThat(s.reporters()).extracting(r -> r.domain() + " " + r.reporter() + " " + r.reports() + " " + r.messages()
            + " " + r.dmarcPass() + " " + r.sources())
        .containsExactly("example.com Yahoo 1 960 900 2", "example.com google.com 1 1070 1040 3",
            "example.net google.com 1 7 7 1");
    assertThat(s.days()).extracting(d -> d.domain() + " " + d.day() + " " + d.messages() + " " + d.dmarcPass() + " "
            + d.sources() + " " + d.failingSources() + " " + d.reporters())
        .containsExactly("example.com 2026-11-27 1070 1040 3 1 1", "example.com 2026-11-28 960 900 2 1 1",
            "example.net 2026-11-28 7 7 1 0 1");
    assertThat(s.days().get(0).day()).isEqualTo(LocalDate.parse("2026-11-27"));
  }

  @Test
  void noStricterPolicyWhileOurOwnMailFails() {
    List<ReceivedReport> reports = List.of(report("google.com", "g1", "example.com", "none", DAY1,
        row("192.0.2.25", 90, true, true, "example.com"),
        // one of ours (it passed 90 times) that also sends unsigned mail outside SPF: 10 of 100 fail
        row("192.0.2.25", 10, false, false, "example.com")));
    ReceivedReportSummary.DomainSummary d = ReceivedReportSummary.summarize(reports, DAY1, Optional.empty(), Map.of())
        .domains().get(0);
    assertThat(d.ownPassShare()).isEqualTo(0.9);
    assertThat(d.doesOwnMailPass()).isFalse();
    assertThat(d.nextPolicy()).isEmpty();
  }

  @Test
  void reverseNamesComeFromDns_andASilentServerCostsOnlyTheDeadline() {
    try (FakeDnsServer dns = FakeDnsServer.start()) {
      dns.load("25.2.0.192.in-addr.arpa. 300 IN PTR mail.example.com.\n"
          + "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. 300 IN PTR v6.example.com.\n");
      dns.failWith("66.113.0.203.in-addr.arpa", FakeDnsServer.Failure.TIMEOUT);
      DnsResolver resolver = DnsResolver.create(List.of(dns.address()), Duration.ofSeconds(5),
          java.time.Clock.systemUTC());
      long start = System.nanoTime();
      Map<String, String> names = ReceivedReportSummary.reverseNames(resolver,
          List.of("192.0.2.25", "2001:db8::1", "203.0.113.66", "198.51.100.9"), Duration.ofMillis(800));
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertThat(names).containsExactlyInAnyOrderEntriesOf(Map.of("192.0.2.25", "mail.example.com",
          "2001:db8::1", "v6.example.com"));
      assertThat(ms).as("bounded by the deadline, not the resolver's 5 s timeout").isLessThan(3000);
    }
  }
}
