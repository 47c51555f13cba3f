package org.postseal.dmarc;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link DmarcDomainCheck} found for one domain.
 *
 * @param status               found, none on the whole walk, several records at the domain, or a DNS failure
 * @param domain               the domain checked
 * @param failure              why there is no conclusion (the DNS failure, the count of records); else empty
 * @param walk                 the names the tree walk asked, each with "(record)" or "(none)"
 * @param walkStoppedEarly     why the walk stopped before its last name, when it did (it may still have found
 *                             the record it needs)
 * @param organizationalDomain the domain's Organizational Domain; empty when the walk could not conclude
 * @param record               the record that applies
 * @param policyDomain         where that record was found: the domain, its Organizational Domain or a PSD
 * @param invalidRecords       DMARC records at the domain itself that receivers ignore as a whole (a repeated
 *                             tag), each quoted with why
 */
public record DmarcDomainReport(Status status, String domain, String failure, List<String> walk,
                                Optional<String> walkStoppedEarly, String organizationalDomain,
                                Optional<DmarcRecord> record, String policyDomain, List<String> invalidRecords) {

  /** What policy discovery concluded. */
  public enum Status {
    FOUND, NOT_FOUND, SEVERAL_RECORDS, DNS_FAILURE
  }

  public DmarcDomainReport {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(failure, "failure");
    walk = List.copyOf(walk);
    Objects.requireNonNull(walkStoppedEarly, "walkStoppedEarly");
    Objects.requireNonNull(organizationalDomain, "organizationalDomain");
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(policyDomain, "policyDomain");
    invalidRecords = List.copyOf(invalidRecords);
  }

  static DmarcDomainReport without(Status status, String domain, String failure) {
    return new DmarcDomainReport(status, domain, failure, List.of(), Optional.empty(), "", Optional.empty(), "",
        List.of());
  }

  /** True when the record applies from a parent (the Organizational Domain or a PSD): sp= and np= count. */
  public boolean isFromParent() {
    return record.isPresent() && !policyDomain.equals(domain);
  }
}
