package org.postseal.dns;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Answers by (name, type) until they expire. Bounded: when full, the oldest stored entry goes first.
 * One lock around a {@link LinkedHashMap}: every operation is O(1), far cheaper than the lookup it saves.
 */
final class AnswerCache {

  /** {@code name} is already lower case without trailing dot ({@link DnsResolver#normalize}). */
  record Key(String name, RecordType type) {
  }

  private record Entry(DnsAnswer answer, Instant expiresAt) {
  }

  private final int maxEntries;
  private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>();

  AnswerCache(int maxEntries) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("cache size must be at least 1, was " + maxEntries);
    }
    this.maxEntries = maxEntries;
  }

  /**
   * The answer stored for {@code key} if it has not expired at {@code now}, else null. A {@link DnsAnswer.Found}
   * comes back with the TTL that remains, as a downstream cache would see it.
   */
  synchronized DnsAnswer get(Key key, Instant now) {
    Entry entry = entries.get(key);
    if (entry == null) {
      return null;
    }
    if (!now.isBefore(entry.expiresAt())) {
      entries.remove(key);
      return null;
    }
    if (entry.answer() instanceof DnsAnswer.Found found) {
      Duration left = Duration.between(now, entry.expiresAt()).withNanos(0);
      return new DnsAnswer.Found(found.records(), left.compareTo(found.ttl()) < 0 ? left : found.ttl());
    }
    return entry.answer();
  }

  /** Stores {@code answer} for {@code lifetime} from {@code now}; a zero lifetime stores nothing (TTL 0 means do not cache). */
  synchronized void put(Key key, DnsAnswer answer, Duration lifetime, Instant now) {
    entries.remove(key);
    if (lifetime.isZero() || lifetime.isNegative()) {
      return;
    }
    entries.put(key, new Entry(answer, now.plus(lifetime)));
    if (entries.size() > maxEntries) {
      // insertion order: the first entry is the one stored longest ago
      Iterator<Map.Entry<Key, Entry>> oldest = entries.entrySet().iterator();
      oldest.next();
      oldest.remove();
    }
  }

  synchronized void clear() {
    entries.clear();
  }

  synchronized int size() {
    return entries.size();
  }
}
