package org.postseal.spf;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of one SPF evaluation.
 *
 * @param outcome     the check_host() result
 * @param cause       why; it allows only some outcomes ({@link SpfCause#allows})
 * @param identity    which identity was checked: MAIL FROM, or HELO when MAIL FROM was the null sender
 * @param sender      the &lt;sender&gt; as checked: the MAIL FROM address, or "postmaster@" + HELO (RFC 7208
 *                    section 2.4); the local-part "postmaster" stands in for a missing one (section 4.3)
 * @param domain      the &lt;domain&gt; checked: the MAIL FROM domain or the HELO name, lower case without a
 *                    trailing dot. DMARC aligns this domain (RFC 9989 section 4.4.2)
 * @param detail      what in this record or lookup made it so ("\"~all\" in the SPF record of example.com for
 *                    192.0.2.9"), or empty
 * @param explanation the domain owner's exp= text, expanded (section 6.2); only for a fail, and only when the
 *                    record has a usable exp=; empty means "use your own default explanation"
 */
public record SpfResult(SpfOutcome outcome, SpfCause cause, SpfIdentity identity, String sender, String domain,
                        String detail, Optional<String> explanation) {

  public SpfResult {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(cause, "cause");
    if (!cause.allows(outcome)) {
      throw new IllegalArgumentException("SPF cause " + cause + " cannot give " + outcome);
    }
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(domain, "domain");
    detail = detail == null ? "" : detail;
    Objects.requireNonNull(explanation, "explanation");
  }

  /**
   * The cause in words followed by the detail, for Authentication-Results comments, logs and people:
   * "matched all: \"~all\" in the SPF record of example.com for 192.0.2.9".
   */
  public String reason() {
    return detail.isEmpty() ? cause.text() : cause.text() + ": " + detail;
  }

  /** One token for the message log line: "softfail(matched_all)". */
  public String summary() {
    return outcome.keyword() + "(" + cause.keyword() + ")";
  }

  public boolean isPass() {
    return outcome == SpfOutcome.PASS;
  }
}
