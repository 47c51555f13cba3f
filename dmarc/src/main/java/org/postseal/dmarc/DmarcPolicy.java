package org.postseal.dmarc;

import java.util.Locale;
import java.util.Optional;

/** A Domain Owner Assessment Policy: the p=, sp= and np= values (RFC 9989 section 4.7). */
public enum DmarcPolicy {
  NONE, QUARANTINE, REJECT;

  /** "none", "quarantine", "reject": the record's and Authentication-Results' spelling. */
  public String keyword() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** One level milder, as t=y asks (section 4.7): reject becomes quarantine, quarantine none. */
  public DmarcPolicy downgraded() {
    return this == REJECT ? QUARANTINE : NONE;
  }

  /** The policy a value names, case-insensitively (ABNF strings are, RFC 5234 section 2.3). */
  public static Optional<DmarcPolicy> fromKeyword(String keyword) {
    for (DmarcPolicy p : values()) {
      if (p.keyword().equalsIgnoreCase(keyword.strip())) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
