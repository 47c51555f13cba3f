package org.postseal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postseal.server.RunningPostseal.INTERNAL_IP;
import static org.postseal.server.RunningPostseal.OUTSIDE_IP;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postseal.config.HostPort;
import org.postseal.dns.FakeDnsServer;
import org.postseal.milter.FakeMta;
import org.postseal.milter.client.Envelope;

/**
 * The DNS faults of issue 11, each against a real Postseal over the milter socket with a real (fake) DNS server
 * that fails on purpose for every name: down (drops every query), slow (answers after twice dns.timeout),
 * SERVFAIL, truncated answers with the TCP retry answered, and truncated answers with TCP closed unanswered. The
 * inbound mail is from a sender whose SPF and DMARC records pass when DNS works; during the fault every reply still
 * comes within the message's deadline (dns.timeout 1 s, dns.message-deadline 2 s here) with what
 * dmarc.on-dns-error says (accept: continue with temperror in Authentication-Results; tempfail: 451 4.7.0), and our
 * own outbound signing, which needs no DNS, goes on as fast as before. Each case prints its observed line for the
 * fault table of the issue 11 note.
 */
class DnsFaultScenarioTest {

  private static final String DNS_TIMEOUT = "1s";
  private static final Duration DEADLINE = Duration.ofSeconds(2);
  private static final int MESSAGES = 3;

  /** How the DNS server misbehaves for every name. */
  enum Fault {
    NONE, DOWN, SLOW, SERVFAIL, TRUNCATED_TCP_ANSWERED, TRUNCATED_TCP_CLOSED;

    void apply(FakeDnsServer dns) {
      switch (this) {
        case NONE -> { }
        case DOWN -> dns.failEverything(FakeDnsServer.Failure.TIMEOUT);
        // twice dns.timeout: every answer comes after the resolver stopped waiting for it
        case SLOW -> dns.delayAnswers(Duration.ofSeconds(2));
        case SERVFAIL -> dns.failEverything(FakeDnsServer.Failure.SERVFAIL);
        case TRUNCATED_TCP_ANSWERED -> dns.failEverything(FakeDnsServer.Failure.TRUNCATE);
        case TRUNCATED_TCP_CLOSED -> dns.failEverything(FakeDnsServer.Failure.TRUNCATE_NO_TCP);
      }
    }

    /** Whether the lookups get their answers (over TCP when truncated). */
    boolean answers() {
      return this == NONE || this == TRUNCATED_TCP_ANSWERED;
    }
  }

  @TempDir
  Path stateDir;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  static Stream<Arguments> faults() {
    return Stream.of(
        Arguments.of(Fault.NONE, "accept"),
        Arguments.of(Fault.DOWN, "accept"),
        Arguments.of(Fault.DOWN, "tempfail"),
        Arguments.of(Fault.SLOW, "accept"),
        Arguments.of(Fault.SERVFAIL, "accept"),
        Arguments.of(Fault.SERVFAIL, "tempfail"),
        Arguments.of(Fault.TRUNCATED_TCP_ANSWERED, "accept"),
        Arguments.of(Fault.TRUNCATED_TCP_CLOSED, "accept"),
        Arguments.of(Fault.TRUNCATED_TCP_CLOSED, "tempfail"));
  }

  @ParameterizedTest(name = "{0}, on-dns-error = {1}")
  @MethodSource("faults")
  void everyReplyComesWithinTheDeadlineWithTheConfiguredAction(Fault fault, String onDnsError) throws Exception {
    try (FakeDnsServer dns = FakeDnsServer.start()) {
      TestKeys.writePrivateKey(stateDir, "ours.example", "s1", TestKeys.RSA.getPrivate());
      dns.load(TestKeys.txtRecord("ours.example", "s1", TestKeys.RSA.getPublic()));
      // TTL 0: nothing is cached, every message asks again
      dns.load("""
          sender.example.         0 IN TXT "v=spf1 ip4:203.0.113.0/24 -all"
          _dmarc.sender.example.  0 IN TXT "v=DMARC1; p=reject"
          """);
      try (RunningPostseal postseal = RunningPostseal.start(stateDir, dns, "domains = [\"ours.example\"]",
          "[dmarc]\non-dns-error = \"" + onDnsError + "\"\n[metrics]\nlisten = \"127.0.0.1:0\"\n",
          UnaryOperator.identity(), Clock.systemUTC(), DNS_TIMEOUT)) {
        // the key and the signing path warm (JIT), before the fault
        assertThat(send(postseal, true, "WARM").outcome.inserted("DKIM-Signature")).hasSize(1);
        fault.apply(dns);

        List<Duration> inboundTimes = new ArrayList<>();
        List<String> replies = new ArrayList<>();
        String authenticationResults = "";
        for (int i = 0; i < MESSAGES; i++) {
          Sent inbound = send(postseal, false, "IN" + i);
          inboundTimes.add(inbound.elapsed);
          replies.add(inbound.outcome.reply().summary());
          if (fault.answers() || onDnsError.equals("accept")) {
            assertThat(inbound.outcome.reply().isContinue()).as(inbound.outcome.reply().summary()).isTrue();
            authenticationResults = inbound.outcome.insertedValue("Authentication-Results");
            if (fault.answers()) {
              assertThat(authenticationResults).contains("spf=pass").contains("dmarc=pass");
            } else {
              assertThat(authenticationResults).contains("spf=temperror").contains("dmarc=temperror");
            }
          } else {
            assertThat(inbound.outcome.reply().smtpCode()).as(inbound.outcome.reply().summary()).contains(451);
            assertThat(inbound.outcome.reply().text()).contains("4.7.0").contains("sender.example");
          }
        }
        Sent outbound = send(postseal, true, "OUT");
        assertThat(outbound.outcome.inserted("DKIM-Signature")).as("signed during the fault").hasSize(1);

        Duration slowest = Collections.max(inboundTimes);
        // MAIL FROM to final reply: the SPF lookup starts at MAIL FROM, the deadline is armed at end of headers
        assertThat(slowest).isLessThan(DEADLINE.plusMillis(500));
        if (fault == Fault.DOWN || fault == Fault.SLOW) {
          // the lookups did wait for their answer, they were not given up at once
          assertThat(slowest).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        }
        if (fault == Fault.TRUNCATED_TCP_ANSWERED) {
          assertThat(dns.tcpQueryCount("_dmarc.sender.example")).isGreaterThanOrEqualTo(MESSAGES);
        }
        String scrape = scrape(postseal.server.metricsAddress().orElseThrow());
        System.out.printf(Locale.ROOT, "DNS fault %s, on-dns-error=%s: %d inbound replies %s in %s ms (MAIL FROM to"
                + " final reply); A-R %s; outbound signed in %d ms; DNS lookups %s; deadline reached %s%n", fault,
            onDnsError, MESSAGES, replies.stream().distinct().toList(),
            inboundTimes.stream().map(d -> Long.toString(d.toMillis())).toList(),
            authenticationResults.isEmpty() ? "(none: 451)" : authenticationResults.replaceAll("\\s+", " ").trim(),
            outbound.elapsed.toMillis(), series(scrape, "postseal_dns_lookups_total{"),
            series(scrape, "postseal_limits_hit_total{"));
      }
    }
  }

  private record Sent(FakeMta.MilterOutcome outcome, Duration elapsed) {
  }

  private static Sent send(RunningPostseal postseal, boolean outbound, String queueId) throws IOException {
    Envelope envelope = new Envelope("client.example", outbound ? INTERNAL_IP : OUTSIDE_IP, "client.example",
        outbound ? "<alice@ours.example>" : "<bounce@sender.example>", List.of("<rcpt@example.org>"), "", queueId);
    byte[] message = Messages.from(outbound ? "Alice <alice@ours.example>" : "Alerts <alerts@sender.example>");
    try (FakeMta mta = postseal.mta()) {
      long start = System.nanoTime();
      FakeMta.MilterOutcome outcome = mta.send(envelope, message);
      return new Sent(outcome, Duration.ofNanos(System.nanoTime() - start));
    }
  }

  private String scrape(HostPort metrics) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://" + metrics + "/metrics")).timeout(Duration.ofSeconds(5))
        .build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  /** The non-zero samples of a metric, e.g. [{answer="timeout",type="TXT"} 6.0]. */
  private static List<String> series(String scrape, String prefix) {
    return scrape.lines().filter(l -> l.startsWith(prefix) && !l.endsWith(" 0.0"))
        .map(l -> l.substring(prefix.length() - 1)).toList();
  }
}
