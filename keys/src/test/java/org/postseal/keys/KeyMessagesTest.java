package org.postseal.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class KeyMessagesTest {

  @Test
  void durations_areSpelledAsInTheConfig() {
    assertThat(KeyMessages.duration(Duration.ofDays(7))).isEqualTo("7d");
    assertThat(KeyMessages.duration(Duration.ofHours(36))).isEqualTo("36h");
    assertThat(KeyMessages.duration(Duration.ofMinutes(90))).isEqualTo("90m");
    assertThat(KeyMessages.duration(Duration.ofSeconds(45))).isEqualTo("45s");
  }

  @Test
  void dates_areTheUtcDay() {
    assertThat(KeyMessages.date(Instant.parse("2026-12-22T23:30:00Z"))).isEqualTo("2026-12-22");
    assertThat(KeyMessages.date(Instant.parse("2026-12-23T00:30:00+01:00"))).isEqualTo("2026-12-22");
  }
}
