package org.postseal.dmarc.outbox;

import java.util.List;
import java.util.Locale;

/**
 * reports.suppress: destinations we never report to. An entry is an address ("dmarc@example.com", also as a
 * "mailto:" URI), matched exactly but for case, or a domain ("example.com"), matching every address at it or
 * below it.
 */
public final class Suppression {

  private final List<String> entries;

  public Suppression(List<String> entries) {
    this.entries = entries.stream().map(Suppression::normalized).filter(e -> !e.isEmpty()).toList();
  }

  /** The entry that suppresses {@code address}, or empty. */
  public java.util.Optional<String> match(String address) {
    String a = address.toLowerCase(Locale.ROOT);
    String domain = a.substring(a.lastIndexOf('@') + 1);
    for (String e : entries) {
      if (e.contains("@") ? e.equals(a) : domain.equals(e) || domain.endsWith("." + e)) {
        return java.util.Optional.of(e);
      }
    }
    return java.util.Optional.empty();
  }

  private static String normalized(String entry) {
    String e = entry.strip().toLowerCase(Locale.ROOT);
    if (e.startsWith("mailto:")) {
      e = e.substring(7);
    }
    return e.endsWith(".") ? e.substring(0, e.length() - 1) : e;
  }
}
