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
import org.postseal.dns.Deadline;
import org.postseal.dns.DnsResolver;
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
    assertThat(result.reason()).contains("ip4:192.0.2.0/24");
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
    assertThat(result.reason()).contains("example.com TXT").contains("SERVFAIL");
  }

  @Test
  void failureInsideAnInclude_isTemperror() throws Exception {
    dns.failWith("relay.example.net", FakeDnsServer.Failure.REFUSED);

    SpfResult result = evaluate("198.51.100.99", "a@example.com", "x");

    assertThat(result.outcome()).isEqualTo(SpfOutcome.TEMPERROR);
    assertThat(result.reason()).startsWith("include:_spf.example.net: ").contains("relay.example.net");
  }

  @Test
  void noRecordAndInvalidDomains_areNone() throws Exception {
    assertThat(evaluate("192.0.2.1", "a@nothing.example", "x").outcome()).isEqualTo(SpfOutcome.NONE);
    SpfResult literal = evaluate("192.0.2.1", "", "[192.0.2.1]");
    assertThat(literal.outcome()).isEqualTo(SpfOutcome.NONE);
    assertThat(literal.reason()).contains("address literal");
    assertThat(dns.queryCount("nothing.example")).isEqualTo(1);
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
    assertThat(result.reason()).contains("did not finish by its deadline");
    assertThat((System.nanoTime() - start) / 1_000_000).isBetween(250L, 2_500L);
  }

  @Test
  void recordThatIncludesItself_stopsAtTheLookupLimit() throws Exception {
    SpfResult result = evaluate("192.0.2.1", "a@broken.example", "x");

    assertThat(result.outcome()).isEqualTo(SpfOutcome.NEUTRAL);
    dns.load("loop.example. IN TXT \"v=spf1 include:loop.example\"");
    SpfResult loop = evaluate("192.0.2.1", "a@loop.example", "x");
    assertThat(loop.outcome()).isEqualTo(SpfOutcome.PERMERROR);
    assertThat(loop.reason()).contains("more than 10 DNS-querying terms");
    assertThat(dns.queryCount("loop.example")).isLessThanOrEqualTo(11);
  }
}
