package org.postseal.dmarc.store;

import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The addresses our own domains receive aggregate reports at (the rua= of their DMARC records) and the address
 * ours are sent from: mail to any of them is never recorded, so that reports about reports never go round
 * between two receivers (a report loop). Replaced as a whole when the records are looked up again.
 * Thread-safe: {@link #contains} is a read of one volatile set.
 */
public final class OwnReportAddresses {

  private volatile Set<String> addresses = Set.of();

  /** Replaces the set; addresses compare case-insensitively. */
  public void replace(Collection<String> next) {
    addresses = next.stream().map(a -> a.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
  }

  public boolean contains(String address) {
    return addresses.contains(address.toLowerCase(Locale.ROOT));
  }

  /** True when any of {@code recipients} is one of ours. */
  public boolean containsAny(Collection<String> recipients) {
    Set<String> current = addresses;
    return !current.isEmpty() && recipients.stream().anyMatch(r -> current.contains(r.toLowerCase(Locale.ROOT)));
  }

  public Set<String> addresses() {
    return addresses;
  }
}
