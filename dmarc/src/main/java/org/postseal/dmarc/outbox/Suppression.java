package org.postseal.dmarc.outbox;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.postseal.mail.DomainName;

/**
 * reports.suppress: destinations we never report to. An entry is an address ("dmarc@example.com", also as a
 * "mailto:" URI), matched exactly but for case, or a domain ("example.com"), matching every address at it or
 * below it. Domains are compared as {@link DomainName}s (lower case, A-labels, no trailing dot).
 */
public final class Suppression {

  private final List<Entry> entries;

  public Suppression(List<String> entries) {
    this.entries = entries.stream().map(Suppression::entry).flatMap(Optional::stream).toList();
  }

  /** The entry that suppresses {@code address}, or empty. */
  public Optional<String> match(String address) {
    int at = address.lastIndexOf('@');
    String local = address.substring(0, Math.max(at, 0)).toLowerCase(Locale.ROOT);
    Optional<DomainName> domain = DomainName.parse(address.substring(at + 1), DomainName.Syntax.WITH_UNDERSCORE)
        .toOptional();
    if (domain.isEmpty()) {
      return Optional.empty();
    }
    for (Entry e : entries) {
      boolean matches = e.local().isPresent()
          ? e.local().get().equals(local) && e.domain().equals(domain.get())
          : domain.get().isSubdomainOf(e.domain());
      if (matches) {
        return Optional.of(e.text());
      }
    }
    return Optional.empty();
  }

  /** One entry: an address (local part present) or a domain; {@code text} as the admin's entry reads, normalised. */
  private record Entry(Optional<String> local, DomainName domain, String text) {
  }

  private static Optional<Entry> entry(String written) {
    String e = written.strip();
    if (e.regionMatches(true, 0, "mailto:", 0, 7)) {
      e = e.substring(7);
    }
    int at = e.lastIndexOf('@');
    Optional<String> local = at < 0 ? Optional.empty() : Optional.of(e.substring(0, at).toLowerCase(Locale.ROOT));
    return DomainName.parse(e.substring(at + 1), DomainName.Syntax.WITH_UNDERSCORE).toOptional()
        .map(d -> new Entry(local, d, local.map(l -> l + "@").orElse("") + d.value()));
  }
}
