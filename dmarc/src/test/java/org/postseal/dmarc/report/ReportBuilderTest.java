package org.postseal.dmarc.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postseal.dmarc.report.ReportFixtures.DAY;
import static org.postseal.dmarc.report.ReportFixtures.message;
import static org.postseal.dmarc.report.ReportFixtures.signature;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.postseal.dkim.DkimOutcome;
import org.postseal.spf.SpfOutcome;

/** Aggregation: messages of a period become one report per policy domain and configuration, one record per tuple. */
class ReportBuilderTest {

  private static final ReportPeriod PERIOD = ReportPeriod.utcDayOf(DAY);
  private final ReportBuilder builder = new ReportBuilder(ReportFixtures.REPORTER);

  @Test
  void messagesWithTheSameSourceAndResults_becomeOneRecordWithTheirCount() {
    List<RecordedMessage> messages = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      messages.add(message().at(DAY.plusSeconds(60L * i)).recorded());
    }
    messages.add(message().ip("198.51.100.7").recorded());
    messages.add(message().spf(SpfOutcome.FAIL, false).recorded());

    List<BuiltReport> reports = builder.build(PERIOD, messages);

    assertThat(reports).singleElement().satisfies(r -> {
      assertThat(r.report().records()).extracting(ReportRecord::sourceIp, ReportRecord::count)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("192.0.2.10", 5L),
              org.assertj.core.groups.Tuple.tuple("192.0.2.10", 1L),
              org.assertj.core.groups.Tuple.tuple("198.51.100.7", 1L));
      assertThat(r.report().messageCount()).isEqualTo(7);
    });
  }

  @Test
  void onePolicyDomain_oneReport_withEveryFromDomainBelowItAsItsOwnRecord() {
    // RFC 9990 section 3.1.2: example.com's report holds example.com and foo.example.com; bar.example.com has its own
    List<RecordedMessage> messages = List.of(
        message().from("example.com").recorded(),
        message().from("foo.example.com").record("v=DMARC1; p=reject; rua=mailto:dmarc@example.com", "example.com")
            .recorded(),
        message().from("bar.example.com").record("v=DMARC1; p=none; rua=mailto:bar@example.com", "bar.example.com")
            .recorded());

    List<BuiltReport> reports = builder.build(PERIOD, messages);

    assertThat(reports).extracting(BuiltReport::policyDomain).containsExactly("bar.example.com", "example.com");
    assertThat(reports.get(1).report().records()).extracting(r -> r.identifiers().headerFrom())
        .containsExactlyInAnyOrder("example.com", "foo.example.com");
    assertThat(reports.get(0).destinations()).containsExactly("mailto:bar@example.com");
  }

  @Test
  void aPolicyChangedDuringTheDay_givesOneReportPerConfiguration_withDistinctIds() {
    List<BuiltReport> reports = builder.build(PERIOD, List.of(
        message().record("v=DMARC1; p=none; rua=mailto:dmarc@example.com", "example.com").recorded(),
        message().record("v=DMARC1; p=reject; rua=mailto:dmarc@example.com", "example.com").recorded()));
    assertThat(reports).hasSize(2);
    assertThat(reports).extracting(r -> r.report().policy().p().keyword()).containsExactlyInAnyOrder("none", "reject");
    assertThat(reports.get(0).reportId()).isNotEqualTo(reports.get(1).reportId());
  }

  @Test
  void noRecordNoRuaOrOutsideThePeriod_meansNoReport() {
    assertThat(builder.build(PERIOD, List.of(
        message().noRecord().recorded(),
        message().record("v=DMARC1; p=reject", "example.com").recorded(),
        message().at(DAY.minusSeconds(1)).recorded(),
        message().at(PERIOD.end()).recorded()))).isEmpty();
  }

  @Test
  void namesAreDeterministic_andFollowRfc9990() {
    List<RecordedMessage> messages = List.of(message().recorded());
    BuiltReport first = builder.build(PERIOD, messages).get(0);
    BuiltReport again = builder.build(PERIOD, messages).get(0);

    assertThat(again.reportId()).isEqualTo(first.reportId()).matches("[0-9a-f]{32}");
    assertThat(again.attachment()).isEqualTo(first.attachment());
    long begin = DAY.getEpochSecond();
    assertThat(first.fileName()).isEqualTo("mail.example.org!example.com!" + begin + "!" + (begin + 86_399) + "!"
        + first.reportId() + ".xml.gz");
    assertThat(first.report().metadata().reportId()).isEqualTo(first.reportId());
    assertThat(first.report().metadata().begin()).isEqualTo(begin);
    assertThat(first.report().metadata().end()).isEqualTo(begin + 86_399);
    // another period, another id
    ReportPeriod partial = ReportPeriod.from(DAY, DAY.plusSeconds(7200));
    assertThat(builder.build(partial, messages).get(0).reportId()).isNotEqualTo(first.reportId());
  }

  @Test
  void aReportOverTheSizeCap_isSplitIntoPartsThatEachFit_andTogetherCountEveryMessage() throws IOException {
    Random random = new Random(42);
    List<RecordedMessage> messages = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      messages.add(message().ip("10." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256))
          .at(DAY.plusSeconds(i)).recorded());
    }
    int cap = 2000;
    List<BuiltReport> parts = new ReportBuilder(ReportFixtures.REPORTER, cap).build(PERIOD, messages);

    assertThat(parts.size()).isGreaterThan(2);
    assertThat(parts).allSatisfy(p -> assertThat(p.attachment().length).isLessThanOrEqualTo(cap));
    assertThat(parts.stream().mapToLong(p -> p.report().messageCount()).sum()).isEqualTo(400);
    assertThat(parts.stream().map(BuiltReport::reportId).distinct().count()).isEqualTo(parts.size());
    for (BuiltReport p : parts) {
      ReportSchema.validate(AggregateReportWriterTest.gunzip(p.attachment()));
    }
  }

  @Test
  void theRuaOfTheNewestMessage_isWhereTheReportGoes() {
    List<BuiltReport> reports = builder.build(PERIOD, List.of(
        message().at(DAY.plusSeconds(100)).record("v=DMARC1; p=reject; rua=mailto:new@example.com", "example.com")
            .recorded(),
        message().at(DAY.plusSeconds(10)).record("v=DMARC1; p=reject; rua=mailto:old@example.com", "example.com")
            .recorded()));
    assertThat(reports).singleElement().extracting(BuiltReport::destinations)
        .isEqualTo(List.of("mailto:new@example.com"));
  }

  @Test
  void periodsStayWithinOneUtcDay() {
    Instant evening = DAY.plusSeconds(20 * 3600);
    assertThat(ReportPeriod.from(evening, DAY.plusSeconds(30 * 3600)).end()).isEqualTo(DAY.plusSeconds(86_400));
    assertThat(ReportPeriod.from(evening, DAY.plusSeconds(21 * 3600)).end()).isEqualTo(DAY.plusSeconds(21 * 3600));
    assertThat(ReportPeriod.utcDayOf(evening)).isEqualTo(PERIOD);
    assertThat(signature(DkimOutcome.PASS, "a", "b").isPass()).isTrue();
  }
}
