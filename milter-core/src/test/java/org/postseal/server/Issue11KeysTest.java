package org.postseal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postseal.server.RunningPostseal.INTERNAL_IP;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
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
import org.postseal.dkim.DkimOutcome;
import org.postseal.dkim.DkimResult;
import org.postseal.dns.FakeDnsServer;
import org.postseal.keys.SigningKeyCheck;
import org.postseal.milter.FakeMta;
import org.slf4j.LoggerFactory;

/**
 * Issue 11 through a real serve, a real milter socket and a DNS server on loopback: a key signs only while DNS
 * serves its public key. Before, a key file replaced by another key signed without a word (every receiver then
 * said dkim=fail), and with keys.state lost the greatest selector signed though it was never published. Root cause:
 * the key was chosen from the files alone; now {@code SigningKeys} checks each against the last DNS answer.
 */
class Issue11KeysTest {

  private static final String DOMAIN = "keys.example";

  @TempDir
  Path stateDir;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private String scrape(HostPort address) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://" + address + "/metrics")).timeout(Duration.ofSeconds(5))
        .build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  private static double sample(String scrape, String series) {
    return scrape.lines().filter(l -> l.startsWith(series + " ")).findFirst()
        .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim().split(" ")[0])).orElse(-1.0);
  }

  @Test
  void aReplacedKeyFileAndANeverPublishedGreatestSelectorDoNotSign_anErrorAndAMetricSayWhy() throws Exception {
    Path published = TestKeys.writePrivateKey(stateDir, DOMAIN, "s1", TestKeys.RSA.getPrivate());
    // no keys.state (lost): s9 sorts highest, but was never published
    TestKeys.writePrivateKey(stateDir, DOMAIN, "s9", TestKeys.RSA_OTHER.getPrivate());
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    Logger logger = (Logger) LoggerFactory.getLogger(SigningKeyCheck.class);
    logger.addAppender(log);
    byte[] raw = Messages.from("ann@" + DOMAIN);
    try (FakeDnsServer dns = FakeDnsServer.start()) {
      dns.load(TestKeys.txtRecord(DOMAIN, "s1", TestKeys.RSA.getPublic()));
      try (RunningPostseal postseal = RunningPostseal.start(stateDir, dns, "domains = [\"" + DOMAIN + "\"]",
          "[metrics]\nlisten = \"127.0.0.1:0\"\n", UnaryOperator.identity())) {
        HostPort metrics = postseal.server.metricsAddress().orElseThrow();

        FakeMta.MilterOutcome first = postseal.send(FakeMta.envelope(INTERNAL_IP), raw);
        assertThat(postseal.verifyDirectly(first.applyTo(raw))).extracting(DkimResult::outcome, DkimResult::selector)
            .containsExactly(org.assertj.core.groups.Tuple.tuple(DkimOutcome.PASS, "s1"));
        assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage).anyMatch(l -> l.contains(
            "s9.pem (d=keys.example s=s9) should sign but DNS does not serve its key")
            && l.contains("rsa-sha256 signatures of keys.example use s=s1 instead"));
        assertThat(sample(scrape(metrics), "postseal_signing_keys_withheld{reason=\"missing\"}")).isEqualTo(1);

        // the key file replaced by another key; serve notices at its next scan of the key files
        TestKeys.writePrivateKey(stateDir, DOMAIN, "s1", TestKeys.RSA_OTHER.getPrivate());
        assertThat(postseal.server.refreshKeys()).isTrue();

        FakeMta.MilterOutcome second = postseal.send(FakeMta.envelope(INTERNAL_IP), raw);
        assertThat(second.reply().isContinue()).isTrue();
        assertThat(second.inserted("DKIM-Signature")).as("no signature receivers would fail").isEmpty();
        assertThat(log.list).filteredOn(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR)
            .extracting(ILoggingEvent::getFormattedMessage).anyMatch(l -> l.startsWith("keys: " + published
                + " (d=keys.example s=s1) holds a key DNS does not serve") && l.contains("Fix: put back the key file"));
        String after = scrape(metrics);
        assertThat(sample(after, "postseal_signing_keys_withheld{reason=\"different_key\"}")).isEqualTo(1);
        assertThat(sample(after, "postseal_messages_total{action=\"unsigned\",direction=\"outbound\"}")).isEqualTo(1);
        assertThat(postseal.server.healthProblems()).anyMatch(p -> p.contains("s1.pem (s=s1) does not sign,"
            + " different_key"));

        // the minute's re-check says nothing new: one ERROR per change, not one per minute
        long errors = log.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR).count();
        postseal.server.recheckKeys();
        assertThat(log.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR).count())
            .isEqualTo(errors);
      }
    } finally {
      logger.detachAppender(log);
    }
  }
}
