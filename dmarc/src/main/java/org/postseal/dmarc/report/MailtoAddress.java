package org.postseal.dmarc.report;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;
import org.postseal.mail.DomainName;

/**
 * The mail address of a rua= "mailto:" URI (RFC 6068), the only scheme RFC 9989 requires of report senders:
 * "mailto:dmarc@example.com?subject=x" is "dmarc@example.com". Other schemes, several addresses in one URI and
 * malformed addresses give nothing: RFC 9990 section 3.1.6 says malformed URIs SHOULD be ignored.
 */
public final class MailtoAddress {

  private static final Pattern LOCAL_PART = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+");

  private MailtoAddress() {
  }

  /** The address with its domain in lower case, or empty when {@code uri} names no single mail address. */
  public static Optional<String> of(String uri) {
    String text = uri.strip();
    if (!text.regionMatches(true, 0, "mailto:", 0, 7)) {
      return Optional.empty();
    }
    String target = text.substring(7);
    int query = target.indexOf('?');
    if (query >= 0) {
      target = target.substring(0, query);
    }
    Optional<String> decoded = percentDecoded(target);
    if (decoded.isEmpty() || decoded.get().contains(",")) {
      return Optional.empty();
    }
    String address = decoded.get();
    int at = address.lastIndexOf('@');
    if (at <= 0) {
      return Optional.empty();
    }
    String local = address.substring(0, at);
    // '_' taken: a report address is a value another system wrote (docs/architecture.md, the mail vocabulary)
    Optional<DomainName> domain = DomainName.parse(address.substring(at + 1), DomainName.Syntax.WITH_UNDERSCORE)
        .toOptional().filter(d -> d.labels().size() >= 2);
    if (!LOCAL_PART.matcher(local).matches() || domain.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(local + "@" + domain.get().value());
  }

  /** The domain of an address this class returned. */
  public static String domainOf(String address) {
    return address.substring(address.lastIndexOf('@') + 1);
  }

  private static Optional<String> percentDecoded(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '%') {
        if (i + 2 >= text.length()) {
          return Optional.empty();
        }
        int hi = Character.digit(text.charAt(i + 1), 16);
        int lo = Character.digit(text.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return Optional.empty();
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else if (c > 0x7E || c <= 0x20) {
        return Optional.empty();
      } else {
        out.write(c);
      }
    }
    return Optional.of(out.toString(StandardCharsets.UTF_8));
  }
}
