package org.postseal.spf;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.postseal.dns.Deadline;
import org.postseal.dns.DnsResolver;
import org.postseal.dns.DnsSource;
import org.postseal.dns.FakeDnsServer;

/** What the RFC 7208 suite does not pin down: identities, the deadline, DNS failures, never blocking. */
class SpfEvaluatorTest {

  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);

  private FakeDnsServer dns;
  private SpfEvaluator evaluator;

  @BeforeEach
  void startDns() {
    dns = FakeDnsServer.start();
    dns.load("""
        example.com.        IN TXT "v=spf1 ip4:192.0.2.0/24 include:_spf.example.net -all"
        example.com.        IN TXT "google-site-verification=abc"
        _spf.example.net.   IN TXT "v=spf1 ip6:2001:db8::/32 a:relay.example.net ~all"
        relay.example.net.  IN A 198.51.100.25
        mail.example.org.   IN TXT "v=spf1 a -all exp=why.example.org"
        mail.example.org.   IN A 203.0.113.5
        why.example.org.    IN TXT "%{i} may not send for %{o}; HELO %{h}, t=%{t}"
        broken.example.     IN TXT "v=spf1 a:broken.example"
        """);
    DnsResolver resolver = DnsResolver.create(List.of(dns.address()), Duration.ofSeconds(2), Clock.systemUTC());
    evaluator = new SpfEvaluator(resolver, CLOCK, "mx.receiver.example");
  }

  @AfterEach
  void stopDns() {
    dns.close();
  }

  private SpfResult evaluate(String ip, String mailFrom, String helo) throws Exception {
    return evaluator.evaluate(InetAddress.getByName(ip), mailFrom, helo).get(10, TimeUnit.SECONDS);
  }

  @Test
  void mailFrom_isTheIdentity_andItsDomainIsChecked() throws Exception {
    SpfResult result = evaluate("192.0.2.10", "Alice@EXAMPLE.com", "client.example.net");

    assertThat(result.outcome()).isEqualTo(SpfOutcome.PASS);
    assertThat(result.identity()).isEqualTo(SpfIdentity.MAILFROM);
    assertThat(result.domain()).isEqualTo("example.com");
    assertThat(result.sender()).isEqualTo("Alice@example.com");
    assertThat(result.cause()).isEqualTo(SpfCause.MATCHED_IP4);
  }

  @Test
  void nullSender_checksTheHeloNameAsPostmaster() throws Exception {
    SpfResult result = evaluate("203.0.113.5", "<>", "mail.example.org");

    assertThat(result.outcome()).isEqualTo(SpfOutcome.PASS);
    assertThat(result.identity()).isEqualTo(SpfIdentity.HELO);
    assertThat(result.identity().property()).isEqualTo("smtp.helo");
    assertThat(result.sender()).isEqualTo("postmaster@mail.example.org");
  }

  @Test
  void include_passesForTheIncludedNetworks_andSoftfailInsideIsNoMatch() throws Exception {
    assertThat(evaluate("2001:db8:1::25", "bob@example.com", "x").outcome()).isEqualTo(SpfOutcome.PASS);
    assertThat(evaluate("198.51.100.25", "bob@example.com", "x").outcome()).isEqualTo(SpfOutcome.PASS);
    assertThat(evaluate("198.51.100.26", "bob@example.com", "x").outcome()).isEqualTo(SpfOutcome.FAIL);
  }

  @Test
  void ipv4MappedIpv6Client_isMatchedAsIpv4() throws Exception {
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xFF;
    mapped[11] = (byte) 0xFF;
    mapped[12] = (byte) 192;
    mapped[14] = 2;
    mapped[15] = 9;
    InetAddress client = Inet6Address.getByAddress(null, mapped, -1);

    SpfResult result = evaluator.evaluate(client, "a@example.com", "x").get(10, TimeUnit.SECONDS);

    assertThat(result.outcome()).isEqualTo(SpfOutcome.PASS);
  }

  @Test
  void fail_carriesTheDomainOwnersExpandedExplanation() throws Exception {
    SpfResult result = evaluate("192.0.2.99", "", "mail.example.org");

    assertThat(result.outcome()).isEqualTo(SpfOutcome.FAIL);
    assertThat(result.explanation())
        .contains("192.0.2.99 may not send for mail.example.org; HELO mail.example.org, t=1772366400");
  }

  @Test
  void dnsFailure_isTemperrorNamingTheLookup() throws Exception {
    dns.failWith("example.com", FakeDnsServer.Failure.SERVFAIL);

    SpfResult result = evaluate("192.0.2.10", "a@example.com", "x");

    assertThat(result.outcome()).isEqualTo(SpfOutcome.TEMPERROR);
    assertThat(result.cause()).isEqualTo(SpfCause.DNS_FAILURE);
    assertThat(result.detail()).contains("example.com", "TXT");
  }

  @Test
  void failureInsideAnInclude_isTemperror() throws Exception {
    dns.failWith("relay.example.net", FakeDnsServer.Failure.REFUSED);

    SpfResult result = evaluate("198.51.100.99", "a@example.com", "x");

    assertThat(result.outcome()).isEqualTo(SpfOutcome.TEMPERROR);
    assertThat(result.cause()).isEqualTo(SpfCause.DNS_FAILURE);
    assertThat(result.detail()).contains("relay.example.net").endsWith(", in include:_spf.example.net");
  }

  @Test
  void noRecordAndInvalidDomains_areNone() throws Exception {
    SpfResult nothing = evaluate("192.0.2.1", "a@nothing.example", "x");
    assertThat(nothing.outcome()).isEqualTo(SpfOutcome.NONE);
    assertThat(nothing.cause()).isEqualTo(SpfCause.NO_RECORD);
    SpfResult literal = evaluate("192.0.2.1", "", "[192.0.2.1]");
    assertThat(literal.outcome()).isEqualTo(SpfOutcome.NONE);
    assertThat(literal.cause()).isEqualTo(SpfCause.MALFORMED_DOMAIN);
    assertThat(dns.queryCount("nothing.example")).isEqualTo(1);
  }

  @Test
  void anglesAndSpaceAroundMailFrom_areTheSameIdentity_andAnUnderscoreDomainIsStillLookedUp() throws Exception {
    SpfResult result = evaluate("192.0.2.10", " <Alice@Example.COM.> ", "x");
    assertThat(result.outcome()).isEqualTo(SpfOutcome.PASS);
    assertThat(result.sender()).isEqualTo("Alice@example.com");

    assertThat(evaluate("198.51.100.99", "<a@_spf.example.net>", "x").outcome()).isEqualTo(SpfOutcome.SOFTFAIL);
  }

  @Test
  void mailFromThatIsNoAddress_isNoneWithoutALookup() throws Exception {
    SpfResult twoAddresses = evaluate("192.0.2.10", "<a@evil.example> <b@example.com>", "mail.example.org");

    assertThat(twoAddresses.outcome()).isEqualTo(SpfOutcome.NONE);
    assertThat(twoAddresses.identity()).isEqualTo(SpfIdentity.MAILFROM);
    assertThat(twoAddresses.cause()).isEqualTo(SpfCause.MALFORMED_DOMAIN);
    assertThat(twoAddresses.detail()).contains("more than one address");
    assertThat(evaluate("192.0.2.10", "<alice@example.com", "x").outcome()).isEqualTo(SpfOutcome.NONE);
    assertThat(dns.queryCount("example.com")).isZero();
    assertThat(dns.queryCount("mail.example.org")).isZero();
  }

  @Test
  void unicodeDomain_isLookedUpAsItsALabel() throws Exception {
    dns.load("xn--bcher-kva.example. IN TXT \"v=spf1 +all\"");

    SpfResult result = evaluate("192.0.2.1", "info@b\u00fccher.example", "x");

    assertThat(result.outcome()).isEqualTo(SpfOutcome.PASS);
    assertThat(result.domain()).isEqualTo("xn--bcher-kva.example");
  }

  @Test
  void evaluate_returnsAtOnce_andTheDeadlineGivesTemperror() throws Exception {
    dns.delayAnswers(Duration.ofSeconds(3));
    DnsResolver slow = DnsResolver.create(List.of(dns.address()), Duration.ofSeconds(5), Clock.systemUTC());
    SpfEvaluator evaluator = new SpfEvaluator(slow, CLOCK, "mx");

    long start = System.nanoTime();
    CompletableFuture<SpfResult> pending = evaluator.evaluate(InetAddress.getByName("192.0.2.1"), "a@example.com", "x",
        Deadline.after(Duration.ofMillis(300)));
    long callMillis = (System.nanoTime() - start) / 1_000_000;

    assertThat(pending).isNotDone();
    assertThat(callMillis).isLessThan(250);
    SpfResult result = pending.get(5, TimeUnit.SECONDS);
    assertThat(result.outcome()).isEqualTo(SpfOutcome.TEMPERROR);
    assertThat(result.cause()).isEqualTo(SpfCause.TIMEOUT);
    assertThat((System.nanoTime() - start) / 1_000_000).isBetween(250L, 2_500L);
  }

  @Test
  void recordThatIncludesItself_stopsAtTheLookupLimit() throws Exception {
    SpfResult result = evaluate("192.0.2.1", "a@broken.example", "x");

    assertThat(result.outcome()).isEqualTo(SpfOutcome.NEUTRAL);
    assertThat(result.cause()).isEqualTo(SpfCause.NO_MATCH);
    dns.load("loop.example. IN TXT \"v=spf1 include:loop.example\"");
    SpfResult loop = evaluate("192.0.2.1", "a@loop.example", "x");
    assertThat(loop.outcome()).isEqualTo(SpfOutcome.PERMERROR);
    assertThat(loop.cause()).isEqualTo(SpfCause.LOOKUP_LIMIT);
    assertThat(dns.queryCount("loop.example")).isLessThanOrEqualTo(11);
  }

  @ParameterizedTest(name = "{1} from {0}: {2} ({3})")
  @CsvSource(delimiter = '|', value = {
      "192.0.2.10    | a@example.com       | PASS      | MATCHED_IP4",
      "198.51.100.25 | a@example.com       | PASS      | MATCHED_INCLUDE",
      "203.0.113.5   | a@mail.example.org  | PASS      | MATCHED_A",
      "192.0.2.99    | a@mail.example.org  | FAIL      | MATCHED_ALL",
      "192.0.2.99    | a@soft.example      | SOFTFAIL  | MATCHED_ALL",
      "2001:db8::1   | a@ip6.example       | PASS      | MATCHED_IP6",
      "192.0.2.20    | a@mx.example        | PASS      | MATCHED_MX",
      "192.0.2.20    | a@ptr.example       | PASS      | MATCHED_PTR",
      "192.0.2.20    | a@exists.example    | PASS      | MATCHED_EXISTS",
      "192.0.2.1     | a@broken.example    | NEUTRAL   | NO_MATCH",
      "192.0.2.1     | a@nothing.example   | NONE      | NO_RECORD",
      "192.0.2.1     | a@redirect.example  | PERMERROR | NO_RECORD",
      "192.0.2.1     | a@includes.example  | PERMERROR | NO_RECORD",
      "192.0.2.1     | a@[192.0.2.1]       | NONE      | MALFORMED_DOMAIN",
      "192.0.2.1     | a@two.example       | PERMERROR | MULTIPLE_RECORDS",
      "192.0.2.1     | a@syntax.example    | PERMERROR | RECORD_SYNTAX",
      "192.0.2.1     | a@void.example      | PERMERROR | VOID_LOOKUP_LIMIT",
      "192.0.2.1     | a@manymx.example    | PERMERROR | MX_LOOKUP_LIMIT",
  })
  void eachCause_comesFromARecordThatGivesIt(String ip, String mailFrom, SpfOutcome outcome, SpfCause cause)
      throws Exception {
    dns.load("""
        soft.example.           IN TXT "v=spf1 ~all"
        ip6.example.            IN TXT "v=spf1 ip6:2001:db8::/32 -all"
        mx.example.             IN TXT "v=spf1 mx -all"
        mx.example.             IN MX 10 mail.mx.example.
        mail.mx.example.        IN A 192.0.2.20
        ptr.example.            IN TXT "v=spf1 ptr -all"
        20.2.0.192.in-addr.arpa. IN PTR host.ptr.example.
        host.ptr.example.       IN A 192.0.2.20
        exists.example.         IN TXT "v=spf1 exists:%{i}.allow.exists.example -all"
        192.0.2.20.allow.exists.example. IN A 127.0.0.2
        redirect.example.       IN TXT "v=spf1 redirect=nothing.example"
        includes.example.       IN TXT "v=spf1 include:nothing.example -all"
        two.example.            IN TXT "v=spf1 -all"
        two.example.            IN TXT "v=spf1 +all"
        syntax.example.         IN TXT "v=spf1 moo -all"
        void.example.           IN TXT "v=spf1 a:n1.void.example a:n2.void.example a:n3.void.example -all"
        manymx.example.         IN TXT "v=spf1 mx -all"
        """);
    for (int i = 1; i <= CheckHostRun.MAX_MX_NAMES + 1; i++) {
      dns.load("manymx.example. IN MX " + i + " m" + i + ".manymx.example.");
    }

    SpfResult result = evaluate(ip, mailFrom, "x");

    assertThat(result.cause()).as(result.reason()).isEqualTo(cause);
    assertThat(result.outcome()).as(result.reason()).isEqualTo(outcome);
  }

  @Test
  void dnsTimeout_isTemperrorSayingTimeout() throws Exception {
    dns.failWith("example.com", FakeDnsServer.Failure.TIMEOUT);
    DnsResolver hurried = DnsResolver.create(List.of(dns.address()), Duration.ofMillis(200), Clock.systemUTC());

    SpfResult result = new SpfEvaluator(hurried, CLOCK, "mx").evaluate(InetAddress.getByName("192.0.2.10"),
        "a@example.com", "x").get(10, TimeUnit.SECONDS);

    assertThat(result.outcome()).isEqualTo(SpfOutcome.TEMPERROR);
    assertThat(result.cause()).isEqualTo(SpfCause.DNS_TIMEOUT);
  }

  @Test
  void aDnsSourceBreakingItsContract_isAnInternalErrorNotAnException() throws Exception {
    DnsSource broken = (name, type) -> CompletableFuture.failedFuture(new IllegalStateException("resolver bug"));

    SpfResult result = new SpfEvaluator(broken, CLOCK, "mx").evaluate(InetAddress.getByName("192.0.2.10"),
        "a@example.com", "x").get(10, TimeUnit.SECONDS);

    assertThat(result.outcome()).isEqualTo(SpfOutcome.TEMPERROR);
    assertThat(result.cause()).isEqualTo(SpfCause.INTERNAL_ERROR);
  }
}
