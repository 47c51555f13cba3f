package org.postseal.dmarc.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.postseal.dmarc.report.ReportMessage;
import org.postseal.dmarc.report.ReportPeriod;

/**
 * A report as the outbox keeps it: everything its mail is rendered from, and its destinations.
 *
 * @param reportId     report_id, unique-id of the file name and Message-ID local part
 * @param organizationalDomain the Organizational Domain of the messages' From domains (when known): a rua
 *                     host inside it is not an external destination (RFC 9990 section 4)
 * @param fromAddress  reports.from when it was built: the From and MAIL FROM of its mail
 * @param receiver     our domain (Submitter)
 * @param builtAt      when its period was closed: the Date of its mail
 * @param recordCount  records in the XML
 * @param messageCount messages the records count
 * @param summary      the mail's text part
 * @param attachment   the gzipped XML
 * @param destinations mail addresses (from rua= mailto: URIs, suppressed ones left out)
 */
public record OutboxReport(String reportId, String policyDomain, String organizationalDomain, ReportPeriod period, String fileName,
                           String fromAddress, String receiver, Instant builtAt, int recordCount, long messageCount,
                           String summary, byte[] attachment, List<String> destinations) {

  public OutboxReport {
    Objects.requireNonNull(reportId, "reportId");
    Objects.requireNonNull(policyDomain, "policyDomain");
    Objects.requireNonNull(organizationalDomain, "organizationalDomain");
    Objects.requireNonNull(period, "period");
    Objects.requireNonNull(fileName, "fileName");
    Objects.requireNonNull(fromAddress, "fromAddress");
    Objects.requireNonNull(receiver, "receiver");
    Objects.requireNonNull(builtAt, "builtAt");
    Objects.requireNonNull(summary, "summary");
    Objects.requireNonNull(attachment, "attachment");
    destinations = List.copyOf(destinations);
  }

  /** The mail that carries this report. */
  public ReportMessage message() {
    return new ReportMessage(fromAddress, policyDomain, receiver, reportId, builtAt, fileName, attachment, summary);
  }
}
