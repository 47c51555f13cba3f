package org.postseal.dmarc.store;

import java.util.Locale;

/** Where one report's delivery to one destination stands. */
public enum DeliveryState {
  /** Not delivered yet: waiting for its next attempt. */
  PENDING,
  /** The SMTP server accepted it. */
  SENT,
  /** Given up: a 5xx reply, or temporary failures for longer than the retry policy allows. */
  FAILED,
  /** Never sent: an external destination that did not verify (RFC 9990 section 4), or one in reports.suppress. */
  REFUSED;

  public String keyword() {
    return name().toLowerCase(Locale.ROOT);
  }

  static DeliveryState of(String keyword) {
    return valueOf(keyword.toUpperCase(Locale.ROOT));
  }
}
