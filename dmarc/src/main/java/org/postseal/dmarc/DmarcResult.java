package org.postseal.dmarc;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The DMARC outcome for one message.
 *
 * @param outcome              pass, fail, none, temperror or permerror (RFC 9989 section 9.2)
 * @param reason               why, in words fit for logs and an Authentication-Results comment
 * @param headerFromStatus     whether there was exactly one usable From domain
 * @param headerFrom           the Author Domain (lower case A-labels), empty unless exactly one
 * @param record               the policy record applied, when one was found
 * @param policyDomain         where the record was found (policy.dmarc.domain when it is a parent), else empty
 * @param organizationalDomain the Author Domain's Organizational Domain, when the tree walk concluded
 * @param appliedPolicy        the policy for this message after sp=/np= and t=y (section 4.7): what
 *                             policy.dmarc reports; present whenever a record is
 * @param alignments           every authenticated identifier compared with the From domain, DKIM in the
 *                             order given, then SPF
 */
public record DmarcResult(DmarcOutcome outcome, String reason, HeaderFromStatus headerFromStatus, String headerFrom,
                          Optional<DmarcRecord> record, String policyDomain, String organizationalDomain,
                          Optional<DmarcPolicy> appliedPolicy, List<IdentifierAlignment> alignments) {

  public DmarcResult {
    Objects.requireNonNull(outcome, "outcome");
    reason = reason == null ? "" : reason;
    Objects.requireNonNull(headerFromStatus, "headerFromStatus");
    Objects.requireNonNull(headerFrom, "headerFrom");
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(policyDomain, "policyDomain");
    Objects.requireNonNull(organizationalDomain, "organizationalDomain");
    Objects.requireNonNull(appliedPolicy, "appliedPolicy");
    alignments = List.copyOf(alignments);
  }

  public boolean isPass() {
    return outcome == DmarcOutcome.PASS;
  }

  /** True when the record was found on a parent of the From domain (then sp=/np= applied). */
  public boolean isPolicyFromParent() {
    return !policyDomain.isEmpty() && !policyDomain.equals(headerFrom);
  }

  /** The first aligned DKIM identifier: the d= (and s=) that made DMARC pass. */
  public Optional<IdentifierAlignment> alignedDkim() {
    return firstAligned(IdentifierAlignment.Method.DKIM);
  }

  /** The SPF identifier when it is aligned. */
  public Optional<IdentifierAlignment> alignedSpf() {
    return firstAligned(IdentifierAlignment.Method.SPF);
  }

  private Optional<IdentifierAlignment> firstAligned(IdentifierAlignment.Method method) {
    return alignments.stream().filter(a -> a.method() == method && a.isAligned()).findFirst();
  }
}
