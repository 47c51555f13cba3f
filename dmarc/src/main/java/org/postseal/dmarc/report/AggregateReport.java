package org.postseal.dmarc.report;

import java.util.List;
import java.util.Objects;

/**
 * One DMARC aggregate report (RFC 9990): the feedback document for one DMARC Policy Domain, one policy
 * configuration and one period. {@link AggregateReportWriter} writes it, {@link AggregateReportParser} reads it.
 *
 * @param version "1.0" (section 3.1.1.2: the only value), empty when a report read back has none
 */
public record AggregateReport(String version, ReportMetadata metadata, PolicyPublished policy,
                              List<ReportRecord> records) {

  /** The XML namespace of RFC 9990 reports. */
  public static final String NAMESPACE = "urn:ietf:params:xml:ns:dmarc-2.0";
  public static final String VERSION = "1.0";

  public AggregateReport {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(policy, "policy");
    records = List.copyOf(records);
    if (records.isEmpty()) {
      throw new IllegalArgumentException("a report has at least one record (RFC 9990 section 3.1.1.2)");
    }
  }

  /** The messages the report counts. */
  public long messageCount() {
    return records.stream().mapToLong(ReportRecord::count).sum();
  }
}
