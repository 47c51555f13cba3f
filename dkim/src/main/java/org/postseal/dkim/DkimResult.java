package org.postseal.dkim;

import java.util.Objects;

/**
 * The outcome of verifying one DKIM-Signature field: why ({@link DkimCause}, which fixes the dkim= result)
 * and the particulars of this signature (names, numbers) as detail.
 *
 * @param cause     why; {@link #outcome()} follows from it
 * @param detail    what in this signature or key made it so ("k=rsa, a=ed25519-sha256"), or empty
 * @param domain    d= (the SDID), or empty when the signature could not be parsed far enough
 * @param selector  s=, or empty
 * @param algorithm a= as written (e.g. "rsa-sha256", "rsa-sha1"), or empty
 * @param signature b= without white space (header.b takes a prefix of it, RFC 6008), or empty
 * @param identity  i= (the AUID), or empty
 */
public record DkimResult(DkimCause cause, String detail, String domain, String selector, String algorithm,
                         String signature, String identity) {

  public DkimResult {
    Objects.requireNonNull(cause, "cause");
    detail = detail == null ? "" : detail;
    domain = domain == null ? "" : domain;
    selector = selector == null ? "" : selector;
    algorithm = algorithm == null ? "" : algorithm;
    signature = signature == null ? "" : signature;
    identity = identity == null ? "" : identity;
  }

  /** The dkim= result, as the cause fixes it. */
  public DkimOutcome outcome() {
    return cause.outcome();
  }

  /**
   * The cause in words followed by the detail, for Authentication-Results comments, logs and people:
   * "key revoked: empty p= at sel._domainkey.example.com".
   */
  public String reason() {
    return detail.isEmpty() ? cause.text() : cause.text() + ": " + detail;
  }

  /**
   * One token for the message log line: "example.com/sel=fail(body_hash_mismatch)", "?" standing in for a
   * d= or s= the signature did not yield.
   */
  public String summary() {
    return (domain.isEmpty() ? "?" : domain) + "/" + (selector.isEmpty() ? "?" : selector) + "="
        + outcome().keyword() + "(" + cause.keyword() + ")";
  }

  public boolean isPass() {
    return cause.outcome() == DkimOutcome.PASS;
  }
}
