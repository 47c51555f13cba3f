package org.postseal.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnswerCacheTest {

  private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");
  private static final DnsAnswer FOUND = new DnsAnswer.Found(List.of("v=spf1 -all"), Duration.ofSeconds(300));

  private static AnswerCache.Key key(String name) {
    return new AnswerCache.Key(name, RecordType.TXT);
  }

  @Test
  void full_evictsTheOldestEntry() {
    AnswerCache cache = new AnswerCache(3);
    for (String name : List.of("a", "b", "c", "d")) {
      cache.put(key(name), FOUND, Duration.ofSeconds(300), NOW);
    }

    assertThat(cache.size()).isEqualTo(3);
    assertThat(cache.get(key("a"), NOW)).isNull();
    assertThat(cache.get(key("d"), NOW)).isNotNull();
  }

  @Test
  void storingAgain_makesAnEntryTheNewest() {
    AnswerCache cache = new AnswerCache(2);
    cache.put(key("a"), FOUND, Duration.ofSeconds(300), NOW);
    cache.put(key("b"), FOUND, Duration.ofSeconds(300), NOW);
    cache.put(key("a"), FOUND, Duration.ofSeconds(300), NOW);
    cache.put(key("c"), FOUND, Duration.ofSeconds(300), NOW);

    assertThat(cache.get(key("a"), NOW)).isNotNull();
    assertThat(cache.get(key("b"), NOW)).isNull();
  }

  @Test
  void entry_expiresExactlyAtItsLifetime() {
    AnswerCache cache = new AnswerCache(10);
    cache.put(key("a"), FOUND, Duration.ofSeconds(300), NOW);

    assertThat(cache.get(key("a"), NOW.plusSeconds(299))).isEqualTo(
        new DnsAnswer.Found(List.of("v=spf1 -all"), Duration.ofSeconds(1)));
    assertThat(cache.get(key("a"), NOW.plusSeconds(300))).isNull();
    assertThat(cache.size()).isZero();
  }

  @Test
  void zeroLifetime_storesNothingAndDropsAnOlderEntry() {
    AnswerCache cache = new AnswerCache(10);
    cache.put(key("a"), FOUND, Duration.ofSeconds(300), NOW);
    cache.put(key("a"), FOUND, Duration.ZERO, NOW);

    assertThat(cache.get(key("a"), NOW)).isNull();
  }

  @Test
  void defaultResolverCache_holdsTenThousandEntries() {
    AnswerCache cache = new AnswerCache(DnsResolver.MAX_CACHE_ENTRIES);
    for (int i = 0; i < DnsResolver.MAX_CACHE_ENTRIES + 500; i++) {
      cache.put(key("n" + i), FOUND, Duration.ofSeconds(300), NOW);
    }

    assertThat(cache.size()).isEqualTo(10_000);
    assertThat(cache.get(key("n499"), NOW)).isNull();
    assertThat(cache.get(key("n500"), NOW)).isNotNull();
  }
}
