package org.postseal.keys;

import java.util.Objects;
import java.util.Optional;

/** {@code postseal keygen DOMAIN [--selector S] [--algorithm A]}: a new pending key and the record to publish. */
public final class Keygen {

  private final KeyCreation creation;

  public Keygen(SigningKeyStore store) {
    this.creation = new KeyCreation(store);
  }

  /**
   * A new pending key. Without a selector, a dated one that was never used in the domain ({@code s202611}, then
   * {@code s202611b}, ...). Refused when the selector exists (whatever its state, even deleted: verifiers may
   * cache the old record), or when a key of the same algorithm is already pending.
   */
  public KeygenResult generate(String domain, Optional<String> selector, KeyAlgorithmChoice algorithm) {
    Objects.requireNonNull(algorithm, "algorithm");
    return creation.create(domain, selector, (name, entries) -> creation.generated(algorithm));
  }
}
