package org.postseal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postseal.cli.CliRun.run;
import static org.postseal.dmarc.report.ReportFixtures.message;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postseal.dmarc.outbox.ReportSink;
import org.postseal.dmarc.report.AggregateReport;
import org.postseal.dmarc.report.AggregateReportParser;
import org.postseal.dmarc.report.RecordedMessage;
import org.postseal.dmarc.report.ReportSchema;
import org.postseal.dmarc.store.RecordedMessages;
import org.postseal.dmarc.store.ResultsDatabase;
import org.postseal.dmarc.store.TestDatabase;
import org.postseal.spf.SpfOutcome;

/** {@code postseal report send|show|status} in process, on SQLite in state-dir and on PostgreSQL. */
class ReportCommandTest {

  @TempDir
  Path dir;

  /** A configuration for the database {@code url} ("" = SQLite in state-dir); {@code reports} lines are added. */
  private Path config(String url, String reports) throws IOException {
    Path file = dir.resolve("postseal.toml");
    Files.writeString(file, "state-dir = \"" + dir.resolve("state") + "\"\nauthserv-id = \"mx.example.org\"\n"
        + "[dns]\nservers = [\"127.0.0.1:9\"]\ntimeout = \"200ms\"\n"
        + "[signing]\ndomains = [\"example.org\"]\n"
        + "[reports]\n" + reports + "\n[database]\nurl = \"" + url + "\"\n");
    return file;
  }

  /** Messages of the last hours: two policy domains, a failing source, a message without a DMARC record. */
  private static List<RecordedMessage> evaluatedToday(Instant now) {
    Instant t = now.minus(Duration.ofMinutes(30)).truncatedTo(ChronoUnit.SECONDS);
    if (!t.truncatedTo(ChronoUnit.DAYS).equals(now.truncatedTo(ChronoUnit.DAYS))) {
      t = now.truncatedTo(ChronoUnit.DAYS);
    }
    List<RecordedMessage> rows = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      rows.add(message().at(t).recorded());
    }
    rows.add(message().at(t).ip("203.0.113.66").dkimAligned(false).spf(SpfOutcome.FAIL, false)
        .action(org.postseal.dmarc.DmarcAction.REJECT).recorded());
    rows.add(message().at(t).from("example.net").record("v=DMARC1; p=none; rua=mailto:d@example.net", "example.net")
        .recorded());
    rows.add(message().at(t).from("norecord.example").noRecord().recorded());
    return rows;
  }

  private static void insert(ResultsDatabase db, List<RecordedMessage> rows) throws Exception {
    try (Connection c = db.connect()) {
      RecordedMessages.insert(c, rows);
    }
  }

  @ParameterizedTest
  @EnumSource(ResultsDatabase.Dialect.class)
  void showListsWhatWasEvaluated_andDryRunWritesSchemaValidReports_onePerPolicyDomain(ResultsDatabase.Dialect dialect)
      throws Exception {
    Instant now = Instant.now();
    try (TestDatabase db = TestDatabase.create(dialect, dir.resolve("state"), java.time.Clock.systemUTC())) {
      insert(db.database, evaluatedToday(now));
      Path config = config(db.url, "");

      CliRun show = run("report", "show", "--config", config.toString());
      assertThat(show.exitCode()).as(show.err()).isZero();
      List<String> lines = show.out().lines().toList();
      assertThat(lines.get(0)).endsWith(": 7 evaluated messages");
      assertThat(lines.get(1)).startsWith("POLICY DOMAIN").contains("SOURCE IP", "MESSAGES", "DMARC", "DISPOSITION");
      assertThat(lines.get(2)).as("failing sources first").startsWith("example.com").contains("203.0.113.66", "fail",
          "reject");
      assertThat(lines).anyMatch(l -> l.matches("\\(no record\\) +norecord\\.example .*"))
          .anyMatch(l -> l.startsWith("example.net "));

      CliRun json = run("report", "show", "--config", config.toString(), "--json", "--domain", "example.com");
      JsonNode rows = new ObjectMapper().readTree(json.out()).get("rows");
      assertThat(rows).hasSize(2);
      assertThat(rows.get(1).get("count").asInt()).isEqualTo(4);
      assertThat(rows.get(1).get("dkim_aligned").asBoolean()).isTrue();

      Path out = dir.resolve("out");
      CliRun dry = run("report", "send", "--dry-run", "--out", out.toString(), "--until", "now", "--config",
          config.toString());
      assertThat(dry.exitCode()).as(dry.err()).isZero();
      assertThat(dry.out()).startsWith("dry run: 2 reports until ").contains("(nothing recorded, nothing sent)")
          .contains("reports.from is empty: these name postmaster@mx.example.org as their sender");
      List<Path> files;
      try (Stream<Path> listed = Files.list(out)) {
        files = listed.sorted().toList();
      }
      assertThat(files).extracting(f -> f.getFileName().toString())
          .allMatch(n -> n.matches("mx\\.example\\.org!example\\.(com|net)!\\d+!\\d+![0-9a-f]{32}\\.xml\\.gz"));
      List<String> domains = new ArrayList<>();
      for (Path file : files) {
        byte[] xml;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
          xml = in.readAllBytes();
        }
        ReportSchema.validate(xml);
        AggregateReport report = AggregateReportParser.parse(xml);
        domains.add(report.policy().domain());
        // --until now: the period ends at the command's now (its last second is the one before)
        assertThat(report.metadata().end()).isBetween(now.getEpochSecond() - 1, Instant.now().getEpochSecond());
      }
      assertThat(domains).containsExactlyInAnyOrder("example.com", "example.net");
      assertThat(db.count("SELECT COUNT(*) FROM report")).as("a dry run records nothing").isZero();
    }
  }

  @Test
  void sendClosesFinishedDays_sendsToARealSmtpServer_andStatusShowsTheOutbox() throws Exception {
    Instant yesterday = Instant.now().minus(Duration.ofDays(1)).truncatedTo(ChronoUnit.DAYS).plusSeconds(3600);
    try (TestDatabase db = TestDatabase.sqlite(dir.resolve("state"), java.time.Clock.systemUTC());
         ReportSink sink = new ReportSink()) {
      insert(db.database, List.of(message().at(yesterday).recorded(), message().at(yesterday.plusSeconds(60))
          .record("v=DMARC1; p=reject; rua=mailto:dmarc@example.com,mailto:x@unverified.example", "example.com")
          .recorded()));
      Path config = config("", "from = \"dmarc@example.org\"\nsmtp = \"127.0.0.1:" + sink.port() + "\"");

      // today's midnight, by date (the default, the last midnight 10 minutes past, is the same after 00:10 UTC)
      String today = Instant.now().toString().substring(0, 10);
      CliRun send = run("report", "send", "--until", today, "--config", config.toString());
      assertThat(send.exitCode()).as(send.err()).isZero();
      assertThat(send.out()).contains("closed " + yesterday.truncatedTo(ChronoUnit.DAYS) + " .. ")
          .contains(": 2 messages, 1 report")
          // the configured DNS server does not answer: the external destination's verification waits for a later try
          .contains("deliveries: 1 sent, 1 deferred, 0 failed, 0 refused");
      assertThat(sink.received()).hasSize(1);
      assertThat(sink.received().get(0).getAllRecipients()[0]).hasToString("dmarc@example.com");
      assertThat(run("report", "send", "--until", today, "--config", config.toString()).out())
          .startsWith("no period to close until ");

      CliRun status = run("report", "status", "--config", config.toString());
      assertThat(status.exitCode()).isZero();
      assertThat(status.out()).contains("dmarc@example.com", "sent", "250")
          .contains("x@unverified.example", "pending", "next attempt", "external destination verification deferred")
          .endsWith("1 pending, 1 sent, 0 failed, 0 refused\n");
      JsonNode json = new ObjectMapper().readTree(run("report", "status", "--json", "--config", config.toString()).out());
      assertThat(json.get("deliveries")).hasSize(2);
      assertThat(json.get("closed_until").asText()).isNotEmpty();
    }
  }

  @Test
  void sendingWithoutASender_isRefused_andBadArgumentsAreUsageErrors() throws Exception {
    Path config = config("", "");
    CliRun send = run("report", "send", "--config", config.toString());
    assertThat(send.exitCode()).isEqualTo(1);
    assertThat(send.err()).contains("reports.from is empty");
    assertThat(run("report", "send", "--dry-run", "--config", config.toString()).exitCode()).isEqualTo(2);
    CliRun badTime = run("report", "send", "--until", "yesterday-ish", "--config", config.toString());
    assertThat(badTime.exitCode()).isEqualTo(2);
    assertThat(badTime.err()).contains("--until yesterday-ish is not a time");
    assertThat(run("report", "show", "--since", "24h", "--config", config.toString()).out())
        .startsWith("No evaluated messages since ");
    assertThat(run("report", "status", "--config", config.toString()).out())
        .isEqualTo("Periods closed until (none yet)\nThe outbox is empty.\n");
  }
}
