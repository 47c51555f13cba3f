package org.postseal.dmarc;

/**
 * Whether the message has the one From domain DMARC needs (RFC 9989 sections 5.3.1 and 11.5). Anything but
 * {@link #ONE_DOMAIN} is a permerror: the classic ways around DMARC are a missing From, several From fields
 * and several addresses in one.
 */
public enum HeaderFromStatus {
  /** Exactly one address, with a valid domain. */
  ONE_DOMAIN,
  /** No From field, or one without an address. */
  NO_FROM,
  /** Several From fields, or several addresses. */
  SEVERAL_FROM,
  /** One address whose domain is not a valid domain name (e.g. an address literal). */
  MALFORMED
}
