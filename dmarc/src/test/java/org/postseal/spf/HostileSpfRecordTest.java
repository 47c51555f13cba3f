package org.postseal.spf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postseal.dns.Deadline;
import org.postseal.dns.DnsResolver;
import org.postseal.dns.FakeDnsServer;

/**
 * The SPF cases of issue 11's hostile input list, each with the result it must get: the lookup and void-lookup
 * limits, include and redirect loops, macro expansion edge cases and huge macros, several v=spf1 records, syntax
 * errors, huge records. Each case publishes its records below CASE.example on a real DNS server, and check_host()
 * runs for MAIL FROM user@CASE.example (or the local part the case names) from 192.0.2.10, as the milter starts
 * it at MAIL FROM, with RFC 7208's limits (10 DNS-querying terms, 2 void lookups, section 4.6.4).
 */
class HostileSpfRecordTest {

  private static final String CLIENT = "192.0.2.10";
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);

  private static FakeDnsServer dns;
  private static SpfEvaluator evaluator;

  /**
   * @param domain    CASE.example, the MAIL FROM domain
   * @param zone      zone-file lines, "@" standing for the domain
   * @param localPart MAIL FROM's local part
   */
  record Published(String domain, String zone, String localPart) {
  }

  private static Published at(String label, String... lines) {
    return new Published(label + ".example", String.join("\n", lines), "user");
  }

  private static Published from(String localPart, String label, String... lines) {
    return new Published(label + ".example", String.join("\n", lines), localPart);
  }

  @BeforeAll
  static void start() {
    dns = FakeDnsServer.start();
    StringBuilder zone = new StringBuilder();
    cases().forEach(arguments -> {
      Published published = (Published) arguments.get()[1];
      zone.append(published.zone().replace("@", published.domain() + ".")).append('\n');
    });
    dns.load(zone.toString());
    evaluator = new SpfEvaluator(DnsResolver.create(List.of(dns.address()), Duration.ofSeconds(2), Clock.systemUTC()),
        CLOCK, "mx.receiver.example");
  }

  @AfterAll
  static void stop() {
    dns.close();
  }

  /** {@code count} "a:" terms naming hosts that exist (so no lookup is void), below {@code domain}. */
  private static String aTerms(int count) {
    return IntStream.range(0, count).mapToObj(i -> "a:h" + i + ".@").collect(Collectors.joining(" "));
  }

  private static String hosts(int count) {
    return IntStream.range(0, count).mapToObj(i -> "h" + i + ".@ A 198.51.100.1").collect(Collectors.joining("\n"));
  }

  static Stream<Arguments> cases() {
    String manyIp4 = IntStream.range(0, 400).mapToObj(i -> "ip4:198.51." + (i / 250) + "." + (i % 250))
        .collect(Collectors.joining(" "));
    return Stream.of(
        arguments("ip4 match, for comparison", at("base", "@ TXT \"v=spf1 ip4:192.0.2.10 -all\""), "pass(matched_ip4)"),
        // lookup limits (section 4.6.4)
        arguments("10 DNS-querying terms", at("l1", "@ TXT \"v=spf1 " + aTerms(10).replace("@", "l1.example")
            + " -all\"", hosts(10)), "fail(matched_all)"),
        arguments("11 DNS-querying terms", at("l2", "@ TXT \"v=spf1 " + aTerms(11).replace("@", "l2.example")
            + " -all\"", hosts(11)), "permerror(lookup_limit)"),
        arguments("a chain of 11 includes", at("l3", IntStream.range(0, 11).mapToObj(i -> "i" + i + ".@ TXT \"v=spf1"
            + " include:i" + (i + 1) + ".l3.example -all\"").collect(Collectors.joining("\n"))
            + "\n@ TXT \"v=spf1 include:i0.l3.example -all\"\ni11.@ TXT \"v=spf1 -all\""), "permerror(lookup_limit)"),
        arguments("an mx with 11 MX names", at("l4", "@ TXT \"v=spf1 mx -all\"", IntStream.range(0, 11)
            .mapToObj(i -> "@ MX 10 mx" + i + ".l4.example.").collect(Collectors.joining("\n"))),
            "permerror(mx_lookup_limit)"),
        // void lookups
        arguments("2 void lookups", at("v1", "@ TXT \"v=spf1 a:nx1.v1.example a:nx2.v1.example -all\""),
            "fail(matched_all)"),
        arguments("3 void lookups", at("v2", "@ TXT \"v=spf1 a:nx1.v2.example a:nx2.v2.example a:nx3.v2.example"
            + " -all\""), "permerror(void_lookup_limit)"),
        arguments("3 void lookups through exists", at("v3", "@ TXT \"v=spf1 exists:a.%{d} exists:b.%{d} exists:c.%{d}"
            + " -all\""), "permerror(void_lookup_limit)"),
        // loops
        arguments("an include of itself", at("o1", "@ TXT \"v=spf1 include:o1.example -all\""),
            "permerror(lookup_limit)"),
        arguments("two records including each other", at("o2", "@ TXT \"v=spf1 include:b.o2.example -all\"",
            "b.@ TXT \"v=spf1 include:o2.example -all\""), "permerror(lookup_limit)"),
        arguments("a redirect to itself", at("o3", "@ TXT \"v=spf1 redirect=o3.example\""),
            "permerror(lookup_limit)"),
        arguments("a redirect loop through a macro", at("o4", "@ TXT \"v=spf1 redirect=%{d}\""),
            "permerror(lookup_limit)"),
        arguments("a redirect to a name without a record", at("o5", "@ TXT \"v=spf1 redirect=nothing.o5.example\""),
            "permerror(no_record)"),
        arguments("an include of a name without a record", at("o6", "@ TXT \"v=spf1 include:nothing.o6.example"
            + " -all\""), "permerror(no_record)"),
        // macros (section 7)
        arguments("exists: with %{i}, %{l1r+-} and %{d2}", from("first-last+tag", "x1",
            "@ TXT \"v=spf1 exists:%{i}.%{l1r+-}.%{d2} -all\"", "192.0.2.10.first.x1.example. A 127.0.0.2"),
            "pass(matched_exists)"),
        arguments("%{s} of a 75-character sender, four times (cut to 253 from the left)",
            from("s".repeat(64), "x2", "@ TXT \"v=spf1 exists:%{s}%{s}%{s}%{s}.x2.example -all\""),
            "fail(matched_all)"),
        arguments("a macro that expands to an empty label", from("a-", "x3", "@ TXT \"v=spf1 exists:%{l-}.x3.example"
            + " -all\""), "fail(matched_all)"),
        arguments("%{d} with 999999999999 right-hand parts", at("x4", "@ TXT \"v=spf1 exists:%{d999999999999r}"
            + " -all\""), "fail(matched_all)"),
        arguments("%{z}: no such macro letter", at("x5", "@ TXT \"v=spf1 exists:%{z}.x5.example -all\""),
            "permerror(record_syntax)"),
        arguments("%{c} outside an explanation", at("x6", "@ TXT \"v=spf1 exists:%{c}.x6.example -all\""),
            "permerror(record_syntax)"),
        arguments("%{d0}: zero parts", at("x7", "@ TXT \"v=spf1 exists:%{d0}.x7.example -all\""),
            "permerror(record_syntax)"),
        arguments("a lone %", at("x8", "@ TXT \"v=spf1 exists:x8.example% -all\""), "permerror(record_syntax)"),
        arguments("%{l} URL-escaped (%{L}) of a local part with '%' and '/'", from("a%b/c", "x9",
            "@ TXT \"v=spf1 exists:%{L}.x9.example -all\"", "a%25b%2Fc.x9.example. A 127.0.0.2"),
            "pass(matched_exists)"),
        // several records and strings (section 4.5)
        arguments("two v=spf1 records", at("m1", "@ TXT \"v=spf1 ip4:192.0.2.10 -all\"", "@ TXT \"v=spf1 -all\""),
            "permerror(multiple_records)"),
        arguments("v=spf1 and V=SPF1", at("m2", "@ TXT \"v=spf1 ip4:192.0.2.10 -all\"", "@ TXT \"V=SPF1 -all\""),
            "permerror(multiple_records)"),
        arguments("v=spf1 and v=spf10 (not SPF)", at("m3", "@ TXT \"v=spf1 ip4:192.0.2.10 -all\"",
            "@ TXT \"v=spf10 -all\""), "pass(matched_ip4)"),
        arguments("one record in three strings", at("m4", "@ TXT \"v=spf1 ip4:\" \"192.0.2.10\" \" -all\""),
            "pass(matched_ip4)"),
        arguments("no record", at("m5", "@ TXT \"google-site-verification=x\""), "none(no_record)"),
        // syntax
        arguments("a bad term after the matching one (section 4.6)", at("y1", "@ TXT \"v=spf1 ip4:192.0.2.10"
            + " ip4:192.0.2.300 -all\""), "permerror(record_syntax)"),
        arguments("an unknown mechanism", at("y2", "@ TXT \"v=spf1 ip4:192.0.2.10 foo -all\""),
            "permerror(record_syntax)"),
        arguments("redirect= twice", at("y3", "@ TXT \"v=spf1 redirect=a.y3.example redirect=b.y3.example\""),
            "permerror(record_syntax)"),
        arguments("a tab after v=spf1 (no SPF record, section 4.5)", at("y4", "@ TXT \"v=spf1\tip4:192.0.2.10 -all\""),
            "none(no_record)"),
        arguments("a tab between terms", at("y8", "@ TXT \"v=spf1 ip4:192.0.2.10\t-all\""), "permerror(record_syntax)"),
        arguments("a non-ASCII character", at("y5", "@ TXT \"v=spf1 a:bücher.y5.example ip4:192.0.2.10 -all\""),
            "permerror(record_syntax)"),
        arguments("ip4 prefix /33", at("y6", "@ TXT \"v=spf1 ip4:192.0.2.10/33 -all\""), "permerror(record_syntax)"),
        arguments("upper case mechanisms", at("y7", "@ TXT \"V=SPF1 IP4:192.0.2.10 -ALL\""), "pass(matched_ip4)"),
        // size
        arguments("a 7 KB record of 400 ip4 terms, the match last", at("z1", "@ TXT \"v=spf1 " + manyIp4
            + " ip4:192.0.2.10 -all\""), "pass(matched_ip4)"));
  }

  @ParameterizedTest(name = "{0} -> spf={2}")
  @MethodSource("cases")
  void aHostileSpfRecordGetsItsResult(String what, Published published, String expected) throws Exception {
    SpfResult result = evaluator.evaluate(InetAddress.getByName(CLIENT), published.localPart() + "@"
        + published.domain(), "helo.example.net", Deadline.after(Duration.ofSeconds(10))).get(15, TimeUnit.SECONDS);

    assertThat(result.outcome().keyword() + "(" + result.cause().keyword() + ")").as("%s: %s", what, result.reason())
        .isEqualTo(expected);
  }
}
