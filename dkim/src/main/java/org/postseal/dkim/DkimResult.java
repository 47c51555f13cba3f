package org.postseal.dkim;

import java.util.Objects;

/**
 * The outcome of verifying one DKIM-Signature field.
 *
 * @param outcome   the dkim= result
 * @param reason    why, in words fit for an Authentication-Results comment and the log ("body hash did not verify")
 * @param domain    d= (the SDID), or empty when the signature could not be parsed far enough
 * @param selector  s=, or empty
 * @param algorithm a= as written (e.g. "rsa-sha256", "rsa-sha1"), or empty
 * @param signature b= without white space (header.b takes a prefix of it, RFC 6008), or empty
 * @param identity  i= (the AUID), or empty
 */
public record DkimResult(DkimOutcome outcome, String reason, String domain, String selector, String algorithm,
                         String signature, String identity) {

  public DkimResult {
    Objects.requireNonNull(outcome, "outcome");
    reason = reason == null ? "" : reason;
    domain = domain == null ? "" : domain;
    selector = selector == null ? "" : selector;
    algorithm = algorithm == null ? "" : algorithm;
    signature = signature == null ? "" : signature;
    identity = identity == null ? "" : identity;
  }

  public boolean isPass() {
    return outcome == DkimOutcome.PASS;
  }
}
