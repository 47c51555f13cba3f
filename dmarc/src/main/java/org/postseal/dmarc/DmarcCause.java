package org.postseal.dmarc;

import java.util.Locale;

/**
 * Why DMARC concluded what it did: one value per decision of RFC 9989 section 5.3, each with the one outcome it
 * leads to. Code branches on it; the words of {@link DmarcResult#reason()} are rendered from it and the detail.
 */
public enum DmarcCause {
  /** An aligned DKIM signature passed (section 4.4.1). */
  DKIM_ALIGNED(DmarcOutcome.PASS, "aligned DKIM pass"),
  /** SPF passed for a domain aligned with the From domain (section 4.4.2). */
  SPF_ALIGNED(DmarcOutcome.PASS, "aligned SPF pass"),
  /** DKIM or SPF passed, but for domains not aligned with the From domain. */
  NOT_ALIGNED(DmarcOutcome.FAIL, "nothing that passed is aligned"),
  /** Neither DKIM nor SPF passed, so nothing could align. */
  NOTHING_PASSED(DmarcOutcome.FAIL, "neither DKIM nor SPF passed"),
  /** No DMARC record for the From domain, its Organizational Domain or its PSD (section 4.10.1). */
  NO_POLICY(DmarcOutcome.NONE, "no DMARC record"),
  /** The message has no From address (section 5.3.1). */
  NO_FROM(DmarcOutcome.PERMERROR, "no From address"),
  /** Several From fields or several addresses (sections 5.3.1 and 11.5). */
  SEVERAL_FROM(DmarcOutcome.PERMERROR, "several From addresses"),
  /** The From domain is not a domain name (an address literal, bad labels). */
  MALFORMED_FROM(DmarcOutcome.PERMERROR, "the From domain is not a valid domain name"),
  /** The record's p=, sp= or np= is not a policy and it has no usable rua= (section 4.10.1). */
  INVALID_POLICY(DmarcOutcome.PERMERROR, "the DMARC record has no valid policy"),
  /** A _dmarc or existence lookup failed (timeout, SERVFAIL): no pass or fail can be concluded (section 5.3.6). */
  DNS_FAILURE(DmarcOutcome.TEMPERROR, "DNS lookup failed"),
  /** The message's deadline came before the lookups answered. */
  DEADLINE(DmarcOutcome.TEMPERROR, "lookups did not finish before the message's deadline"),
  /**
   * A fail (or, for our own domains, a none) rests on a DKIM or SPF check of a related domain that DNS left open:
   * a pass may have been missed.
   */
  RELATED_CHECK_OPEN(DmarcOutcome.TEMPERROR, "not certain"),
  /** A bug, logged with its stack trace; the message is treated as if DNS had failed. */
  INTERNAL_ERROR(DmarcOutcome.TEMPERROR, "internal error");

  private final DmarcOutcome outcome;
  private final String text;

  DmarcCause(DmarcOutcome outcome, String text) {
    this.outcome = outcome;
    this.text = text;
  }

  /** The dmarc= result this cause gives. */
  public DmarcOutcome outcome() {
    return outcome;
  }

  /** A few words, the start of the reason in logs and Authentication-Results comments. */
  public String text() {
    return text;
  }

  /** Lower case with underscores ("not_aligned"), for JSON and log fields. */
  public String keyword() {
    return name().toLowerCase(Locale.ROOT);
  }
}
