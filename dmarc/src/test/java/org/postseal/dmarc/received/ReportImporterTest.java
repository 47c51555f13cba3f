package org.postseal.dmarc.received;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postseal.dmarc.DmarcAlignmentMode;
import org.postseal.dmarc.DmarcPolicy;
import org.postseal.dmarc.report.AggregateReport;
import org.postseal.dmarc.report.AggregateReportWriter;
import org.postseal.dmarc.report.BuiltReport;
import org.postseal.dmarc.report.RecordedMessage;
import org.postseal.dmarc.report.ReportBuilder;
import org.postseal.dmarc.report.ReportFixtures;
import org.postseal.dmarc.report.ReportMessage;
import org.postseal.dmarc.report.ReportPeriod;
import org.postseal.dmarc.report.ReportRecord;
import org.postseal.dmarc.store.ResultsDatabase;
import org.postseal.dmarc.store.TestDatabase;

/** {@link ReportImporter} on SQLite and on the real PostgreSQL: what is stored, once, and what is never stored. */
class ReportImporterTest {

  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-29T08:00:00Z"), ZoneOffset.UTC);

  @TempDir
  Path dir;

  /** What import must store for one of our own reports: the same data, written as the receiver's value. */
  static ReceivedReport expected(AggregateReport r) {
    List<ReceivedReport.Row> rows = new ArrayList<>();
    for (ReportRecord record : r.records()) {
      rows.add(new ReceivedReport.Row(record.sourceIp(), record.count(), record.evaluated().disposition().keyword(),
          record.evaluated().isDkimAligned() ? "pass" : "fail", record.evaluated().isSpfAligned() ? "pass" : "fail",
          record.evaluated().reasons().stream().map(o -> new ReceivedReport.Reason(o.type().keyword(), o.comment()))
              .toList(), record.identifiers().headerFrom(), record.identifiers().envelopeFrom().orElse(""),
          record.identifiers().envelopeTo().orElse(""),
          record.dkim().stream().map(d -> new ReceivedReport.AuthResult(d.domain(), d.selector(), d.result().keyword()))
              .toList(),
          record.spf().stream().map(s -> new ReceivedReport.AuthResult(s.domain(), s.scope().orElse(""),
              s.result().keyword())).toList()));
    }
    var p = r.policy();
    return new ReceivedReport(ReceivedReport.RFC9990, r.metadata().orgName(), r.metadata().email(),
        r.metadata().reportId(), Instant.ofEpochSecond(r.metadata().begin()), Instant.ofEpochSecond(r.metadata().end()),
        r.metadata().error().orElse(""), r.metadata().generator().orElse(""),
        new ReceivedReport.Policy(p.domain(), p.p().keyword(), p.sp().map(DmarcPolicy::keyword).orElse(""),
            p.np().map(DmarcPolicy::keyword).orElse(""), p.adkim().map(DmarcAlignmentMode::tagValue).orElse(""),
            p.aspf().map(DmarcAlignmentMode::tagValue).orElse(""), "", p.fo().orElse(""),
            p.testing().map(t -> t ? "y" : "n").orElse(""), p.discoveryMethod().orElse("")), rows);
  }

  private static List<BuiltReport> ourReports() {
    Random random = new Random(14);
    List<RecordedMessage> messages = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      messages.add(ReportFixtures.random(random, ReportFixtures.DAY));
    }
    return new ReportBuilder(ReportFixtures.REPORTER).build(ReportPeriod.utcDayOf(ReportFixtures.DAY), messages);
  }

  @ParameterizedTest
  @EnumSource(ResultsDatabase.Dialect.class)
  void ourOwnReportsRoundTrip_asXmlGzipAndMail_storedOnceWithEveryRecord(ResultsDatabase.Dialect dialect)
      throws Exception {
    try (TestDatabase db = TestDatabase.create(dialect, dir, CLOCK)) {
      ReportImporter importer = new ReportImporter(db.database, CLOCK, ImportLimits.DEFAULTS);
      List<BuiltReport> built = ourReports();
      assertThat(built).hasSizeGreaterThan(3);
      for (BuiltReport b : built) {
        ReceivedReport want = expected(b.report());
        byte[] mail = new ReportMessage(ReportFixtures.REPORTER.email(), b.policyDomain(),
            ReportFixtures.REPORTER.receiver(), b.reportId(), CLOCK.instant(), b.fileName(), b.attachment(),
            "a test report").render("dmarc@" + b.policyDomain());

        ReportImporter.FileOutcome asMail = importer.importFile("mail.eml", mail);
        ReportImporter.FileOutcome asGzip = importer.importFile(b.fileName(), b.attachment());
        ReportImporter.FileOutcome asXml = importer.importFile("report.xml", AggregateReportWriter.write(b.report()));

        assertThat(((ReportImporter.FileOutcome.Stored) asMail).reports()).singleElement()
            .satisfies(o -> assertThat(o.isDuplicate()).isFalse());
        assertThat(((ReportImporter.FileOutcome.Stored) asGzip).reports()).singleElement()
            .satisfies(o -> assertThat(o.duplicateOf()).contains(new ReceivedReports.Imported(CLOCK.instant(),
                "mail.eml")));
        assertThat(((ReportImporter.FileOutcome.Stored) asXml).reports()).singleElement()
            .satisfies(o -> assertThat(o.isDuplicate()).isTrue());
        try (Connection c = db.database.connect()) {
          assertThat(ReceivedReports.read(c, want.identity())).contains(want);
        }
      }
      assertThat(db.count("SELECT COUNT(*) FROM received_report")).isEqualTo(built.size());
      assertThat(db.count("SELECT COUNT(*) FROM received_record"))
          .isEqualTo(built.stream().mapToInt(b -> b.report().records().size()).sum());
    }
  }

  @ParameterizedTest
  @EnumSource(ResultsDatabase.Dialect.class)
  void theSameIdForAnotherPeriodOrReporter_isAnotherReport_theSameOneIsNotCountedTwice(ResultsDatabase.Dialect dialect)
      throws Exception {
    try (TestDatabase db = TestDatabase.create(dialect, dir, CLOCK)) {
      ReportImporter importer = new ReportImporter(db.database, CLOCK, ImportLimits.DEFAULTS);
      String day1 = HostileReports.VALID;
      // Google reuses report ids across periods
      String day2 = day1.replace("<begin>1764288000</begin><end>1764374399</end>",
          "<begin>1764374400</begin><end>1764460799</end>");
      String otherReporter = day1.replace("<org_name>hostile.example</org_name>", "<org_name>other.example</org_name>");

      assertThat(stored(importer.importFile("day1.xml", bytes(day1)))).isEqualTo("new");
      assertThat(stored(importer.importFile("day1-again.xml", bytes(day1)))).isEqualTo("duplicate");
      assertThat(stored(importer.importFile("day1.xml.gz", HostileReports.gzip(bytes(day1))))).isEqualTo("duplicate");
      assertThat(stored(importer.importFile("day2.xml", bytes(day2)))).isEqualTo("new");
      assertThat(stored(importer.importFile("other.xml", bytes(otherReporter)))).isEqualTo("new");

      assertThat(db.count("SELECT COUNT(*) FROM received_report")).isEqualTo(3);
      assertThat(db.count("SELECT SUM(message_count) FROM received_record")).as("each message counted once")
          .isEqualTo(3);
      try (Connection c = db.database.connect()) {
        assertThat(ReceivedReportSummary.summarize(ReceivedReports.since(c, Instant.EPOCH, Optional.empty()),
            Instant.EPOCH, Optional.empty(), Map.of()).domains().get(0).messages()).isEqualTo(3);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(ResultsDatabase.Dialect.class)
  void everyHostileFileIsRefusedWithItsReason_andNothingOfItIsStored(ResultsDatabase.Dialect dialect) throws Exception {
    try (TestDatabase db = TestDatabase.create(dialect, dir, CLOCK)) {
      ReportImporter importer = new ReportImporter(db.database, CLOCK, ImportLimits.DEFAULTS);
      for (Map.Entry<String, byte[]> file : HostileReports.all().entrySet()) {
        ReportImporter.FileOutcome outcome = importer.importFile(file.getKey(), file.getValue());
        assertThat(outcome).as(file.getKey()).isInstanceOf(ReportImporter.FileOutcome.Refused.class);
        assertThat(((ReportImporter.FileOutcome.Refused) outcome).reason()).as(file.getKey())
            .contains(ReceivedReportReaderTest.HOSTILE_REASONS.get(file.getKey()));
      }
      assertThat(db.count("SELECT COUNT(*) FROM received_report")).isZero();
      assertThat(db.count("SELECT COUNT(*) FROM received_record")).isZero();
    }
  }

  private static String stored(ReportImporter.FileOutcome outcome) {
    return ((ReportImporter.FileOutcome.Stored) outcome).reports().get(0).isDuplicate() ? "duplicate" : "new";
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
