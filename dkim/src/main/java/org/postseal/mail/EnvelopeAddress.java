package org.postseal.mail;

import java.util.Objects;
import java.util.Optional;

/**
 * A MAIL FROM or RCPT TO argument as the milter gets it ({@code "<a@example.com>"}, {@code "a@example.com"},
 * {@code "<>"}, with or without surrounding space), read once: the null sender, an address, or text that is
 * no address. Callers need the three apart: SPF checks the HELO name for the null sender (RFC 7208 section
 * 2.4) and a malformed identity is "none" (section 4.3). Immutable.
 */
public sealed interface EnvelopeAddress permits EnvelopeAddress.NullSender, EnvelopeAddress.Address,
    EnvelopeAddress.Malformed {

  /**
   * The address without brackets, as Postfix's {@code {mail_addr}} and {@code {rcpt_addr}} macros give it:
   * {@code local@domain} as written, "" for the null sender, the text without its surrounding space when it
   * is malformed.
   */
  String text();

  /** {@code "<>"} (or nothing at all): bounces and other mail that must not cause a reply (RFC 5321 section 4.5.5). */
  record NullSender() implements EnvelopeAddress {

    @Override
    public String text() {
      return "";
    }
  }

  /**
   * An address. A source route ({@code "<@relay:a@example.com>"}) is dropped, as RFC 5321 section 4.1.2 lets
   * servers do.
   *
   * @param localPart  as written, quotes kept; empty when the argument was {@code "@example.com"} (RFC 7208
   *                   section 4.3 then checks "postmaster")
   * @param domainPart as written: perhaps upper case, an address literal or not a domain at all
   */
  record Address(String localPart, String domainPart) implements EnvelopeAddress {

    public Address {
      Objects.requireNonNull(localPart, "localPart");
      Objects.requireNonNull(domainPart, "domainPart");
    }

    /** The domain as a host name (RFC 5321 section 4.1.2); empty for an address literal or a malformed domain. */
    public Optional<DomainName> domain() {
      return DomainName.parse(domainPart);
    }

    @Override
    public String text() {
      return localPart + "@" + domainPart;
    }
  }

  /**
   * Not an address: no domain, two addresses, unbalanced brackets, a second '@' outside quotes. White space in
 * the local part is tolerated: RFC 7208's test suite checks SPF for {@code "Macro Error@e8.example.com"}.
   *
   * @param text    the argument without its surrounding space
   * @param problem why, a phrase to follow the quoted text
   */
  record Malformed(String text, String problem) implements EnvelopeAddress {
  }

  /** Reads one MAIL FROM or RCPT TO argument; {@code null} and blank text are the null sender. Never throws. */
  static EnvelopeAddress parse(String argument) {
    String text = argument == null ? "" : argument.strip();
    String inner = text;
    if (text.startsWith("<") || text.endsWith(">")) {
      if (!text.startsWith("<") || !text.endsWith(">") || text.length() < 2) {
        return new Malformed(text, "has unbalanced angle brackets");
      }
      inner = text.substring(1, text.length() - 1).strip();
    }
    if (inner.isEmpty()) {
      return new NullSender();
    }
    int colon = inner.indexOf(':');
    if (inner.charAt(0) == '@' && colon > 0 && inner.indexOf('@', colon) > colon) {
      // "<@relay1,@relay2:user@domain>": the route is obsolete and ignored (RFC 5321 section 4.1.2, appendix C)
      inner = inner.substring(colon + 1);
    }
    int at = -1;
    boolean quoted = false;
    for (int i = 0; i < inner.length(); i++) {
      char c = inner.charAt(i);
      if (quoted) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          quoted = false;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == '<' || c == '>') {
        return new Malformed(text, "is more than one address");
      } else if (c == '@') {
        if (at >= 0) {
          return new Malformed(text, "has a second '@' outside quotes (more than one address?)");
        }
        at = i;
      }
    }
    if (quoted) {
      return new Malformed(text, "has an unterminated quoted local part");
    }
    if (at < 0) {
      return new Malformed(text, "has no domain");
    }
    if (at == inner.length() - 1) {
      return new Malformed(text, "has an empty domain");
    }
    return new Address(inner.substring(0, at), inner.substring(at + 1));
  }
}
