package org.postseal.dmarc.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postseal.dmarc.report.ReportFixtures.DAY;
import static org.postseal.dmarc.report.ReportFixtures.message;

import jakarta.mail.internet.MimeMessage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.dmarc.report.AggregateReport;
import org.postseal.dmarc.report.AggregateReportParser;
import org.postseal.dmarc.report.RecordedMessage;
import org.postseal.dmarc.report.ReportFixtures;
import org.postseal.dmarc.report.ReportSchema;
import org.postseal.dmarc.store.Delivery;
import org.postseal.dmarc.store.DeliveryState;
import org.postseal.dmarc.store.RecordedMessages;
import org.postseal.dmarc.store.ReportingCounters;
import org.postseal.dmarc.store.ResultsDatabase;
import org.postseal.dmarc.store.TestDatabase;
import org.postseal.dns.DnsResolver;
import org.postseal.dns.FakeDnsServer;
import org.postseal.dns.SettableClock;

/** Reports closed, sent to a real SMTP server, retried, refused, sent once by several instances, and after a crash. */
class ReportCycleTest {

  /** Ten minutes after the day closes: what serve's first round of the next day sees. */
  private static final Instant NEXT_DAY = DAY.plus(Duration.ofDays(1)).plus(ReportCycle.CLOSE_DELAY);

  @TempDir
  Path dir;
  private FakeDnsServer dns;
  private SettableClock clock;

  @BeforeEach
  void start() {
    dns = FakeDnsServer.start();
    dns.load("example.com._report._dmarc.reports.example.net. TXT \"v=DMARC1\"\n");
    clock = new SettableClock(NEXT_DAY);
  }

  @AfterEach
  void stop() {
    dns.close();
  }

  private ReportCycle cycle(ResultsDatabase db, ReportingCounters counters, int smtpPort, RetryPolicy retry,
                            List<String> suppress, String instance) {
    return new ReportCycle(db, counters, new ReportSettings(ReportFixtures.REPORTER, "127.0.0.1", smtpPort, suppress,
        retry, org.postseal.dmarc.report.ReportBuilder.DEFAULT_MAX_ATTACHMENT_BYTES),
        DnsResolver.create(List.of(dns.address()), Duration.ofMillis(500), clock), clock, instance);
  }

  private static void insert(ResultsDatabase db, List<RecordedMessage> rows) throws Exception {
    try (Connection c = db.connect()) {
      RecordedMessages.insert(c, rows);
    }
  }

  private static List<RecordedMessage> day() {
    List<RecordedMessage> rows = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      rows.add(message().at(DAY.plusSeconds(1000L * i)).ip(i % 3 == 0 ? "198.51.100.7" : "192.0.2.10").recorded());
    }
    return rows;
  }

  @Test
  void aDaysReport_isReceivedByARealSmtpServer_once_howeverOftenTheCycleRuns() throws Exception {
    try (TestDatabase db = TestDatabase.sqlite(dir, clock); ReportSink sink = new ReportSink()) {
      insert(db.database, day());
      ReportingCounters counters = new ReportingCounters();
      ReportCycle cycle = cycle(db.database, counters, sink.port(), RetryPolicy.DEFAULT, List.of(), "test:1");

      assertThat(cycle.close(ReportCycle.finishedUntil(clock.instant()))).hasSize(1);
      assertThat(cycle.send()).isEqualTo(new ReportCycle.SendResult(1, 0, 0, 0));
      assertThat(cycle.close(ReportCycle.finishedUntil(clock.instant()))).isEmpty();
      assertThat(cycle.send()).isEqualTo(new ReportCycle.SendResult(0, 0, 0, 0));

      assertThat(sink.received()).hasSize(1);
      MimeMessage mail = sink.received().get(0);
      Delivery sent = cycle.status(DAY).get(0);
      String id = sent.report().reportId();
      assertThat(mail.getSubject()).isEqualTo("Report Domain: example.com Submitter: mail.example.org Report-ID: " + id);
      assertThat(mail.getMessageID()).isEqualTo("<" + id + "@mail.example.org>");
      assertThat(mail.getHeader("Auto-Submitted", null)).isEqualTo("auto-generated");
      assertThat(ReportSink.attachment(mail).getFileName()).isEqualTo("mail.example.org!example.com!"
          + DAY.getEpochSecond() + "!" + (DAY.getEpochSecond() + 86_399) + "!" + id + ".xml.gz");
      byte[] xml = new java.util.zip.GZIPInputStream(ReportSink.attachment(mail).getInputStream()).readAllBytes();
      ReportSchema.validate(xml);
      AggregateReport report = AggregateReportParser.parse(xml);
      assertThat(report.messageCount()).isEqualTo(20);
      assertThat(report.records()).hasSize(2);
      assertThat(sent.state()).isEqualTo(DeliveryState.SENT);
      assertThat(counters.reportsBuilt()).isEqualTo(1);
      assertThat(counters.reportsSent()).isEqualTo(1);
    }
  }

  @Test
  void anSmtp4xx_isRetriedLater_andThenSucceeds_withTheSameReport() throws Exception {
    try (TestDatabase db = TestDatabase.sqlite(dir, clock);
         ScriptedSmtpServer relay = new ScriptedSmtpServer("451 4.3.0 queue full, try later", "250 2.0.0 queued")) {
      insert(db.database, day());
      RetryPolicy retry = new RetryPolicy(Duration.ofMinutes(1), Duration.ofMinutes(4), Duration.ofDays(1));
      ReportCycle cycle = cycle(db.database, new ReportingCounters(), relay.port(), retry, List.of(), "test:1");
      cycle.close(ReportCycle.finishedUntil(clock.instant()));

      assertThat(cycle.send()).isEqualTo(new ReportCycle.SendResult(0, 1, 0, 0));
      Delivery deferred = cycle.status(DAY).get(0);
      assertThat(deferred.state()).isEqualTo(DeliveryState.PENDING);
      assertThat(deferred.attempts()).isEqualTo(1);
      assertThat(deferred.lastReply()).isEqualTo("451 4.3.0 queue full, try later (after end of DATA)");
      assertThat(deferred.nextAttemptAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(1)));
      assertThat(cycle.send()).as("not before its time").isEqualTo(new ReportCycle.SendResult(0, 0, 0, 0));

      clock.advance(Duration.ofMinutes(1));
      assertThat(cycle.send()).isEqualTo(new ReportCycle.SendResult(1, 0, 0, 0));
      assertThat(relay.connections()).isEqualTo(2);
      assertThat(relay.accepted()).singleElement().asString()
          .contains("Report-ID: " + deferred.report().reportId());
      assertThat(cycle.status(DAY).get(0).state()).isEqualTo(DeliveryState.SENT);
    }
  }

  @Test
  void anSmtp5xx_givesUp_keepingTheReason_andTemporaryFailuresGiveUpAfterTheRetryTime() throws Exception {
    try (TestDatabase db = TestDatabase.sqlite(dir, clock);
         ScriptedSmtpServer relay = new ScriptedSmtpServer("554 5.7.1 reports not wanted here")) {
      insert(db.database, day());
      ReportingCounters counters = new ReportingCounters();
      ReportCycle cycle = cycle(db.database, counters, relay.port(), RetryPolicy.DEFAULT, List.of(), "test:1");
      cycle.close(ReportCycle.finishedUntil(clock.instant()));
      assertThat(cycle.send()).isEqualTo(new ReportCycle.SendResult(0, 0, 1, 0));
      assertThat(cycle.status(DAY)).singleElement().satisfies(d -> {
        assertThat(d.state()).isEqualTo(DeliveryState.FAILED);
        assertThat(d.lastReply()).isEqualTo("554 5.7.1 reports not wanted here (after end of DATA)");
      });
      assertThat(counters.reportsFailed()).isEqualTo(1);
    }
    try (TestDatabase db = TestDatabase.sqlite(dir.resolve("b"), clock);
         ScriptedSmtpServer relay = new ScriptedSmtpServer("421 4.3.2 shutting down")) {
      insert(db.database, day());
      RetryPolicy retry = new RetryPolicy(Duration.ofMinutes(10), Duration.ofMinutes(10), Duration.ofMinutes(25));
      ReportCycle cycle = cycle(db.database, new ReportingCounters(), relay.port(), retry, List.of(), "test:1");
      cycle.close(ReportCycle.finishedUntil(clock.instant()));
      for (int i = 0; i < 3; i++) {
        cycle.send();
        clock.advance(Duration.ofMinutes(10));
      }
      assertThat(cycle.status(DAY)).singleElement().satisfies(d -> {
        assertThat(d.state()).isEqualTo(DeliveryState.FAILED);
        assertThat(d.attempts()).isEqualTo(3);
        assertThat(d.lastReply()).startsWith("given up after 3 attempts").endsWith("421 4.3.2 shutting down (after end"
            + " of DATA)");
      });
    }
  }

  @Test
  void unverifiedExternalAndSuppressedDestinations_areRefused_verifiedOnesSent() throws Exception {
    try (TestDatabase db = TestDatabase.sqlite(dir, clock); ReportSink sink = new ReportSink()) {
      insert(db.database, List.of(message().at(DAY.plusSeconds(5)).record("v=DMARC1; p=reject; rua=mailto:dmarc@example.com,"
          + "mailto:rua@reports.example.net,mailto:victim@victim.example,mailto:x@suppressed.example", "example.com")
          .recorded()));
      ReportCycle cycle = cycle(db.database, new ReportingCounters(), sink.port(), RetryPolicy.DEFAULT,
          List.of("suppressed.example"), "test:1");
      cycle.close(ReportCycle.finishedUntil(clock.instant()));
      assertThat(cycle.send()).isEqualTo(new ReportCycle.SendResult(2, 0, 0, 2));
      assertThat(sink.received()).flatExtracting(m -> List.of(m.getAllRecipients())).extracting(Object::toString)
          .containsExactlyInAnyOrder("dmarc@example.com", "rua@reports.example.net");
      assertThat(cycle.status(DAY)).filteredOn(d -> d.state() == DeliveryState.REFUSED)
          .extracting(Delivery::destination, Delivery::lastReply)
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple("victim@victim.example", "external destination not verified: NXDOMAIN"
                  + " at example.com._report._dmarc.victim.example: victim.example does not accept reports for this"
                  + " domain"),
              org.assertj.core.groups.Tuple.tuple("x@suppressed.example", "in reports.suppress (suppressed.example)"));
    }
  }

  @Test
  void twoInstancesOnOnePostgres_sendEachReportOnce() throws Exception {
    try (TestDatabase db = TestDatabase.postgres(clock); ReportSink sink = new ReportSink()) {
      insert(db.database, day());
      insert(db.database, List.of(message().from("example.net")
          .record("v=DMARC1; p=none; rua=mailto:dmarc@example.net", "example.net").at(DAY.plusSeconds(9)).recorded()));
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        List<Future<ReportCycle.SendResult>> runs = new ArrayList<>();
        for (String instance : List.of("mx1:100", "mx2:200")) {
          ReportCycle cycle = cycle(db.database, new ReportingCounters(), sink.port(), RetryPolicy.DEFAULT, List.of(),
              instance);
          Callable<ReportCycle.SendResult> round = () -> {
            int sent = 0;
            for (int i = 0; i < 5; i++) {
              cycle.close(ReportCycle.finishedUntil(clock.instant()));
              sent += cycle.send().sent();
            }
            return new ReportCycle.SendResult(sent, 0, 0, 0);
          };
          runs.add(pool.submit(round));
        }
        int sent = 0;
        for (Future<ReportCycle.SendResult> run : runs) {
          sent += run.get(60, TimeUnit.SECONDS).sent();
        }
        assertThat(sent).isEqualTo(2);
      } finally {
        pool.shutdownNow();
      }
      assertThat(sink.received()).extracting(MimeMessage::getSubject).hasSize(2)
          .anyMatch(s -> s.startsWith("Report Domain: example.com ")).anyMatch(s -> s.startsWith("Report Domain: example.net "));
      assertThat(db.count("SELECT COUNT(*) FROM report")).isEqualTo(2);
      assertThat(db.count("SELECT COUNT(*) FROM report_delivery WHERE state = 'sent'")).isEqualTo(2);
    }
  }

  /**
   * kill -9 after the period's reports were built and committed, before any was sent: the restarted process sends
   * the report that was built, with its id and file name, exactly once.
   */
  @Test
  void killedBetweenBuiltAndSent_theRestartSendsThatSameReportOnce() throws Exception {
    Path state = dir.resolve("state");
    try (ReportSink sink = new ReportSink()) {
      ResultsDatabase database = ResultsDatabase.open("", state, clock);
      insert(database, day());
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
          CrashingReporter.class.getName(), state.toString(), NEXT_DAY.toString(),
          Integer.toString(sink.port()), dns.address()).redirectErrorStream(true).start();
      List<String> output = new ArrayList<>();
      String built = null;
      try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          output.add(line);
          if (line.startsWith("built ")) {
            built = line;
          }
          if (line.equals("about to send")) {
            break;
          }
        }
        child.destroyForcibly();
        assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
      } finally {
        child.destroyForcibly();
      }
      System.out.println("crash test: the killed process said " + output + "; exit " + child.exitValue());
      assertThat(built).as("the child's output: %s", output).isNotNull();
      assertThat(child.exitValue()).as("SIGKILL").isEqualTo(137);
      String reportId = built.split(" ")[1];
      String fileName = built.split(" ")[2];
      assertThat(sink.received()).isEmpty();

      ReportCycle restarted = cycle(database, new ReportingCounters(), sink.port(), RetryPolicy.DEFAULT, List.of(),
          "restarted:2");
      assertThat(restarted.close(ReportCycle.finishedUntil(clock.instant()))).as("nothing left to build").isEmpty();
      assertThat(restarted.send().sent()).isEqualTo(1);
      assertThat(restarted.send().sent()).isZero();

      assertThat(sink.received()).singleElement().satisfies(mail -> {
        assertThat(mail.getSubject()).endsWith("Report-ID: " + reportId);
        assertThat(ReportSink.attachment(mail).getFileName()).isEqualTo(fileName);
      });
      System.out.println("crash test: after the restart the SMTP server holds " + sink.received().size()
          + " message: " + sink.received().get(0).getSubject() + ", attachment "
          + ReportSink.attachment(sink.received().get(0)).getFileName());
    }
  }
}
