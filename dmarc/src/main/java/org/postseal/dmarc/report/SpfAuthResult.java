package org.postseal.dmarc.report;

import java.util.Objects;
import java.util.Optional;
import org.postseal.spf.SpfOutcome;

/**
 * auth_results/spf (RFC 9990 section 3.1.1.14): the domain SPF checked and its result.
 *
 * @param scope "mfrom" when the MAIL FROM identity was checked (the only value the schema allows); empty when
 *              it was the HELO identity (the null sender)
 */
public record SpfAuthResult(String domain, Optional<String> scope, SpfOutcome result) {

  /** The one scope value RFC 9990 defines. */
  public static final String MFROM = "mfrom";

  public SpfAuthResult {
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(result, "result");
  }
}
