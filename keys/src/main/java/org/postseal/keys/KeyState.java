package org.postseal.keys;

import java.util.Locale;
import java.util.Optional;

/**
 * Where a key is in its life: pending -> active -> retired -> revoked -> deleted. Only an active key signs.
 * A pending key waits for DNS to serve it; a retired key stopped signing but stays published for
 * {@code [keys] retire-after} so that mail in flight still verifies; a revoked key's record is replaced by an
 * empty p=; a deleted key's file is gone and its entry stays so that the selector is never reused (verifier
 * caches may still hold the old record).
 */
public enum KeyState {
  PENDING,
  ACTIVE,
  RETIRED,
  REVOKED,
  DELETED;

  /** Lower case, as the state file and listings spell it. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  static Optional<KeyState> fromLabel(String label) {
    for (KeyState state : values()) {
      if (state.label().equals(label)) {
        return Optional.of(state);
      }
    }
    return Optional.empty();
  }
}
