package org.postseal.keys;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** {@code postseal keygen --rotate DOMAIN [--algorithm A] [--selector S]}: the pending successor of the active key. */
public final class KeyRotation {

  private final KeyCreation creation;

  public KeyRotation(SigningKeyStore store) {
    this.creation = new KeyCreation(store);
  }

  /**
   * The pending successor of the domain's active key; activating it retires the active one. Without an
   * algorithm, that of the active key (its size rounded up to one we offer); a domain signing with both RSA
   * and Ed25519 must say which one to rotate, each rotates on its own.
   */
  public KeygenResult rotate(String domain, Optional<KeyAlgorithmChoice> algorithm, Optional<String> selector) {
    Objects.requireNonNull(algorithm, "algorithm");
    return creation.create(domain, selector, (name, entries) -> {
      Object choice = successorChoice(name, entries, algorithm);
      return choice instanceof KeyAlgorithmChoice c ? creation.generated(c) : choice;
    });
  }

  /** The choice for the successor, or a refusal. */
  private static Object successorChoice(String domain, List<KeyEntry> entries, Optional<KeyAlgorithmChoice> wanted) {
    List<KeyEntry> active = entries.stream().filter(e -> e.state() == KeyState.ACTIVE).toList();
    if (active.isEmpty()) {
      return KeyRefusal.conflict(domain + " has no active key to rotate; create its first key with: postseal keygen "
          + domain);
    }
    if (wanted.isPresent()) {
      return wanted.get();
    }
    if (active.size() > 1) {
      List<String> signing = active.stream().map(e -> e.selector() + " (" + e.algorithmLabel() + ")").toList();
      return KeyRefusal.usage(domain + " signs with " + String.join(" and ", signing) + "; each algorithm rotates on"
          + " its own: say which with --algorithm " + KeyAlgorithmChoice.successorOf(active.get(0).algorithm(),
          active.get(0).bits()).label() + " or --algorithm " + KeyAlgorithmChoice.successorOf(active.get(1).algorithm(),
          active.get(1).bits()).label());
    }
    return KeyAlgorithmChoice.successorOf(active.get(0).algorithm(), active.get(0).bits());
  }
}
