package org.postseal.dns;

import java.time.Duration;

/**
 * Told about every lookup {@link DnsResolver} answers, for metrics: which ones needed a query and how long it
 * took, which ones did not. Called on the resolver's threads and on the caller's: implementations must be
 * thread-safe, cheap and must not throw.
 */
public interface DnsObserver {

  /** Observes nothing: the default. */
  DnsObserver NONE = new DnsObserver() {
    @Override
    public void answeredWithoutQuery(RecordType type) {
    }

    @Override
    public void queried(RecordType type, DnsAnswer answer, Duration elapsed) {
    }
  };

  /** A lookup answered from the cache, or by joining the same query already under way. */
  void answeredWithoutQuery(RecordType type);

  /** A lookup that sent queries ended with {@code answer} after {@code elapsed} (timeouts included). */
  void queried(RecordType type, DnsAnswer answer, Duration elapsed);
}
