package org.postseal.dmarc;

import java.util.List;
import java.util.Objects;
import org.postseal.dns.Deadline;
import org.postseal.dns.DnsSource;
import org.postseal.mail.HeaderField;

/**
 * DMARC (RFC 9989 section 5.3) for inbound mail: policy discovery by the DNS tree walk, identifier alignment
 * of the DKIM and SPF results with the From domain, the policy that applies after sp=, np= and t=, and what
 * the local {@code [dmarc]} settings do with the message ({@link DmarcDispositionEvaluator}). All DMARC
 * meaning lives here: which From domain counts, which domains need a walk, when a fail is not certain.
 *
 * <p>Choices where RFC 9989 leaves one to the receiver: more than one From address is a permerror (section
 * 5.3.1 allows going on, section 11.5 shows why not); a record whose p=, sp= or np= is not a policy and that
 * has no usable rua= is a permerror (section 4.10.1: "applies no DMARC processing"); a record without p= is
 * p=none (section 4.7); whether the From domain exists (for np=) is asked only when np= differs from the
 * policy that applies otherwise; a DNS failure while finding an Organizational Domain is a temperror unless
 * another identifier aligned anyway; a fail (or, for our own domains, a none) is a temperror when a DKIM or
 * SPF check of a related domain was left open by DNS (section 5.3.6: no pass or fail can be concluded).
 *
 * <p>Thread-safe: one verifier serves every message; each gets its own {@link DmarcSession}.
 */
public final class DmarcVerifier {

  private final DmarcPolicySource policies;
  private final DmarcSettings settings;
  private final DmarcDispositionEvaluator dispositions;

  /** A verifier whose tree walks ask at most RFC 9989's eight names. */
  public DmarcVerifier(DnsSource dns, DmarcSettings settings) {
    this(dns, settings, DmarcPolicySource.MAX_QUERIES);
  }

  /** @param maxTreeWalkQueries the most queries one tree walk may make (dmarc.max-tree-walk-queries), 2..8 */
  public DmarcVerifier(DnsSource dns, DmarcSettings settings, int maxTreeWalkQueries) {
    this.policies = new DmarcPolicySource(Objects.requireNonNull(dns, "dns"), maxTreeWalkQueries);
    this.settings = Objects.requireNonNull(settings, "settings");
    this.dispositions = new DmarcDispositionEvaluator(settings);
  }

  /**
   * Starts DMARC for one message at end of headers; its lookups begin now and stop at {@code deadline}.
   *
   * @param origin         the SMTP client and envelope
   * @param headers        the header fields, top first (From fields are read here)
   * @param signingDomains the d= of every DKIM-Signature the DKIM verification evaluates, in header order
   * @param deadline       the message's one deadline
   */
  public DmarcSession start(MessageOrigin origin, List<HeaderField> headers, List<String> signingDomains,
                            Deadline deadline) {
    return new MessageDmarcSession(policies.lookups(deadline), settings, dispositions, origin, headers, signingDomains,
        deadline);
  }

  public DmarcSettings settings() {
    return settings;
  }
}
