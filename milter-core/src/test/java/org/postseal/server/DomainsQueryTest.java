package org.postseal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postseal.server.RunningPostseal.INTERNAL_IP;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.dmarc.store.TestDatabase;
import org.postseal.dns.FakeDnsServer;
import org.postseal.milter.FakeMta;
import org.slf4j.LoggerFactory;

/**
 * [signing] domains-query against the real PostgreSQL (127.0.0.1:5432, database test; a schema and table of this
 * test's own): a domain inserted while serve runs is signed within the refresh interval, at once after a SIGHUP, and
 * when the query fails the last good list stays in force, with an ERROR line and the metric counting it.
 */
class DomainsQueryTest {

  @TempDir
  Path stateDir;
  private FakeDnsServer dns;
  private TestDatabase db;
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(DomainsQuery.class);
  private ch.qos.logback.classic.Level savedLevel;

  @BeforeEach
  void setUp() throws SQLException {
    dns = FakeDnsServer.start();
    db = TestDatabase.postgres(Clock.systemUTC());
    sql("CREATE TABLE virtual_domains (domain TEXT NOT NULL, active BOOLEAN NOT NULL)");
    sql("INSERT INTO virtual_domains VALUES ('example.com', true), ('inactive.example', false)");
    TestKeys.writePrivateKey(stateDir, "example.com", "s1", TestKeys.RSA.getPrivate());
    TestKeys.writePrivateKey(stateDir, "new.example", "s1", TestKeys.RSA_OTHER.getPrivate());
    // a key signs only while DNS serves it (issue 11): both keys are published
    dns.load(TestKeys.txtRecord("example.com", "s1", TestKeys.RSA.getPublic())
        + TestKeys.txtRecord("new.example", "s1", TestKeys.RSA_OTHER.getPublic()));
    // appended to by the postseal-domains thread while the test reads it
    log.list = new java.util.concurrent.CopyOnWriteArrayList<>();
    log.start();
    logger.addAppender(log);
    savedLevel = logger.getLevel();
    logger.setLevel(ch.qos.logback.classic.Level.INFO);
  }

  @AfterEach
  void tearDown() throws SQLException {
    logger.detachAppender(log);
    logger.setLevel(savedLevel);
    dns.close();
    db.close();
  }

  private void sql(String statement) throws SQLException {
    try (Connection c = DriverManager.getConnection(db.url); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  private RunningPostseal start(String refresh) {
    return RunningPostseal.start(stateDir, dns, "domains = []\ndomains-query = \"SELECT domain FROM virtual_domains"
            + " WHERE active\"\ndomains-refresh = \"" + refresh + "\"\n",
        "[database]\nurl = \"" + db.url + "\"\n[metrics]\nlisten = \"127.0.0.1:0\"\n", p -> p, Clock.systemUTC());
  }

  private static boolean signs(RunningPostseal postseal, String domain) throws IOException {
    FakeMta.MilterOutcome outcome = postseal.send(FakeMta.envelope(INTERNAL_IP), Messages.from("someone@" + domain));
    return !outcome.inserted("DKIM-Signature").isEmpty();
  }

  private static long await(BooleanSupplier condition, long maxMillis) throws InterruptedException {
    long start = System.nanoTime();
    while (!condition.getAsBoolean()) {
      if ((System.nanoTime() - start) / 1_000_000 > maxMillis) {
        throw new AssertionError("not within " + maxMillis + " ms");
      }
      Thread.sleep(50);
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  private static String metrics(RunningPostseal postseal) throws Exception {
    var address = postseal.server.metricsAddress().orElseThrow();
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + address.host() + ":"
        + address.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  @Test
  void aDomainInsertedWhileServeRuns_isSignedWithinTheRefresh_andAFailedQueryKeepsTheLastList() throws Exception {
    try (RunningPostseal postseal = start("1s")) {
      await(() -> postseal.server.config().signing().domains().contains("example.com"), 5_000);
      assertThat(signs(postseal, "example.com")).isTrue();
      assertThat(signs(postseal, "new.example")).as("not in the table yet").isFalse();
      assertThat(postseal.server.config().signing().domains()).containsExactly("example.com");

      sql("INSERT INTO virtual_domains VALUES ('New.Example', true)");
      long took = await(() -> {
        try {
          return signs(postseal, "new.example");
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }, 5_000);
      assertThat(took).as("signed within the 1 s refresh (and a query's time)").isLessThan(2_500);
      assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage)
          .anyMatch(l -> l.startsWith("signing: domains-query returned 2 domains, added [new.example]"));

      sql("DROP TABLE virtual_domains");
      await(() -> postseal.server.domainsQueryFailures() > 0, 5_000);
      // the failure is counted, then logged
      await(() -> log.list.stream().anyMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR), 5_000);
      ILoggingEvent failed = log.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR)
          .findFirst().orElseThrow();
      assertThat(failed.getFormattedMessage()).startsWith("signing: domains-query failed on jdbc:postgresql://")
          .contains("keeping the last good list of 2 domains [example.com, new.example] from ")
          .contains("virtual_domains");
      assertThat(signs(postseal, "new.example")).as("the last good list stays in force").isTrue();
      assertThat(postseal.server.healthProblems()).isEmpty();
      String scrape = metrics(postseal);
      assertThat(scrape).containsPattern("postseal_signing_domains_query_failures_total [1-9]")
          .contains("postseal_signing_domains 2.0");
    }
  }

  @Test
  void sighupRunsTheQueryAtOnce() throws Exception {
    try (RunningPostseal postseal = start("1h")) {
      await(() -> postseal.server.config().signing().domains().contains("example.com"), 5_000);
      sql("INSERT INTO virtual_domains VALUES ('new.example', true)");
      assertThat(signs(postseal, "new.example")).as("the next refresh is an hour away").isFalse();
      postseal.server.reload();
      assertThat(signs(postseal, "new.example")).isTrue();
      assertThat(postseal.server.config().signing().domains()).containsExactly("example.com", "new.example");
    }
  }
}
