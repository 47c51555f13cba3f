package org.postseal.dmarc.report;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;

/**
 * The mail that carries one report to one destination (RFC 9990 section 3.1.6.2): multipart/mixed with a short
 * text part and the report as an application/gzip attachment named by its file name; Subject "Report Domain: D
 * Submitter: S Report-ID: ID"; Message-ID made of the report id, so that a re-sent report is recognisable
 * (section 3.1.6.2: "MAY choose to use the same ridtxt as a part or whole of the RFC5322.Message-Id");
 * Auto-Submitted: auto-generated (RFC 3834), so that nobody answers it. Everything follows from the stored
 * report: the mail for a destination is the same bytes however often it is rendered.
 *
 * @param from         reports.from at the time the report was built
 * @param policyDomain the DMARC Policy Domain
 * @param receiver     our domain, the Submitter
 * @param reportId     the report id
 * @param builtAt      when the period was closed: the Date field
 * @param fileName     the attachment's name
 * @param attachment   the gzipped XML
 * @param summary      one sentence for the text part
 */
public record ReportMessage(String from, String policyDomain, String receiver, String reportId, Instant builtAt,
                            String fileName, byte[] attachment, String summary) {

  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);

  public ReportMessage {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(policyDomain, "policyDomain");
    Objects.requireNonNull(receiver, "receiver");
    Objects.requireNonNull(reportId, "reportId");
    Objects.requireNonNull(builtAt, "builtAt");
    Objects.requireNonNull(fileName, "fileName");
    Objects.requireNonNull(attachment, "attachment");
    Objects.requireNonNull(summary, "summary");
  }

  /** "Report Domain: example.com Submitter: mail.example.org Report-ID: 0123abcd...". */
  public String subject() {
    return subject(policyDomain, receiver, reportId);
  }

  public static String subject(String policyDomain, String receiver, String reportId) {
    return "Report Domain: " + policyDomain + " Submitter: " + receiver + " Report-ID: " + reportId;
  }

  /** "&lt;REPORT-ID@RECEIVER&gt;". */
  public String messageId() {
    return messageId(reportId, receiver);
  }

  public static String messageId(String reportId, String receiver) {
    return "<" + reportId + "@" + receiver + ">";
  }

  /**
   * The whole message for {@code to}: CRLF line ends, 7-bit, lines of at most 78 octets but those of the subject and
   * the file name (about 90: still far below the limit of 998).
   */
  public byte[] render(String to) {
    String boundary = "postseal-report-" + reportId;
    StringBuilder m = new StringBuilder(attachment.length * 4 / 3 + 2048);
    header(m, "From", from);
    header(m, "To", to);
    header(m, "Subject", subject());
    header(m, "Date", DATE.format(builtAt.atOffset(ZoneOffset.UTC)));
    header(m, "Message-ID", messageId());
    header(m, "Auto-Submitted", "auto-generated");
    header(m, "MIME-Version", "1.0");
    // parameters on folded lines of their own (RFC 5322 section 2.2.3): the file name alone is about 90 octets
    header(m, "Content-Type", "multipart/mixed;", "boundary=\"" + boundary + "\"");
    m.append("\r\n");
    m.append("This is a multi-part message in MIME format.\r\n\r\n");
    m.append("--").append(boundary).append("\r\n");
    header(m, "Content-Type", "text/plain; charset=us-ascii");
    header(m, "Content-Transfer-Encoding", "7bit");
    m.append("\r\n");
    for (String line : wrap(ascii(summary), 76)) {
      m.append(line).append("\r\n");
    }
    m.append("\r\n--").append(boundary).append("\r\n");
    header(m, "Content-Type", "application/gzip;", "name=\"" + fileName + "\"");
    header(m, "Content-Disposition", "attachment;", "filename=\"" + fileName + "\"");
    header(m, "Content-Transfer-Encoding", "base64");
    m.append("\r\n");
    m.append(Base64.getMimeEncoder(76, new byte[] {'\r', '\n'}).encodeToString(attachment)).append("\r\n");
    m.append("--").append(boundary).append("--\r\n");
    return m.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** A field; each further part goes on a folded line of its own. */
  private static void header(StringBuilder m, String name, String value, String... folded) {
    m.append(name).append(": ").append(ascii(value));
    for (String part : folded) {
      m.append("\r\n\t").append(ascii(part));
    }
    m.append("\r\n");
  }

  /** Only printable US-ASCII reaches the message: anything else becomes '?'. */
  private static String ascii(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      out.append(c >= 0x20 && c < 0x7F ? c : '?');
    }
    return out.toString();
  }

  private static java.util.List<String> wrap(String text, int width) {
    java.util.List<String> lines = new java.util.ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.split(" ")) {
      if (line.length() > 0 && line.length() + 1 + word.length() > width) {
        lines.add(line.toString());
        line.setLength(0);
      }
      if (line.length() > 0) {
        line.append(' ');
      }
      line.append(word);
    }
    if (line.length() > 0) {
      lines.add(line.toString());
    }
    return lines;
  }
}
