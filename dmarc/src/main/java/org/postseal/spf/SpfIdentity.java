package org.postseal.spf;

/**
 * Which SMTP identity an SPF result is about (RFC 7208 section 2.2-2.4), with the Authentication-Results
 * property that names it (RFC 8601 section 2.7.2).
 */
public enum SpfIdentity {
  /** The domain of MAIL FROM. */
  MAILFROM("smtp.mailfrom"),
  /** The HELO/EHLO name: checked when MAIL FROM is the null sender ("postmaster@" + HELO, RFC 7208 2.4). */
  HELO("smtp.helo");

  private final String property;

  SpfIdentity(String property) {
    this.property = property;
  }

  /** "smtp.mailfrom" or "smtp.helo". */
  public String property() {
    return property;
  }
}
