package org.postseal.dmarc.report;

import java.util.List;
import java.util.Objects;

/**
 * One report ready to send: the document, its gzip file, its names and where it goes. Every name follows from
 * the reporter, the policy domain, the period, the policy configuration and the part number, so building the
 * same report again gives the same names (RFC 9990 section 3.1.6: a re-sent report "MUST use the same
 * filename as the original report").
 *
 * @param report       the document
 * @param reportId     report_metadata/report_id, also the file name's unique-id, so both are identical as
 *                     section 3.1.3 asks: 32 lower-case hex digits
 * @param fileName     receiver!policy-domain!begin!end!unique-id.xml.gz (section 3.1.6.2)
 * @param attachment   the gzipped XML
 * @param destinations the rua= URIs of the policy, in the published order
 * @param organizationalDomain the Organizational Domain of the From domains, when the tree walk found it: where
 *                     a rua host is not external (RFC 9990 section 4)
 */
public record BuiltReport(AggregateReport report, String reportId, String fileName, byte[] attachment,
                          List<String> destinations, String organizationalDomain) {

  public BuiltReport {
    Objects.requireNonNull(report, "report");
    Objects.requireNonNull(reportId, "reportId");
    Objects.requireNonNull(fileName, "fileName");
    Objects.requireNonNull(attachment, "attachment");
    destinations = List.copyOf(destinations);
    Objects.requireNonNull(organizationalDomain, "organizationalDomain");
  }

  public String policyDomain() {
    return report.policy().domain();
  }
}
