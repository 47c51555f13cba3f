package org.postseal.spf;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of one SPF evaluation.
 *
 * @param outcome     the check_host() result
 * @param identity    which identity was checked: MAIL FROM, or HELO when MAIL FROM was the null sender
 * @param sender      the &lt;sender&gt; as checked: the MAIL FROM address, or "postmaster@" + HELO (RFC 7208
 *                    section 2.4); the local-part "postmaster" stands in for a missing one (section 4.3)
 * @param domain      the &lt;domain&gt; checked: the MAIL FROM domain or the HELO name, lower case without a
 *                    trailing dot. DMARC aligns this domain (RFC 9989 section 4.4.2)
 * @param reason      why, in words fit for a log line and an Authentication-Results comment
 * @param explanation the domain owner's exp= text, expanded (section 6.2); only for a fail, and only when the
 *                    record has a usable exp=; empty means "use your own default explanation"
 */
public record SpfResult(SpfOutcome outcome, SpfIdentity identity, String sender, String domain, String reason,
                        Optional<String> explanation) {

  public SpfResult {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(domain, "domain");
    reason = reason == null ? "" : reason;
    Objects.requireNonNull(explanation, "explanation");
  }

  public boolean isPass() {
    return outcome == SpfOutcome.PASS;
  }
}
