package org.postseal.dns;

/** The record types the mechanisms look up. */
public enum RecordType {
  /** Text records; each record's character-strings are concatenated (RFC 6376 section 3.6.2.2). */
  TXT,
  /** IPv4 addresses, as dotted text. */
  A,
  /** IPv6 addresses, as text. */
  AAAA,
  /** Mail exchangers, as "preference host." text. */
  MX,
  /** Reverse pointers, as "host." text. */
  PTR
}
