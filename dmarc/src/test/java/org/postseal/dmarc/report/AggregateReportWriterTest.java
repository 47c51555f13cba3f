package org.postseal.dmarc.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** Every report we write is valid against the RFC 9990 schema and parses back to the same data. */
class AggregateReportWriterTest {

  private static final ReportPeriod PERIOD = ReportPeriod.utcDayOf(ReportFixtures.DAY);

  @Test
  void everyGeneratedReport_validatesAgainstTheSchema_andParsesBackToTheSameData() throws IOException {
    Random random = new Random(9990);
    int reports = 0;
    for (int run = 0; run < 200; run++) {
      List<RecordedMessage> messages = new ArrayList<>();
      int n = 1 + random.nextInt(60);
      for (int i = 0; i < n; i++) {
        messages.add(ReportFixtures.random(random, ReportFixtures.DAY));
      }
      for (BuiltReport built : new ReportBuilder(ReportFixtures.REPORTER).build(PERIOD, messages)) {
        byte[] xml = gunzip(built.attachment());
        ReportSchema.validate(xml);
        assertThat(AggregateReportParser.parse(xml)).isEqualTo(built.report());
        assertThat(AggregateReportWriter.write(built.report())).isEqualTo(xml);
        reports++;
      }
    }
    assertThat(reports).as("reports built over the runs").isGreaterThan(400);
  }

  @Test
  void theRfcSample_validates_andParses() throws IOException {
    byte[] sample;
    try (InputStream in = getClass().getResourceAsStream("/dmarc-aggregate-xsd/rfc9990/dmarc-xml-0.2.xml")) {
      sample = in.readAllBytes();
    }
    ReportSchema.validate(sample);
    AggregateReport report = AggregateReportParser.parse(sample);
    assertThat(report.metadata().reportId()).isEqualTo("3v98abbp8ya9n3va8yr8oa3ya");
    assertThat(report.policy().discoveryMethod()).contains("treewalk");
    assertThat(report.records()).singleElement().satisfies(r -> {
      assertThat(r.count()).isEqualTo(123);
      assertThat(r.evaluated().disposition()).isEqualTo(ReportDisposition.PASS);
      assertThat(r.dkim()).singleElement().extracting(DkimAuthResult::selector).isEqualTo("abc123");
    });
    // what we write for it validates too
    ReportSchema.validate(AggregateReportWriter.write(report));
    assertThat(AggregateReportParser.parse(AggregateReportWriter.write(report))).isEqualTo(report);
  }

  @Test
  void theNamespaceVersionAndElementOrderAreRfc9990s() {
    RecordedMessage m = ReportFixtures.message().recorded();
    BuiltReport built = new ReportBuilder(ReportFixtures.REPORTER).build(PERIOD, List.of(m)).get(0);
    String xml = new String(AggregateReportWriter.write(built.report()), StandardCharsets.UTF_8);
    assertThat(xml).startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feedback xmlns=\""
        + AggregateReport.NAMESPACE + "\">\n  <version>1.0</version>\n  <report_metadata>");
    assertThat(xml).contains("<generator>Postseal test</generator>", "<discovery_method>treewalk</discovery_method>",
        "<np>reject</np>", "<testing>n</testing>", "<selector>s1</selector>", "<scope>mfrom</scope>");
    assertThat(xml.indexOf("<row>")).isLessThan(xml.indexOf("<identifiers>"));
    assertThat(xml.indexOf("<identifiers>")).isLessThan(xml.indexOf("<auth_results>"));
  }

  @Test
  void aDocumentThatIsNoReport_isRefusedNamingWhy() {
    assertThatThrownBy(() -> AggregateReportParser.parse("<feedback/>".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("not {urn:ietf:params:xml:ns:dmarc-2.0}feedback");
    assertThatThrownBy(() -> AggregateReportParser.parse(("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM"
        + " \"file:///etc/passwd\">]><feedback xmlns=\"" + AggregateReport.NAMESPACE + "\">&e;</feedback>")
        .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("not well-formed XML");
  }

  static byte[] gunzip(byte[] gz) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      return in.readAllBytes();
    }
  }
}
