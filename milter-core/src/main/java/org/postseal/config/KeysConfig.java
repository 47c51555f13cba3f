package org.postseal.config;

import java.time.Duration;

/**
 * The [keys] section: how {@code serve} treats pending and replaced keys.
 *
 * @param autoActivate serve activates a pending key once DNS serves it
 * @param retireAfter  how long a replaced key stays published
 */
public record KeysConfig(boolean autoActivate, Duration retireAfter) {

  public static final boolean DEFAULT_AUTO_ACTIVATE = true;
  public static final Duration DEFAULT_RETIRE_AFTER = Duration.ofDays(7);
  public static final Duration MIN_RETIRE_AFTER = Duration.ofHours(1);
  public static final Duration MAX_RETIRE_AFTER = Duration.ofDays(365);

  public static KeysConfig defaults() {
    return new KeysConfig(DEFAULT_AUTO_ACTIVATE, DEFAULT_RETIRE_AFTER);
  }
}
