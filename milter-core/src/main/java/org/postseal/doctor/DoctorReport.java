package org.postseal.doctor;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The findings about one domain in check order (MX, SPF, DKIM, DMARC, rDNS); the command line renders it.
 *
 * @param domain the domain examined, lower case
 * @param ip     the server address given with --ip, as text
 */
public record DoctorReport(String domain, Optional<String> ip, List<Finding> findings) {

  public DoctorReport {
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(ip, "ip");
    findings = List.copyOf(findings);
  }

  public long count(Severity severity) {
    return findings.stream().filter(f -> f.severity() == severity).count();
  }

  public boolean hasErrors() {
    return count(Severity.ERROR) > 0;
  }
}
