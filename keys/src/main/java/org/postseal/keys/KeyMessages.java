package org.postseal.keys;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** How refusals and notes spell dates and durations, so that they read like the listing and the config. */
final class KeyMessages {

  private static final DateTimeFormatter DATE = DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC);

  private KeyMessages() {
  }

  /** yyyy-mm-dd in UTC. */
  static String date(Instant instant) {
    return DATE.format(instant);
  }

  /** As the config spells it: "7d", "36h", "90m", "45s". */
  static String duration(Duration duration) {
    long seconds = duration.getSeconds();
    if (seconds % 86_400 == 0 && seconds > 0) {
      return seconds / 86_400 + "d";
    }
    if (seconds % 3_600 == 0 && seconds > 0) {
      return seconds / 3_600 + "h";
    }
    if (seconds % 60 == 0 && seconds > 0) {
      return seconds / 60 + "m";
    }
    return seconds + "s";
  }
}
