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
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.config.HostPort;
import org.postseal.dns.FakeDnsServer;
import org.postseal.milter.FakeMta;
import org.postseal.pipeline.InboundAuthentication;

/**
 * Postseal with [metrics] listen on: a few messages through the milter move the counters that /metrics shows,
 * and /healthz says whether the milter runs with its keys.
 */
class ServeMetricsTest {

  @TempDir
  Path stateDir;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private HttpResponse<String> get(HostPort address, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://" + address + path)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The value of the sample line that starts with {@code series} (name and labels as printed), else -1. */
  private static double sample(String scrape, String series) {
    return scrape.lines().filter(l -> l.startsWith(series + " ")).findFirst()
        .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim().split(" ")[0])).orElse(-1.0);
  }

  @Test
  void messagesThroughTheMilterMoveTheCountersAndHealthIsOk() throws Exception {
    try (FakeDnsServer dns = FakeDnsServer.start()) {
      TestKeys.writePrivateKey(stateDir, "example.com", "rsa2026", TestKeys.RSA.getPrivate());
      dns.load(TestKeys.txtRecord("example.com", "rsa2026", TestKeys.RSA.getPublic())
          // the envelope's MAIL FROM is sender@example.net
          + "example.net. 300 IN TXT \"v=spf1 -all\"\n"
          + "_dmarc.bank.example. 300 IN TXT \"v=DMARC1; p=reject\"\n");
      try (RunningPostseal postseal = RunningPostseal.start(stateDir, dns, "domains = [\"example.com\"]",
          "[metrics]\nlisten = \"127.0.0.1:0\"\n", UnaryOperator.identity())) {
        HostPort metrics = postseal.server.metricsAddress().orElseThrow();

        String before = get(metrics, "/metrics").body();
        assertThat(sample(before, "postseal_signatures_total{algorithm=\"rsa-sha256\"}")).isZero();
        assertThat(sample(before, "postseal_keys{algorithm=\"rsa-sha256\",state=\"active\"}")).isEqualTo(1);

        // outbound: signed
        assertThat(postseal.send(FakeMta.envelope(INTERNAL_IP), Messages.from("Alice <alice@example.com>"))
            .inserted("DKIM-Signature")).hasSize(1);
        // outbound from a domain we do not sign for
        postseal.send(FakeMta.envelope(INTERNAL_IP), Messages.from("Carol <carol@elsewhere.example>"));
        // inbound: no signature, SPF fail, no DMARC record: delivered
        assertThat(postseal.send(FakeMta.envelope(OUTSIDE_IP), Messages.from("Dan <dan@example.org>")).reply()
            .isContinue()).isTrue();
        // inbound: a forgery of a p=reject domain, nothing aligned: refused
        FakeMta.MilterOutcome forged = postseal.send(FakeMta.envelope(OUTSIDE_IP), Messages.from("Bank <ceo@bank.example>"));
        assertThat(forged.reply().isContinue()).isFalse();

        // the counters move just after the reply is sent (they record the reply that went out): the client can
        // read its reply first, so wait for the last message's decision to be counted
        HttpResponse<String> response = get(metrics, "/metrics");
        for (int i = 0; i < 50 && (sample(response.body(), "postseal_decision_seconds_count{direction=\"inbound\"}") < 2
            || sample(response.body(), "postseal_decision_seconds_count{direction=\"outbound\"}") < 2); i++) {
          Thread.sleep(100);
          response = get(metrics, "/metrics");
        }
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> t.startsWith("text/plain"));
        String scrape = response.body();
        assertThat(sample(scrape, "postseal_messages_total{action=\"signed\",direction=\"outbound\"}")).isEqualTo(1);
        assertThat(sample(scrape, "postseal_messages_total{action=\"unsigned\",direction=\"outbound\"}")).isEqualTo(1);
        assertThat(sample(scrape, "postseal_messages_total{action=\"accept\",direction=\"inbound\"}")).isEqualTo(1);
        assertThat(sample(scrape, "postseal_messages_total{action=\"reject\",direction=\"inbound\"}")).isEqualTo(1);
        assertThat(sample(scrape, "postseal_signatures_total{algorithm=\"rsa-sha256\"}")).isEqualTo(1);
        assertThat(sample(scrape, "postseal_verification_results_total{cause=\"no_signature\",method=\"dkim\",result=\"none\"}"))
            .isEqualTo(2);
        assertThat(sample(scrape, "postseal_verification_results_total{cause=\"matched_all\",method=\"spf\",result=\"fail\"}"))
            .isEqualTo(2);
        assertThat(scrape).containsPattern("postseal_verification_results_total\\{cause=\"[a-z_]+\",method=\"dmarc\","
            + "result=\"fail\"} 1\\.0");
        assertThat(sample(scrape, "postseal_decision_seconds_count{direction=\"inbound\"}")).isEqualTo(2);
        assertThat(sample(scrape, "postseal_decision_seconds_count{direction=\"outbound\"}")).isEqualTo(2);
        assertThat(sample(scrape, "postseal_dns_lookups_total{answer=\"found\",type=\"TXT\"}")).isPositive();
        assertThat(sample(scrape, "postseal_dns_lookups_total{answer=\"not_found\",type=\"TXT\"}")).isPositive();
        assertThat(sample(scrape, "postseal_dns_lookup_seconds_count{type=\"TXT\"}")).isPositive();
        assertThat(scrape).contains("postseal_dns_cache_hits_total");
        assertThat(sample(scrape, "postseal_messages_in_flight")).isZero();
        assertThat(sample(scrape, "postseal_internal_errors_total{direction=\"inbound\"}")).isZero();
        assertThat(sample(scrape, "postseal_key_problems")).isZero();
        // the milter port's limits: none hit by these well-behaved sessions
        assertThat(sample(scrape, "postseal_milter_limit_events_total{event=\"connection_refused\"}")).isZero();
        assertThat(sample(scrape, "postseal_milter_limit_events_total{event=\"message_over_limit\"}")).isZero();
        // the mechanism limits: every series there from the start, none hit
        for (String limit : InboundAuthentication.LIMITS) {
          assertThat(sample(scrape, "postseal_limits_hit_total{limit=\"" + limit + "\"}")).as(limit).isZero();
        }
        // every label comes from a fixed set: no domain, no address
        assertThat(scrape).doesNotContain("example.com").doesNotContain("bank.example").doesNotContain(OUTSIDE_IP);

        // a session counts while its connection is open
        try (FakeMta mta = postseal.mta()) {
          mta.send(FakeMta.envelope(OUTSIDE_IP), Messages.from("Dan <dan@example.org>"));
          assertThat(sample(get(metrics, "/metrics").body(), "postseal_sessions_open")).isEqualTo(1);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (sample(get(metrics, "/metrics").body(), "postseal_sessions_open") != 0 && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertThat(sample(get(metrics, "/metrics").body(), "postseal_sessions_open")).isZero();

        HttpResponse<String> health = get(metrics, "/healthz");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("ok\n");
        assertThat(get(metrics, "/other").statusCode()).isEqualTo(404);
      }
    }
  }

  @Test
  void healthIsUnavailableNamingTheDomainWhoseMailGoesOutUnsigned() throws Exception {
    try (FakeDnsServer dns = FakeDnsServer.start();
         RunningPostseal postseal = RunningPostseal.start(stateDir, dns, "domains = [\"nokey.example\"]",
             "[metrics]\nlisten = \"127.0.0.1:0\"\n", UnaryOperator.identity())) {
      HttpResponse<String> health = get(postseal.server.metricsAddress().orElseThrow(), "/healthz");
      assertThat(health.statusCode()).isEqualTo(503);
      assertThat(health.body()).isEqualTo("keys: no usable key for nokey.example in signing.domains: its mail goes out"
          + " unsigned\n");
    }
  }

  @Test
  void withoutMetricsListenNothingIsServed() throws Exception {
    try (FakeDnsServer dns = FakeDnsServer.start();
         RunningPostseal postseal = RunningPostseal.start(stateDir, dns, "", "", UnaryOperator.identity())) {
      assertThat(postseal.server.metricsAddress()).isEmpty();
    }
  }
}
