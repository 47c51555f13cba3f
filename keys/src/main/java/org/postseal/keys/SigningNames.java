package org.postseal.keys;

import org.postseal.mail.DomainName;

/**
 * The names keygen creates keys under, on top of {@link DomainName}'s host-name syntax: a signing domain has
 * at least two labels and is no IP address, and SELECTOR._domainkey.DOMAIN must fit in a DNS name. Stricter
 * than what {@link KeyDirectory} reads (it takes '_', as hand-placed files may have it): what we create must
 * work with every verifier. Refusals are sentences naming the value, the rule and an example.
 */
final class SigningNames {

  static final String DOMAINKEY = "_domainkey";

  /** A name keys accept, or why not. */
  sealed interface Checked permits Accepted, Refused {
  }

  /** @param name as DomainName writes it: lower case, A-labels, no trailing dot */
  record Accepted(String name) implements Checked {
  }

  record Refused(String problem) implements Checked {
  }

  private SigningNames() {
  }

  /** A domain that can sign mail (given on the command line), or why not and what to give instead. */
  static Checked signingDomain(String raw) {
    String example = "; give the domain of the From: addresses to sign, e.g. example.com";
    if (raw.isBlank()) {
      return new Refused("a domain is required" + example);
    }
    DomainName.Parse parsed = DomainName.parse(raw, DomainName.Syntax.HOST_NAME);
    if (parsed instanceof DomainName.Invalid invalid) {
      return new Refused("invalid domain \"" + raw.strip() + "\": it " + invalid.problem() + example);
    }
    DomainName domain = ((DomainName.Valid) parsed).domain();
    if (domain.labels().size() < 2) {
      return new Refused("invalid domain \"" + domain + "\": a signing domain has at least two labels" + example);
    }
    String last = domain.labels().get(domain.labels().size() - 1);
    if (last.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return new Refused("invalid domain \"" + domain + "\": an IP address is not a signing domain" + example);
    }
    return new Accepted(domain.value());
  }

  /**
   * A selector for a new key of {@code domain} (accepted already): RFC 6376 section 3.1 (dot-separated host-name
   * labels), short enough that SELECTOR._domainkey.DOMAIN fits in a DNS name.
   */
  static Checked newSelector(String raw, String domain) {
    String example = " (RFC 6376 section 3.1: letters, digits and '-', dot-separated), e.g. s202611";
    if (raw.isBlank()) {
      return new Refused("a selector must not be empty" + example);
    }
    DomainName.Parse parsed = DomainName.parse(raw, DomainName.Syntax.HOST_NAME);
    if (parsed instanceof DomainName.Invalid invalid) {
      return new Refused("invalid selector \"" + raw.strip() + "\": it " + invalid.problem() + example);
    }
    String selector = ((DomainName.Valid) parsed).domain().value();
    String name = recordName(selector, domain);
    if (name.length() > DomainName.MAX_LENGTH) {
      return new Refused("invalid selector \"" + selector + "\": " + name + " is " + name.length() + " characters,"
          + " longer than the " + DomainName.MAX_LENGTH + " a DNS name may have; choose a shorter selector");
    }
    return new Accepted(selector);
  }

  /** The selector of an existing key, perhaps placed by hand: '_' allowed, as {@link KeyDirectory} reads it. */
  static Checked existingSelector(String raw) {
    DomainName.Parse parsed = DomainName.parse(raw, DomainName.Syntax.WITH_UNDERSCORE);
    if (parsed instanceof DomainName.Invalid invalid) {
      return new Refused("invalid selector \"" + raw.strip() + "\": it " + invalid.problem());
    }
    return new Accepted(((DomainName.Valid) parsed).domain().value());
  }

  /** Where verifiers look the key up (RFC 6376 section 3.6.2.1), without the trailing dot. */
  static String recordName(String selector, String domain) {
    return selector + "." + DOMAINKEY + "." + domain;
  }
}
