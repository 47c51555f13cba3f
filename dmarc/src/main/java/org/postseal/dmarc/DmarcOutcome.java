package org.postseal.dmarc;

import java.util.Locale;

/** The dmarc= results of RFC 9989 section 9.2. */
public enum DmarcOutcome {
  /** A policy record exists and an authenticated identifier is aligned with the From domain. */
  PASS,
  /** A policy record exists and no authenticated identifier is aligned. */
  FAIL,
  /** No policy record for the From domain: DMARC does not apply. */
  NONE,
  /** DNS did not answer (timeout, SERVFAIL): a later attempt may conclude. */
  TEMPERROR,
  /** No conclusion is possible: no From domain or several, a malformed one, or an unusable record. */
  PERMERROR;

  public String keyword() {
    return name().toLowerCase(Locale.ROOT);
  }
}
