package org.postseal.dkim;

import java.util.Locale;

/** The dkim= result values of RFC 8601 section 2.7.1. */
public enum DkimOutcome {
  NONE, PASS, FAIL, POLICY, NEUTRAL, TEMPERROR, PERMERROR;

  /** The keyword written in Authentication-Results. */
  public String keyword() {
    return name().toLowerCase(Locale.ROOT);
  }
}
