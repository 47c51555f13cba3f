package org.postseal.dmarc.report;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The report mail, read back by a MIME parser (Jakarta Mail, as a report consumer would). */
class ReportMessageTest {

  private static final byte[] GZ = ReportBuilder.gzip("<feedback/>".getBytes(StandardCharsets.UTF_8));
  private static final ReportMessage MESSAGE = new ReportMessage("dmarc-reports@mail.example.org", "example.com",
      "mail.example.org", "0123456789abcdef0123456789abcdef", Instant.parse("2026-11-29T00:10:00Z"),
      "mail.example.org!example.com!1764288000!1764374399!0123456789abcdef0123456789abcdef.xml.gz", GZ,
      "This is a DMARC aggregate report.");

  @Test
  void headersSubjectAndAttachment_areWhatRfc9990Asks() throws Exception {
    byte[] raw = MESSAGE.render("dmarc@example.com");
    MimeMessage mime = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw));

    assertThat(mime.getSubject()).isEqualTo("Report Domain: example.com Submitter: mail.example.org Report-ID:"
        + " 0123456789abcdef0123456789abcdef");
    assertThat(mime.getHeader("From", null)).isEqualTo("dmarc-reports@mail.example.org");
    assertThat(mime.getHeader("To", null)).isEqualTo("dmarc@example.com");
    assertThat(mime.getHeader("Auto-Submitted", null)).isEqualTo("auto-generated");
    assertThat(mime.getMessageID()).isEqualTo("<0123456789abcdef0123456789abcdef@mail.example.org>");
    assertThat(mime.getHeader("Date", null)).isEqualTo("Sun, 29 Nov 2026 00:10:00 +0000");
    Multipart parts = (Multipart) mime.getContent();
    assertThat(parts.getCount()).isEqualTo(2);
    assertThat(parts.getBodyPart(0).getContent().toString()).contains("DMARC aggregate report");
    BodyPart report = parts.getBodyPart(1);
    assertThat(report.getFileName()).isEqualTo(MESSAGE.fileName());
    assertThat(report.getContentType()).startsWith("application/gzip");
    assertThat(report.getInputStream().readAllBytes()).isEqualTo(GZ);
  }

  @Test
  void theSameReportAndDestination_alwaysGiveTheSameBytes_inShortCrlfAsciiLines() {
    byte[] raw = MESSAGE.render("dmarc@example.com");
    assertThat(MESSAGE.render("dmarc@example.com")).isEqualTo(raw);
    String text = new String(raw, StandardCharsets.US_ASCII);
    assertThat(text.replace("\r\n", "")).doesNotContain("\n", "\r");
    for (String line : text.split("\r\n")) {
      if (!line.startsWith("Subject:") && !line.contains(MESSAGE.fileName())) {
        assertThat(line.length()).as(line).isLessThanOrEqualTo(78);
      }
      assertThat(line.length()).as(line).isLessThanOrEqualTo(998);
    }
  }
}
