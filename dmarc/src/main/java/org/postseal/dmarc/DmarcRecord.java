package org.postseal.dmarc;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A DMARC policy record (RFC 9989 section 4.7) as {@link DmarcRecordParser} read it. Tags with a bad value
 * are replaced by their default and noted in {@code problems} (section 4.8: "Syntax errors in the remainder
 * of the record MUST be discarded in favor of default values (if any) or ignored outright").
 *
 * @param policy                  p=; {@link DmarcPolicy#NONE} when absent (section 4.7) or not valid
 * @param subdomainPolicy         sp=, when present and valid
 * @param nonExistentDomainPolicy np=, when present and valid
 * @param psd                     psd=, {@link Psd#U} by default
 * @param isTesting               t=y: apply the policy one level milder (section 4.7)
 * @param dkimAlignment           adkim=
 * @param spfAlignment            aspf=
 * @param aggregateReportUris     rua=, the syntactically valid URIs (an obsolete "!size" suffix removed)
 * @param failureReportUris       ruf=, likewise
 * @param failureOptions          fo=, "0" by default
 * @param percent                 pct= of RFC 7489, removed by RFC 9989 (Appendix A.6): read, never applied
 * @param reportFormat            rf= of RFC 7489, removed: read, never used
 * @param reportInterval          ri= of RFC 7489 (seconds), removed: read, never used
 * @param hasValidPolicy          false when p=, sp= or np= is present with a value that is not a policy; the
 *                                evaluator then applies section 4.10.1's rule (p=none if rua= is usable)
 * @param problems                what was wrong with the tags, for logs
 * @param text                    the record as published
 */
public record DmarcRecord(DmarcPolicy policy, Optional<DmarcPolicy> subdomainPolicy,
                          Optional<DmarcPolicy> nonExistentDomainPolicy, Psd psd, boolean isTesting,
                          DmarcAlignmentMode dkimAlignment, DmarcAlignmentMode spfAlignment,
                          List<String> aggregateReportUris, List<String> failureReportUris, String failureOptions,
                          OptionalInt percent, Optional<String> reportFormat, OptionalLong reportInterval,
                          boolean hasValidPolicy, List<String> problems, String text) {

  /** psd= (section 4.7): whether the record's domain is a Public Suffix Domain. */
  public enum Psd {
    /** A PSD: the Organizational Domain of names below it is one label below it. */
    Y,
    /** Not a PSD, and the Organizational Domain of itself and every name below it. */
    N,
    /** Unknown (default): the tree walk decides. */
    U
  }

  public DmarcRecord {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(subdomainPolicy, "subdomainPolicy");
    Objects.requireNonNull(nonExistentDomainPolicy, "nonExistentDomainPolicy");
    Objects.requireNonNull(psd, "psd");
    Objects.requireNonNull(dkimAlignment, "dkimAlignment");
    Objects.requireNonNull(spfAlignment, "spfAlignment");
    aggregateReportUris = List.copyOf(aggregateReportUris);
    failureReportUris = List.copyOf(failureReportUris);
    Objects.requireNonNull(failureOptions, "failureOptions");
    Objects.requireNonNull(percent, "percent");
    Objects.requireNonNull(reportFormat, "reportFormat");
    Objects.requireNonNull(reportInterval, "reportInterval");
    problems = List.copyOf(problems);
    Objects.requireNonNull(text, "text");
  }

  /** The policy for existing subdomains: sp=, else p= (section 4.7). */
  public DmarcPolicy subdomainPolicyOrDefault() {
    return subdomainPolicy.orElse(policy);
  }

  /** The policy for non-existent subdomains: np=, else sp=, else p= (section 4.7). */
  public DmarcPolicy nonExistentDomainPolicyOrDefault() {
    return nonExistentDomainPolicy.orElse(subdomainPolicyOrDefault());
  }
}
