package org.postseal.dmarc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postseal.dkim.DkimOutcome;
import org.postseal.dkim.DkimResult;
import org.postseal.dns.Deadline;
import org.postseal.dns.DnsResolver;
import org.postseal.dns.FakeDnsServer;
import org.postseal.spf.SpfOutcome;
import org.postseal.spf.SpfResult;

/**
 * The DMARC record cases of issue 11's hostile input list, each with the result and disposition it must get:
 * syntax, duplicate tags, invalid values of p=, sp=, np=, pct=, adkim=, huge records, several records, upper
 * case. Each case publishes its records at _dmarc.CASE.example on a real DNS server; a message From
 * someone@CASE.example (or a name below it) from an outside client is evaluated by {@link DmarcVerifier} as the
 * milter starts and finishes it, with SPF failing for another domain and, where the case says so, a DKIM pass
 * for mail.CASE.example. The rules: RFC 9989 sections 4.7 (tags; a duplicated tag invalidates the record, RFC 6376
 * section 3.2), 4.8 (other syntax errors fall back to defaults), 4.10 (records that are not DMARC, and several
 * DMARC records, count as none), 4.10.1 (an invalid p=, sp= or np= acts as p=none when rua= is usable, else
 * DMARC does not apply).
 */
class HostileDmarcRecordTest {

  private static final SpfResult SPF_ELSEWHERE = DmarcSessionTest.spf(SpfOutcome.FAIL, "attacker.example");

  private static FakeDnsServer dns;
  private static DmarcVerifier verifier;

  /**
   * @param domain        where the records are (CASE.example); the From domain is this or {@code fromBelow} + it
   * @param records       the TXT records at _dmarc.CASE.example, zone-file text
   * @param fromBelow     a prefix for the From domain ("" or "nx." for a name that does not exist)
   * @param dkimSubdomain a DKIM pass for mail.CASE.example
   */
  record Published(String domain, List<String> records, String fromBelow, boolean dkimSubdomain) {
  }

  private static Published at(String label, String... records) {
    return new Published(label + ".example", List.of(records), "", false);
  }

  /** {@code count} tags of distinct names (letters only, as DMARC tag names are) and short values. */
  private static String unknownTags(int count) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < count; i++) {
      out.append('x').append((char) ('a' + i / 26 / 26 % 26)).append((char) ('a' + i / 26 % 26))
          .append((char) ('a' + i % 26)).append("=yyyyyy; ");
    }
    return out.toString();
  }

  private static String quoted(String text) {
    return "\"" + text + "\"";
  }

  @BeforeAll
  static void start() {
    dns = FakeDnsServer.start();
    StringBuilder zone = new StringBuilder();
    cases().forEach(arguments -> {
      Published published = (Published) arguments.get()[1];
      zone.append(published.domain()).append(". A 192.0.2.1\n");
      zone.append("mail.").append(published.domain()).append(". A 192.0.2.2\n");
      for (String txt : published.records()) {
        zone.append("_dmarc.").append(published.domain()).append(". TXT ").append(txt).append('\n');
      }
    });
    dns.load(zone.toString());
    verifier = new DmarcVerifier(DnsResolver.create(List.of(dns.address()), Duration.ofSeconds(2), Clock.systemUTC()),
        DmarcSettings.defaults(Set.of()));
  }

  @AfterAll
  static void stop() {
    dns.close();
  }

  static Stream<Arguments> cases() {
    String manyUris = String.join(",", java.util.stream.IntStream.range(0, 150)
        .mapToObj(i -> "mailto:dmarc-reports-" + i + "@reports.example").toList());
    return Stream.of(
        arguments("p=reject, for comparison", at("base", quoted("v=DMARC1; p=reject")), "fail(nothing_passed)",
            "reject", DmarcAction.REJECT),
        // syntax
        arguments("no space after ';'", at("s1", quoted("v=DMARC1;p=reject;adkim=s")), "fail(nothing_passed)",
            "reject", DmarcAction.REJECT),
        arguments("white space around '=' and ';', ';;' and a trailing ';'",
            at("s2", quoted("v = DMARC1 ;  p = reject ;; ")), "fail(nothing_passed)", "reject", DmarcAction.REJECT),
        arguments("v= not first", at("s3", quoted("p=reject; v=DMARC1")), "none(no_policy)", "-", DmarcAction.ACCEPT),
        arguments("v=dmarc1 (the value is case-sensitive)", at("s4", quoted("v=dmarc1; p=reject")), "none(no_policy)",
            "-", DmarcAction.ACCEPT),
        arguments("v=DMARC1 alone (p= defaults to none)", at("s5", quoted("v=DMARC1")), "fail(nothing_passed)",
            "none", DmarcAction.ACCEPT),
        arguments("a malformed tag is ignored", at("s6", quoted("v=DMARC1; p=reject; what; =x; y=")),
            "fail(nothing_passed)", "reject", DmarcAction.REJECT),
        arguments("an unknown tag is ignored", at("s7", quoted("v=DMARC1; p=reject; future=yes")),
            "fail(nothing_passed)", "reject", DmarcAction.REJECT),
        arguments("an empty TXT record", at("s8", quoted("")), "none(no_policy)", "-", DmarcAction.ACCEPT),
        // duplicate tags: the record is invalid as a whole, as if there were none
        arguments("p= twice", at("d1", quoted("v=DMARC1; p=reject; p=none")), "none(no_policy)", "-",
            DmarcAction.ACCEPT),
        arguments("adkim= twice", at("d2", quoted("v=DMARC1; p=reject; adkim=r; adkim=s")), "none(no_policy)", "-",
            DmarcAction.ACCEPT),
        arguments("v= twice", at("d3", quoted("v=DMARC1; v=DMARC1; p=reject")), "none(no_policy)", "-",
            DmarcAction.ACCEPT),
        arguments("p= twice, differing in case", at("d4", quoted("v=DMARC1; p=reject; P=none")), "none(no_policy)",
            "-", DmarcAction.ACCEPT),
        // invalid values
        arguments("p=bogus, no rua=", at("i1", quoted("v=DMARC1; p=bogus")), "permerror(invalid_policy)", "-",
            DmarcAction.ACCEPT),
        arguments("p=bogus with rua= (acts as p=none)", at("i2", quoted("v=DMARC1; p=bogus; rua=mailto:d@i2.example")),
            "fail(nothing_passed)", "none", DmarcAction.ACCEPT),
        arguments("sp=bogus with rua= (acts as p=none)",
            at("i3", quoted("v=DMARC1; p=reject; sp=bogus; rua=mailto:d@i3.example")), "fail(nothing_passed)", "none",
            DmarcAction.ACCEPT),
        arguments("np=never with rua= (acts as p=none)",
            at("i4", quoted("v=DMARC1; p=reject; np=never; rua=mailto:d@i4.example")), "fail(nothing_passed)", "none",
            DmarcAction.ACCEPT),
        arguments("sp=bogus, no usable rua=", at("i5", quoted("v=DMARC1; p=reject; sp=bogus; rua=not a uri")),
            "permerror(invalid_policy)", "-", DmarcAction.ACCEPT),
        arguments("pct=0 (removed by RFC 9989: not applied)", at("i6", quoted("v=DMARC1; p=reject; pct=0")),
            "fail(nothing_passed)", "reject", DmarcAction.REJECT),
        arguments("pct=abc", at("i7", quoted("v=DMARC1; p=reject; pct=abc")), "fail(nothing_passed)", "reject",
            DmarcAction.REJECT),
        arguments("adkim=x (default r: a DKIM pass for a subdomain aligns)",
            new Published("i8.example", List.of(quoted("v=DMARC1; p=reject; adkim=x")), "", true),
            "pass(dkim_aligned)", "reject", DmarcAction.ACCEPT),
        arguments("adkim=s (a DKIM pass for a subdomain does not align)",
            new Published("i9.example", List.of(quoted("v=DMARC1; p=reject; adkim=s")), "", true),
            "fail(not_aligned)", "reject", DmarcAction.REJECT),
        arguments("t=y (testing: one step milder)", at("i10", quoted("v=DMARC1; p=reject; t=y")),
            "fail(nothing_passed)", "quarantine", DmarcAction.QUARANTINE_HEADER),
        arguments("t=maybe (ignored)", at("i11", quoted("v=DMARC1; p=reject; t=maybe")), "fail(nothing_passed)",
            "reject", DmarcAction.REJECT),
        arguments("np=reject for a From domain that does not exist",
            new Published("i12.example", List.of(quoted("v=DMARC1; p=none; np=reject")), "nx.", false),
            "fail(nothing_passed)", "reject", DmarcAction.REJECT),
        // upper case
        arguments("tags and values in upper case", at("u1", quoted("V=DMARC1; P=REJECT; ADKIM=S")),
            "fail(nothing_passed)", "reject", DmarcAction.REJECT),
        arguments("p=Quarantine", at("u2", quoted("v=DMARC1; p=Quarantine")), "fail(nothing_passed)", "quarantine",
            DmarcAction.QUARANTINE_HEADER),
        // huge records
        arguments("150 rua= URIs (6 KB in 25 strings)", at("h1", quoted("v=DMARC1; p=reject; rua=" + manyUris)),
            "fail(nothing_passed)", "reject", DmarcAction.REJECT),
        arguments("9,000 characters: 700 unknown tags after p=", at("h2", quoted("v=DMARC1; p=reject; "
            + unknownTags(700))), "fail(nothing_passed)", "reject", DmarcAction.REJECT),
        // several records
        arguments("two DMARC records (both discarded)",
            at("m1", quoted("v=DMARC1; p=reject"), quoted("v=DMARC1; p=none")), "none(no_policy)", "-",
            DmarcAction.ACCEPT),
        arguments("a DMARC record and an SPF record", at("m2", quoted("v=spf1 -all"), quoted("v=DMARC1; p=reject")),
            "fail(nothing_passed)", "reject", DmarcAction.REJECT),
        arguments("a DMARC record and an invalid one (duplicate tag)",
            at("m3", quoted("v=DMARC1; p=reject"), quoted("v=DMARC1; p=none; p=none")), "fail(nothing_passed)",
            "reject", DmarcAction.REJECT),
        arguments("one record in two strings", at("m4", quoted("v=DMARC1; ") + " " + quoted("p=reject")),
            "fail(nothing_passed)", "reject", DmarcAction.REJECT));
  }

  @ParameterizedTest(name = "{0} -> dmarc={2}, policy {3}, {4}")
  @MethodSource("cases")
  void aHostileDmarcRecordGetsItsResultAndDisposition(String what, Published published, String dmarc, String policy,
                                                       DmarcAction action) throws Exception {
    String from = published.fromBelow() + published.domain();
    List<DkimResult> dkim = published.dkimSubdomain()
        ? List.of(DmarcSessionTest.dkim(DkimOutcome.PASS, "mail." + published.domain())) : List.of();
    DmarcSession session = DmarcSessionTest.start(verifier, List.of(from), dkim, SPF_ELSEWHERE,
        Deadline.after(Duration.ofSeconds(10)));
    session.lookupsDone().get(30, TimeUnit.SECONDS);

    DmarcVerdict verdict = session.finish(dkim, SPF_ELSEWHERE);

    DmarcResult result = verdict.result();
    assertThat(result.outcome().keyword() + "(" + result.cause().keyword() + ")").as("%s: %s", what, result.reason())
        .isEqualTo(dmarc);
    assertThat(result.appliedPolicy().map(DmarcPolicy::keyword).orElse("-")).as(what).isEqualTo(policy);
    assertThat(verdict.disposition().action()).as("%s: %s", what, verdict.disposition().reason()).isEqualTo(action);
  }
}
