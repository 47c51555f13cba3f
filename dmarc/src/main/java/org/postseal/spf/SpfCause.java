package org.postseal.spf;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Why check_host() gave its result: one constant per decision, so code can branch on it and tests can assert
 * it. The text is what Authentication-Results comments, logs and {@code postseal check} show, followed by the
 * result's detail (terms, names, numbers).
 *
 * <p>A matched mechanism gives its qualifier's result, so those causes have no default outcome. A cause found
 * inside an include or redirect keeps its name: "none" there becomes permerror (RFC 7208 sections 5.2, 6.1),
 * and the detail says which include or redirect it came through.
 */
public enum SpfCause {

  // section 4.6.2: the first mechanism that matches decides, with its qualifier
  MATCHED_ALL("matched all"),
  MATCHED_INCLUDE("matched include"),
  MATCHED_A("matched a"),
  MATCHED_MX("matched mx"),
  MATCHED_PTR("matched ptr"),
  MATCHED_IP4("matched ip4"),
  MATCHED_IP6("matched ip6"),
  MATCHED_EXISTS("matched exists"),
  /** Section 4.7: no mechanism matched and there is no redirect=. */
  NO_MATCH("no mechanism matched", SpfOutcome.NEUTRAL),

  /** Section 4.5: the domain publishes no SPF record (NXDOMAIN included, section 4.3). */
  NO_RECORD("no SPF record", SpfOutcome.NONE, SpfOutcome.PERMERROR),
  /** Section 4.3: the domain is empty, an address literal, one label, or has an empty or over-long label. */
  MALFORMED_DOMAIN("malformed domain", SpfOutcome.NONE, SpfOutcome.PERMERROR),
  /** The SMTP client's address is not known (as in {@code postseal check} without --client-ip). */
  NO_CLIENT_ADDRESS("client address unknown", SpfOutcome.NONE),

  /** Section 4.5. */
  MULTIPLE_RECORDS("more than one SPF record", SpfOutcome.PERMERROR),
  /** Section 4.6: a syntax error anywhere in the record, even behind a matching "all". */
  RECORD_SYNTAX("invalid SPF record", SpfOutcome.PERMERROR),
  LOOKUP_LIMIT("too many DNS-querying terms (RFC 7208 section 4.6.4)",
      SpfOutcome.PERMERROR),
  VOID_LOOKUP_LIMIT("too many DNS lookups found nothing (RFC 7208 section 4.6.4)", SpfOutcome.PERMERROR),
  MX_LOOKUP_LIMIT("an mx mechanism would query more than " + CheckHostRun.MAX_MX_NAMES + " address records"
      + " (RFC 7208 section 4.6.4)", SpfOutcome.PERMERROR),

  /** Sections 2.6.6, 4.4, 5: a lookup that check_host() needs failed. */
  DNS_TIMEOUT("DNS timeout", SpfOutcome.TEMPERROR),
  DNS_FAILURE("DNS failure", SpfOutcome.TEMPERROR),
  /** Section 4.6.4: the evaluation as a whole ran out of time. */
  TIMEOUT("SPF evaluation did not finish in time", SpfOutcome.TEMPERROR),
  /** An exception inside our code: a bug, logged; never a property of the record. */
  INTERNAL_ERROR("internal error in SPF evaluation", SpfOutcome.TEMPERROR);

  private final String text;
  private final SpfOutcome defaultOutcome;
  private final Set<SpfOutcome> outcomes;

  /** A matched mechanism: any qualifier's outcome. */
  SpfCause(String text) {
    this.text = text;
    this.defaultOutcome = null;
    this.outcomes = EnumSet.of(SpfOutcome.PASS, SpfOutcome.FAIL, SpfOutcome.SOFTFAIL, SpfOutcome.NEUTRAL);
  }

  SpfCause(String text, SpfOutcome defaultOutcome, SpfOutcome... alsoPossible) {
    this.text = text;
    this.defaultOutcome = defaultOutcome;
    this.outcomes = EnumSet.of(defaultOutcome, alsoPossible);
  }

  /** The result this cause gives at the top of check_host(); empty for a match, which gives its qualifier's. */
  public Optional<SpfOutcome> defaultOutcome() {
    return Optional.ofNullable(defaultOutcome);
  }

  /** True when a result with this cause may have {@code outcome}. */
  public boolean allows(SpfOutcome outcome) {
    return outcomes.contains(outcome);
  }

  /** The cause in words, without detail: "matched all". */
  public String text() {
    return text;
  }

  /** The stable lower_snake name for JSON and logs: "matched_all". */
  public String keyword() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The cause when {@code mechanism} matched. */
  static SpfCause matched(SpfMechanism mechanism) {
    if (mechanism instanceof SpfMechanism.All) {
      return MATCHED_ALL;
    }
    if (mechanism instanceof SpfMechanism.Include) {
      return MATCHED_INCLUDE;
    }
    if (mechanism instanceof SpfMechanism.A) {
      return MATCHED_A;
    }
    if (mechanism instanceof SpfMechanism.Mx) {
      return MATCHED_MX;
    }
    if (mechanism instanceof SpfMechanism.Ptr) {
      return MATCHED_PTR;
    }
    if (mechanism instanceof SpfMechanism.Ip4) {
      return MATCHED_IP4;
    }
    if (mechanism instanceof SpfMechanism.Ip6) {
      return MATCHED_IP6;
    }
    if (mechanism instanceof SpfMechanism.Exists) {
      return MATCHED_EXISTS;
    }
    throw new IllegalArgumentException("not an SPF mechanism: " + mechanism);
  }
}
