package org.postseal.spf;

import java.util.Locale;

/** The results of check_host() (RFC 7208 section 2.6), also the spf= values of RFC 8601 section 2.7.2. */
public enum SpfOutcome {
  NONE, NEUTRAL, PASS, FAIL, SOFTFAIL, TEMPERROR, PERMERROR;

  /** The keyword written in Authentication-Results and logs. */
  public String keyword() {
    return name().toLowerCase(Locale.ROOT);
  }
}
