package org.postseal.dmarc.received;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Reading received files: every sample of other projects' suites (received/samples, SOURCE.txt) read or refused as
 * expected, the hostile files refused with their reasons, and each limit.
 */
class ReceivedReportReaderTest {

  /** Each hostile file of {@link HostileReports} and the words its refusal must contain. */
  static final Map<String, String> HOSTILE_REASONS = Map.of(
      "xxe.xml", "the document has a DTD",
      "billion-laughs.xml", "the document has a DTD",
      "gzip-bomb.xml.gz", "the gzip data decompresses more than 400 times",
      "zip-bomb.zip", "the zip data decompresses more than 400 times",
      "path-traversal.zip", "a path-traversal attack",
      "truncated.xml.gz", "the gzip data is truncated",
      "not-xml.pdf", "not a report: neither XML, gzip, zip nor a mail message");

  /**
   * Sample file -> "reports records messages format org domain" when read, or "refused: " and the words of the reason.
   */
  static final Map<String, String> SAMPLES = Map.ofEntries(
      Map.entry("mail-dmarc/test_dmarc.xml",
          "1 1 1 rfc7489 Test Sender example.com"),
      Map.entry("mail-dmarc/test_dmarc.xml.gz",
          "1 1 1 rfc7489 Test Sender example.com"),
      Map.entry("mail-dmarc/test_dmarc.xml.zip",
          "1 1 1 rfc7489 Test Sender example.com"),
      Map.entry("opendmarc/163.com!example.com!1337270400!1337356799.20120518163.xml",
          "1 50 92 rfc7489 163.com example.com"),
      Map.entry("opendmarc/bad.com!example.com!1337140800!1337227200.xml",
          "refused: not well-formed XML: ParseError at [row,col]:[6,181] Message: Element "),
      Map.entry("opendmarc/good.com!example.com!1337270400!1337356799.xml.gz",
          "1 754 183934 rfc7489 126.com example.com"),
      Map.entry("opendmarc/yeah.net!example.com!1337270400!1337356799.20120518.xml",
          "1 254 21679 rfc7489 yeah.net example.com"),
      Map.entry("parsedmarc/aggregate/!example.com!1538204542!1538463818.xml",
          "1 1 1 rfc7489 accurateplastics.com example.com"),
      Map.entry("parsedmarc/aggregate/!large-example.com!1711897200!1711983600.xml.gz",
          "1 2286 2286 rfc7489 accurateplastics.com example.com"),
      Map.entry("parsedmarc/aggregate/Report domain- borschow.com Submitter- google.com Report-ID- 949348866075514174.eml",
          "1 1 1 rfc7489 google.com borschow.com"),
      Map.entry("parsedmarc/aggregate/addisonfoods.com!example.com!1536105600!1536191999.xml",
          "1 1 1 rfc7489 addisonfoods.com example.com"),
      Map.entry("parsedmarc/aggregate/empty_reason.xml",
          "1 1 2 rfc7489 example.org example.com"),
      Map.entry("parsedmarc/aggregate/estadocuenta1.infonacot.gob.mx!example.com!1536853302!1536939702!2940.xml.zip",
          "1 1 1 rfc7489 XYZ Corporation example.com"),
      Map.entry("parsedmarc/aggregate/example.net!example.com!1529366400!1529452799.xml",
          "1 1 1 rfc7489 example.net example.com"),
      Map.entry("parsedmarc/aggregate/fastmail.com!example.com!1516060800!1516147199!102675056.xml.gz",
          "1 1 1 rfc7489 FastMail Pty Ltd indemed.com"),
      Map.entry("parsedmarc/aggregate/ikea.com!example.de!1538690400!1538776800.xml",
          "refused: not well-formed XML: ParseError at [row,col]:[47,12] Message: XML docu"),
      Map.entry("parsedmarc/aggregate/invalid_utf_8.xml",
          "refused: not well-formed XML: the document is not valid UTF-8"),
      Map.entry("parsedmarc/aggregate/invalid_xml.xml",
          "refused: not well-formed XML: ParseError at [row,col]:[5,18] Message: Element t"),
      Map.entry("parsedmarc/aggregate/mimecast-weird-gzip.eml",
          "1 1 1 rfc7489 Mimecast ab.id.au"),
      Map.entry("parsedmarc/aggregate/old_draft_from_wiki.xml",
          "1 1 2 rfc7489 acme.com example.com"),
      Map.entry("parsedmarc/aggregate/protection.outlook.com!example.com!1711756800!1711843200.xml",
          "1 1 1 rfc7489 Outlook.com example.com"),
      Map.entry("parsedmarc/aggregate/rfc9990-example.net!example.com!1700000000!1700086399.xml",
          "1 2 7 rfc9990 example.net example.com"),
      Map.entry("parsedmarc/aggregate/rfc9990-sample.xml",
          "1 1 123 rfc9990 Sample Reporter example.com"),
      Map.entry("parsedmarc/aggregate/twilight.eml",
          "1 1 1 rfc7489 google.com twlnet.com"),
      Map.entry("parsedmarc/aggregate/usssa.com!example.com!1538784000!1538870399.xml",
          "1 2 2 rfc7489 usssa.com example.com"),
      Map.entry("parsedmarc/aggregate/veeam.com!example.com!1530133200!1530219600.xml",
          "1 1 1 rfc7489 veeam.com example.com"),
      Map.entry("parsedmarc/aggregate_invalid/report_with_upper_cased_pass.xml",
          "1 1 1 rfc7489 example.com example.com"),
      Map.entry("parsedmarc/empty.xml",
          "refused: the file is empty"),
      Map.entry("stalwart/dmarc-feedback/001.xml",
          "1 1 123 rfc9990 Sample Reporter example.com"),
      Map.entry("stalwart/dmarc-feedback/002.xml",
          "1 1 2 rfc7489 google.com example.org"),
      Map.entry("stalwart/dmarc-feedback/003.xml",
          "1 4 9 rfc7489 Fastmail Pty Ltd stalw.art"),
      Map.entry("stalwart/dmarc-feedback/004.xml",
          "1 1 123 rfc9990 Sample Reporter example.com"),
      Map.entry("stalwart/dmarc-feedback/005.xml",
          "1 1 1 rfc7489 Legacy Reporter example.com"),
      Map.entry("stalwart/dmarc-feedback/100.eml",
          "1 1 1 rfc7489 google.com stalw.art"),
      Map.entry("stalwart/dmarc-feedback/101.eml",
          "1 1 1 rfc7489 \"backschues.NET stalw.art"),
      Map.entry("stalwart/dmarc-feedback/102.eml",
          "1 1 1 rfc7489 Mail.Ru stalw.art"),
      Map.entry("stalwart/dmarc-feedback/103.eml",
          "1 1 1 rfc7489 Outlook.com stalw.art"),
      Map.entry("stalwart/dmarc-feedback/104.eml",
          "1 1 1 rfc7489 AMAZON-SES stalw.art"));

  static Path samples() throws URISyntaxException {
    return Path.of(ReceivedReportReaderTest.class.getResource("/received/samples").toURI());
  }

  static Stream<Arguments> sampleFiles() throws IOException, URISyntaxException {
    Path root = samples();
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).map(f -> root.relativize(f).toString())
          .filter(n -> !n.contains("LICENSE") && !n.endsWith(".txt")).sorted().map(Arguments::of).toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("sampleFiles")
  void everySampleIsReadOrRefusedAsExpected(String name) throws Exception {
    ReadOutcome outcome = ReceivedReportReader.read(Files.readAllBytes(samples().resolve(name)), ImportLimits.DEFAULTS);
    assertThat(SAMPLES).as("every sample has its expected outcome").containsKey(name);
    assertThat(describe(outcome)).as(name).startsWith(SAMPLES.get(name));
  }

  static String describe(ReadOutcome outcome) {
    if (outcome instanceof ReadOutcome.Refused refused) {
      return "refused: " + refused.reason();
    }
    List<ReceivedReport> reports = ((ReadOutcome.Read) outcome).reports();
    ReceivedReport first = reports.get(0);
    return reports.size() + " " + reports.stream().mapToInt(r -> r.rows().size()).sum() + " "
        + reports.stream().mapToLong(ReceivedReport::messageCount).sum() + " " + first.format() + " " + first.orgName()
        + " " + first.policy().domain();
  }

  @Test
  void everyHostileFileIsRefusedWithItsReason() {
    for (Map.Entry<String, byte[]> file : HostileReports.all().entrySet()) {
      ReadOutcome outcome = ReceivedReportReader.read(file.getValue(), ImportLimits.DEFAULTS);
      assertThat(describe(outcome)).as(file.getKey()).startsWith("refused: ")
          .contains(HOSTILE_REASONS.get(file.getKey()));
    }
  }

  @Test
  void aPolicyDomainThatIsNoDomainNameRefusesTheReport() {
    for (String domain : List.of("\"&gt;&lt;svg onload=x&gt;.example", "exa mple.com", "", "[192.0.2.1]",
        "a..example")) {
      byte[] xml = withPolicyDomain(domain);
      assertThat(describe(ReceivedReportReader.read(xml, ImportLimits.DEFAULTS))).as(domain).startsWith("refused: ")
          .contains("policy_published/domain");
    }
    // a trailing dot, upper case and an IDN are domain names: stored as A-labels in lower case, without the dot
    for (String domain : List.of("Example.COM.", "xn--bcher-kva.example", "bücher.example")) {
      byte[] xml = withPolicyDomain(domain);
      assertThat(describe(ReceivedReportReader.read(xml, ImportLimits.DEFAULTS))).as(domain)
          .endsWith(domain.startsWith("Example") ? " example.com" : " xn--bcher-kva.example");
    }
  }

  /** The valid report with {@code domain} as its policy_published/domain (the first domain element). */
  private static byte[] withPolicyDomain(String domain) {
    return HostileReports.VALID.replaceFirst("<domain>example\\.com</domain>",
        java.util.regex.Matcher.quoteReplacement("<domain>" + domain + "</domain>")).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void theValidReportInsideTheHostileContainersIsRead() {
    byte[] xml = HostileReports.VALID.getBytes(StandardCharsets.UTF_8);
    assertThat(describe(ReceivedReportReader.read(xml, ImportLimits.DEFAULTS)))
        .isEqualTo("1 1 1 rfc7489 hostile.example example.com");
    assertThat(describe(ReceivedReportReader.read(HostileReports.gzip(xml), ImportLimits.DEFAULTS)))
        .isEqualTo("1 1 1 rfc7489 hostile.example example.com");
    assertThat(describe(ReceivedReportReader.read(HostileReports.zip("dir/report.xml", xml), ImportLimits.DEFAULTS)))
        .isEqualTo("1 1 1 rfc7489 hostile.example example.com");
  }

  @Test
  void theWordsOfTheReport_asWritten_inAnyNamespace() {
    String xml = HostileReports.VALID.replace("<org_name>hostile.example</org_name>",
        "<org_name>Smith &amp; Sons <![CDATA[<Mail>]]></org_name>").replace("<feedback>",
        "<feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">").replace("<dkim>fail</dkim>", "<dkim>Pass</dkim>")
        .replace("<begin>1764288000</begin>", "<begin>1764288000.0</begin><unknown-tag>x</unknown-tag>");
    ReceivedReport report = ((ReadOutcome.Read) ReceivedReportReader.read(xml.getBytes(StandardCharsets.UTF_8),
        ImportLimits.DEFAULTS)).reports().get(0);
    assertThat(report.orgName()).isEqualTo("Smith & Sons <Mail>");
    assertThat(report.format()).isEqualTo(ReceivedReport.RFC9990);
    assertThat(report.begin().getEpochSecond()).isEqualTo(1764288000L);
    assertThat(report.rows().get(0).dkimEvaluated()).isEqualTo("pass");
    assertThat(report.rows().get(0).isDmarcPass()).isTrue();
    assertThat(report.rows().get(0).spf()).containsExactly(new ReceivedReport.AuthResult("example.com", "", "fail"));
  }

  @Test
  void eachLimitRefusesTheFileNamingIt() {
    ImportLimits small = new ImportLimits(4096, 8192, 400, 2, 64, 200, 6, 2);
    String records = HostileReports.VALID.substring(HostileReports.VALID.indexOf("  <record>"),
        HostileReports.VALID.indexOf("</feedback>"));
    String three = HostileReports.VALID.replace("</feedback>", records + records + "</feedback>");
    assertThat(refusal(three, small)).isEqualTo("more than 2 records in one report");
    assertThat(refusal(HostileReports.VALID.replace("h-1", "x".repeat(65)), small))
        .isEqualTo("the text of report_id is longer than 64 characters");
    assertThat(refusal(HostileReports.VALID.replace("<count>1</count>", "<count><a><b><c><d>1</d></c></b></a></count>"),
        small)).isEqualTo("elements nested more than 6 deep");
    assertThat(refusal(" ".repeat(5000), small)).startsWith("the file is 5000 bytes, more than the 4096");
    assertThat(refusal(HostileReports.VALID.replace("<count>1</count>", "<count>many</count>"), ImportLimits.DEFAULTS))
        .isEqualTo("record 1: row/count is not a number: \"many\"");
    assertThat(refusal(HostileReports.VALID.replace("192.0.2.1", "mail.example.com"), ImportLimits.DEFAULTS))
        .isEqualTo("record 1: source_ip \"mail.example.com\" is not an IP address");
    assertThat(refusal(HostileReports.VALID.replace("<report_id>h-1</report_id>", ""), ImportLimits.DEFAULTS))
        .isEqualTo("report_metadata has no report_id");
    assertThat(refusal("<html><body>hello</body></html>", ImportLimits.DEFAULTS))
        .isEqualTo("the root element is html, not feedback: not a DMARC aggregate report");
  }

  @Test
  void aMessageWithTheReportAttached_inAnyEncoding() {
    String report = java.util.Base64.getMimeEncoder().encodeToString(HostileReports.gzip(
        HostileReports.VALID.getBytes(StandardCharsets.UTF_8)));
    String mail = "From: noreply@hostile.example\r\nTo: dmarc@example.com\r\nSubject: Report Domain: example.com\r\n"
        + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed;\r\n\tboundary=\"b1\"\r\n\r\npreamble\r\n--b1\r\n"
        + "Content-Type: text/plain\r\n\r\nA report.\r\n--b1\r\nContent-Type: application/gzip\r\n"
        + "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"r.xml.gz\"\r\n\r\n"
        + report + "\r\n--b1--\r\n";
    assertThat(describe(ReceivedReportReader.read(mail.getBytes(StandardCharsets.US_ASCII), ImportLimits.DEFAULTS)))
        .isEqualTo("1 1 1 rfc7489 hostile.example example.com");
    String noReport = mail.replace("application/gzip", "text/plain").replace("base64", "7bit");
    assertThat(refusal(noReport, ImportLimits.DEFAULTS))
        .isEqualTo("the message has no report attached (no XML, gzip or zip part)");
  }

  private static String refusal(String text, ImportLimits limits) {
    ReadOutcome outcome = ReceivedReportReader.read(text.getBytes(StandardCharsets.UTF_8), limits);
    assertThat(outcome).as(text.length() > 200 ? text.substring(0, 200) : text).isInstanceOf(ReadOutcome.Refused.class);
    return ((ReadOutcome.Refused) outcome).reason();
  }
}
