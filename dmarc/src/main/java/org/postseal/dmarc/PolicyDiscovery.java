package org.postseal.dmarc;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of DMARC policy discovery for one Author Domain (RFC 9989 section 4.10.1).
 *
 * @param status               found, no record anywhere on the walk, or a DNS failure before a conclusion
 * @param authorDomain         the From domain looked up
 * @param record               the record to apply, when found
 * @param policyDomain         where it was found: the Author Domain, its Organizational Domain or its Public
 *                             Suffix Domain; empty when not found
 * @param organizationalDomain the Author Domain's Organizational Domain (section 4.10.2); empty when the
 *                             walk could not finish
 * @param walk                 the tree walk behind the conclusion
 * @param reason               in words, for logs
 */
record PolicyDiscovery(Status status, String authorDomain, Optional<DmarcRecord> record, String policyDomain,
                              String organizationalDomain, DmarcTreeWalk walk, String reason) {

  /** What discovery concluded. */
  public enum Status {
    FOUND,
    /** No DMARC record for the domain, its Organizational Domain or its PSD: DMARC does not apply. */
    NOT_FOUND,
    /** A DNS failure left the question open. */
    TEMPERROR
  }

  public PolicyDiscovery {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(authorDomain, "authorDomain");
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(policyDomain, "policyDomain");
    Objects.requireNonNull(organizationalDomain, "organizationalDomain");
    Objects.requireNonNull(walk, "walk");
    Objects.requireNonNull(reason, "reason");
  }

  /** True when the record applies to the Author Domain from a parent, so sp=/np= apply (section 4.10.1). */
  public boolean isFromParent() {
    return status == Status.FOUND && !policyDomain.equals(authorDomain);
  }
}
