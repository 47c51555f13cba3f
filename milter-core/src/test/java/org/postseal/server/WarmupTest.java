package org.postseal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postseal.server.RunningPostseal.OUTSIDE_IP;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.config.ConfigLoader;
import org.postseal.config.ConfigResult;
import org.postseal.config.PostsealConfig;
import org.postseal.dns.FakeDnsServer;
import org.postseal.milter.FakeMta;
import org.postseal.pipeline.SyntheticMail;
import org.slf4j.LoggerFactory;

/**
 * serve's warm-up ({@link Warmup}) signs and verifies made-up messages before it says it is ready, and leaves no
 * trace: no log line for any of them, nothing in the metrics, no row in the results database. One real message
 * afterwards shows up in all three, so each check can see a message when there is one.
 */
class WarmupTest {

  @TempDir
  Path stateDir;

  /** Families a message moves; after the warm-up alone each must be absent or zero. */
  private static final List<String> MESSAGE_SERIES = List.of("postseal_messages_total", "postseal_signatures_total",
      "postseal_verification_results_total", "postseal_decision_seconds_count", "postseal_dns_lookups_total",
      "postseal_dmarc_results_stored_total", "postseal_internal_errors_total");

  private static List<String> nonZero(String scrape) {
    return scrape.lines().filter(l -> !l.startsWith("#"))
        .filter(l -> MESSAGE_SERIES.stream().anyMatch(l::startsWith))
        .filter(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) != 0)
        .toList();
  }

  private static long rows(Path database) throws Exception {
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
         Statement statement = connection.createStatement();
         ResultSet result = statement.executeQuery("SELECT count(*) FROM evaluated_message")) {
      result.next();
      return result.getLong(1);
    }
  }

  @Test
  void theWarmUpRunsBeforeStartReturnsAndIsNeitherLoggedCountedNorRecorded() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger postseal = (Logger) LoggerFactory.getLogger("org.postseal");
    Level saved = postseal.getLevel();
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    root.addAppender(log);
    postseal.setLevel(Level.INFO);
    HttpClient http = HttpClient.newHttpClient();
    try (FakeDnsServer dns = FakeDnsServer.start()) {
      dns.load("example.net. 300 IN TXT \"v=spf1 -all\"\n");
      String toml = "listen = \"inet:127.0.0.1:0\"\nauthserv-id = \"" + RunningPostseal.AUTHSERV_ID + "\"\n"
          + "state-dir = \"" + stateDir + "\"\n"
          + "[dns]\nservers = [\"" + dns.address() + "\"]\ntimeout = \"500ms\"\n"
          + "[reports]\nenabled = false\n[metrics]\nlisten = \"127.0.0.1:0\"\n";
      ConfigResult result = new ConfigLoader(Path.of("/nonexistent"), () -> "unused").parse(toml, "test.toml");
      PostsealConfig config = ((ConfigResult.Valid) result).config();
      PostsealServer server = PostsealServer.builder(config).drainTime(Duration.ofSeconds(2))
          .warmUp(Duration.ofSeconds(30), 6).start();
      URI metrics = URI.create("http://" + server.metricsAddress().orElseThrow() + "/metrics");
      String afterWarmUp;
      String afterRealMessage;
      try {
        // it ran, in start(), and said so in one line
        List<String> lines = log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        String summary = lines.stream().filter(l -> l.startsWith("warm-up: ")).findFirst().orElseThrow(
            () -> new AssertionError("no warm-up line in " + lines));
        assertThat(Integer.parseInt(summary.split(" ")[1])).isEqualTo(6);
        assertThat(lines).noneMatch(l -> l.startsWith("warm-up stopped"));
        // the second three went over its private loopback listener, which said nothing of itself
        assertThat(summary).contains(", 3 of them over a loopback milter connection");
        // its lookups went through a resolver to its loopback responder: key records, SPF (MAIL FROM, HELO), DMARC
        assertThat(Integer.parseInt(summary.replaceAll(".*connection, (\\d+) DNS questions.*", "$1")))
            .isGreaterThanOrEqualTo(4);
        assertThat(lines.stream().filter(l -> l.startsWith("milter listening on"))).hasSize(1);
        assertThat(lines).noneMatch(l -> l.startsWith("milter on ") && l.endsWith(" stopped"));
        // no line for any of its messages: no message line, nothing naming its domain or sessions
        assertThat(log.list).noneMatch(e -> e.getLoggerName().equals("org.postseal.message"));
        assertThat(lines).noneMatch(l -> l.contains(SyntheticMail.DOMAIN) || l.contains("warmup-"));
        afterWarmUp = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).body();

        // one real message: logged, counted, recorded
        try (FakeMta mta = FakeMta.connect(server.boundAddress())) {
          assertThat(mta.send(FakeMta.envelope(OUTSIDE_IP), Messages.from("Dan <dan@example.org>")).reply().isContinue())
              .isTrue();
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (log.list.stream().noneMatch(e -> e.getLoggerName().equals("org.postseal.message"))
            && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        afterRealMessage = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).body();
      } finally {
        server.close();
        root.detachAppender(log);
        postseal.setLevel(saved);
      }
      assertThat(nonZero(afterWarmUp)).isEmpty();
      assertThat(log.list.stream().filter(e -> e.getLoggerName().equals("org.postseal.message"))).hasSize(1);
      // the real message was counted, so the empty scrape above is not an accident of the filter
      assertThat(nonZero(afterRealMessage)).anyMatch(l -> l.startsWith("postseal_messages_total"));
      assertThat(rows(stateDir.resolve("postseal.db"))).isEqualTo(1);
    }
  }
}
