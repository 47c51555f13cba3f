package org.postseal.dmarc;

import java.util.Locale;

/**
 * Where policy discovery found the record that applies (RFC 9989 section 4.10.1): at the Author Domain itself,
 * at its Organizational Domain, or at a Public Suffix Domain (psd=y) above both.
 */
public enum PolicySource {
  AUTHOR_DOMAIN, ORGANIZATIONAL_DOMAIN, PUBLIC_SUFFIX_DOMAIN;

  /** "author_domain", "organizational_domain", "public_suffix_domain". */
  public String keyword() {
    return name().toLowerCase(Locale.ROOT);
  }
}
