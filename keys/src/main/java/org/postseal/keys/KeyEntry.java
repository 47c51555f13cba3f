package org.postseal.keys;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.postseal.dkim.DkimAlgorithm;

/**
 * One key of a domain as the state file records it: selector, kind, state and the dates of each step.
 * Immutable; each step returns a new entry.
 *
 * @param bits RSA modulus size; 256 for Ed25519
 */
public record KeyEntry(String selector, KeyState state, DkimAlgorithm algorithm, int bits, Instant created,
                       Optional<Instant> activated, Optional<Instant> retired, Optional<Instant> revoked,
                       Optional<Instant> deleted) {

  public KeyEntry {
    Objects.requireNonNull(selector, "selector");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(activated, "activated");
    Objects.requireNonNull(retired, "retired");
    Objects.requireNonNull(revoked, "revoked");
    Objects.requireNonNull(deleted, "deleted");
  }

  static KeyEntry pending(String selector, DkimAlgorithm algorithm, int bits, Instant now) {
    return new KeyEntry(selector, KeyState.PENDING, algorithm, bits, now, Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty());
  }

  KeyEntry activate(Instant now) {
    return new KeyEntry(selector, KeyState.ACTIVE, algorithm, bits, created, Optional.of(now), retired, revoked,
        deleted);
  }

  KeyEntry retire(Instant now) {
    return new KeyEntry(selector, KeyState.RETIRED, algorithm, bits, created, activated, Optional.of(now), revoked,
        deleted);
  }

  KeyEntry revoke(Instant now) {
    return new KeyEntry(selector, KeyState.REVOKED, algorithm, bits, created, activated, retired, Optional.of(now),
        deleted);
  }

  KeyEntry delete(Instant now) {
    return new KeyEntry(selector, KeyState.DELETED, algorithm, bits, created, activated, retired, revoked,
        Optional.of(now));
  }

  /** The k= value of its record: "rsa" or "ed25519". */
  public String keyType() {
    return DkimPublicKey.keyType(algorithm);
  }

  /** "rsa-2048", "ed25519": the keygen spelling; other RSA sizes (imported keys) as "rsa-1024". */
  public String algorithmLabel() {
    return algorithm == DkimAlgorithm.ED25519_SHA256 ? "ed25519" : "rsa-" + bits;
  }

  /**
   * When a retired key may be revoked: its retirement plus {@code retireAfter}, the time mail signed just
   * before the switch needs to reach and be verified by its receivers. Empty unless retired with a date.
   */
  public Optional<Instant> revocableAt(Duration retireAfter) {
    return state == KeyState.RETIRED ? retired.map(at -> at.plus(retireAfter)) : Optional.empty();
  }

  /** Whether the key is retired and {@code retireAfter} has passed at {@code now}. */
  boolean isRevocable(Duration retireAfter, Instant now) {
    return revocableAt(retireAfter).map(at -> !now.isBefore(at)).orElse(false);
  }
}
