package org.postseal.dmarc.report;

import java.util.Objects;
import java.util.Optional;

/**
 * report_metadata (RFC 9990 section 3.1.1.3).
 *
 * @param orgName   the Reporting Organization
 * @param email     where to reach it
 * @param reportId  unique among our reports to the same domain (section 3.1.6)
 * @param begin     start of the period, seconds since the epoch (UTC)
 * @param end       last second of the period, inclusive, as the RFC's example file names count it
 * @param error     errors met processing the DMARC Policy Record, if any
 * @param generator the software and version that built the report
 */
public record ReportMetadata(String orgName, String email, String reportId, long begin, long end,
                             Optional<String> error, Optional<String> generator) {

  public ReportMetadata {
    Objects.requireNonNull(orgName, "orgName");
    Objects.requireNonNull(email, "email");
    Objects.requireNonNull(reportId, "reportId");
    if (end < begin) {
      throw new IllegalArgumentException("report period ends (" + end + ") before it begins (" + begin + ")");
    }
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(generator, "generator");
  }
}
