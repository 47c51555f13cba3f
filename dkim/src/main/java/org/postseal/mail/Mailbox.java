package org.postseal.mail;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One mailbox of an address header (RFC 5322 section 3.4), reduced to what authentication needs: the
 * local part and the domain. Display names, comments and routes are dropped on purpose: DMARC takes
 * the From domain from the address itself, never from text a sender can dress up
 * ({@code "admin@bank.com" <x@evil.com>} is a mailbox at evil.com).
 *
 * @param localPart the local part with quoting removed ({@code "john doe"@x} gives {@code john doe})
 * @param domain    the domain as written; a domain literal keeps its brackets ({@code [192.0.2.1]}).
 *                  Compare it through {@link #domainName()}
 */
public record Mailbox(String localPart, String domain) {

  public Mailbox {
    Objects.requireNonNull(localPart, "localPart");
    Objects.requireNonNull(domain, "domain");
  }

  /**
   * Every mailbox of an RFC 5322 address-list, in order; group members are included, groups themselves
   * are not. Obsolete syntax (routes, empty list elements, CFWS between words, a group without its
   * closing ";") is tolerated. Anything that does not parse as a whole gives an empty list: a header
   * we cannot read must never yield a domain picked from part of it. Never throws.
   */
  public static List<Mailbox> parseAddressList(String headerValue) {
    if (headerValue == null) {
      return List.of();
    }
    return new AddressListParser(headerValue).parse();
  }

  /** The domain as a host name, as every comparison takes it; empty for a literal or what is no host name. */
  public Optional<DomainName> domainName() {
    return DomainName.parse(domain);
  }

  /** The address as {@code local@domain}, quoting the local part when it is not a dot-atom. */
  public String address() {
    return AddressListParser.quoteLocalPartIfNeeded(localPart) + "@" + domain;
  }

  @Override
  public String toString() {
    return address();
  }
}
