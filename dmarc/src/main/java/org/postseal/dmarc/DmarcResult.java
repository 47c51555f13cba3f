package org.postseal.dmarc;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The DMARC outcome for one message.
 *
 * @param cause                why: it fixes the outcome (pass, fail, none, temperror, permerror; RFC 9989 section 9.2)
 * @param detail               the conclusion as a sentence with its particulars (domains, the record, the failed
 *                             lookup), for logs and the Authentication-Results comment; empty: the cause's words
 * @param headerFrom           the Author Domain (lower case A-labels), empty unless the message has exactly one
 * @param record               the policy record applied, when one was found
 * @param policyDomain         where it was found (policy.dmarc.domain when it is a parent), else empty
 * @param organizationalDomain the Author Domain's Organizational Domain, when the tree walk concluded
 * @param appliedPolicy        the policy for this message after sp=/np= and t=y (section 4.7): what
 *                             policy.dmarc reports; present whenever a record is
 * @param alignments           every authenticated identifier compared with the From domain, DKIM in the
 *                             order given, then SPF
 */
public record DmarcResult(DmarcCause cause, String detail, String headerFrom, Optional<DmarcRecord> record,
                          String policyDomain, String organizationalDomain, Optional<DmarcPolicy> appliedPolicy,
                          List<IdentifierAlignment> alignments) {

  public DmarcResult {
    Objects.requireNonNull(cause, "cause");
    detail = detail == null ? "" : detail;
    Objects.requireNonNull(headerFrom, "headerFrom");
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(policyDomain, "policyDomain");
    Objects.requireNonNull(organizationalDomain, "organizationalDomain");
    Objects.requireNonNull(appliedPolicy, "appliedPolicy");
    alignments = List.copyOf(alignments);
  }

  /** A result that names no record or alignment: the From problems, a temperror before discovery finished. */
  static DmarcResult without(DmarcCause cause, String headerFrom, String detail) {
    return new DmarcResult(cause, detail, headerFrom, Optional.empty(), "", "", Optional.empty(), List.of());
  }

  public DmarcOutcome outcome() {
    return cause.outcome();
  }

  /** What the log line and the Authentication-Results comment say: the detail, else the cause's words. */
  public String reason() {
    return detail.isEmpty() ? cause.text() : detail;
  }

  public boolean isPass() {
    return outcome() == DmarcOutcome.PASS;
  }

  /** True when the message had exactly one From domain and it was a domain name. */
  public boolean hasOneFromDomain() {
    return cause != DmarcCause.NO_FROM && cause != DmarcCause.SEVERAL_FROM && cause != DmarcCause.MALFORMED_FROM;
  }

  /** True when the record was found on a parent of the From domain (then sp=/np= applied). */
  public boolean isPolicyFromParent() {
    return !policyDomain.isEmpty() && !policyDomain.equals(headerFrom);
  }

  /** Where the applied record was found; empty without a record. */
  public Optional<PolicySource> policySource() {
    if (record.isEmpty()) {
      return Optional.empty();
    }
    if (policyDomain.equals(headerFrom)) {
      return Optional.of(PolicySource.AUTHOR_DOMAIN);
    }
    return Optional.of(policyDomain.equals(organizationalDomain) ? PolicySource.ORGANIZATIONAL_DOMAIN
        : PolicySource.PUBLIC_SUFFIX_DOMAIN);
  }

  /** The first aligned DKIM identifier: the d= (and s=) that made DMARC pass. */
  public Optional<IdentifierAlignment> alignedDkim() {
    return firstAligned(IdentifierAlignment.Method.DKIM);
  }

  /** The SPF identifier when it is aligned. */
  public Optional<IdentifierAlignment> alignedSpf() {
    return firstAligned(IdentifierAlignment.Method.SPF);
  }

  /** This result with another cause and detail, the rest kept (a fail found uncertain becomes temperror). */
  DmarcResult withCause(DmarcCause newCause, String newDetail) {
    return new DmarcResult(newCause, newDetail, headerFrom, record, policyDomain, organizationalDomain, appliedPolicy,
        alignments);
  }

  private Optional<IdentifierAlignment> firstAligned(IdentifierAlignment.Method method) {
    return alignments.stream().filter(a -> a.method() == method && a.isAligned()).findFirst();
  }
}
