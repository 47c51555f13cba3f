package org.postseal.dmarc;

/** What to do with a message once DMARC and the local settings have spoken. */
public enum DmarcAction {
  /** Deliver as it is (Authentication-Results still says what DMARC concluded). */
  ACCEPT,
  /** Deliver with a header a filter (e.g. a Sieve rule) can file as spam: {@code dmarc.quarantine = "header"}. */
  QUARANTINE_HEADER,
  /** Ask the MTA to hold the message in its quarantine (milter quarantine action): {@code "hold"}. */
  HOLD,
  /** Refuse with 550 5.7.1 during the SMTP transaction. */
  REJECT,
  /** Refuse with 451 4.7.0 so that the sender retries: {@code dmarc.on-dns-error = "tempfail"}. */
  TEMPFAIL
}
