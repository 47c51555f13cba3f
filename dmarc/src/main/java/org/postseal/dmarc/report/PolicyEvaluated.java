package org.postseal.dmarc.report;

import java.util.List;
import java.util.Objects;

/**
 * row/policy_evaluated (RFC 9990 section 3.1.1.11): what was done, and whether DKIM and SPF were aligned passes.
 *
 * @param isDkimAligned "pass" in the report: an aligned DKIM signature verified
 * @param isSpfAligned  "pass": SPF passed for a domain aligned with the From domain
 * @param reasons       why the disposition differs from the policy, when it does
 */
public record PolicyEvaluated(ReportDisposition disposition, boolean isDkimAligned, boolean isSpfAligned,
                              List<PolicyOverride> reasons) {

  public PolicyEvaluated {
    Objects.requireNonNull(disposition, "disposition");
    reasons = List.copyOf(reasons);
  }
}
