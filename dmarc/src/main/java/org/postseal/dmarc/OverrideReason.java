package org.postseal.dmarc;

import java.util.Locale;

/**
 * Why the action differs from what the domain owner's policy asked (RFC 9990 PolicyOverrideType; RFC 9989
 * section 5.4 asks receivers to report it). Recorded for aggregate reports.
 */
public enum OverrideReason {
  /** The message came through a trusted forwarder that rewrote the envelope sender (SRS): forwarding. */
  FORWARDED,
  /** The message came through a trusted forwarder and carries List-Id: a mailing list. */
  MAILING_LIST,
  /** A local setting decided: never-reject, dmarc.enforce off, quarantine = accept, protect-own-domains. */
  LOCAL_POLICY,
  /** The client is a trusted forwarder (dmarc.trusted-forwarders). */
  TRUSTED_FORWARDER;

  /** "forwarded", "mailing_list", "local_policy", "trusted_forwarder": the RFC 9990 spelling. */
  public String keyword() {
    return name().toLowerCase(Locale.ROOT);
  }
}
