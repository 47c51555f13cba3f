package org.postseal.dmarc.report;

import java.util.Objects;
import org.postseal.dkim.DkimOutcome;

/**
 * One auth_results/dkim: a signature's d=, s= and result as verified, uninterpreted by DMARC (RFC 9990
 * section 3.1.1.13).
 */
public record DkimAuthResult(String domain, String selector, DkimOutcome result) {

  public DkimAuthResult {
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(selector, "selector");
    Objects.requireNonNull(result, "result");
  }
}
