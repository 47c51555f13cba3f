package org.postseal.keys;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.postseal.dns.DnsSource;

/**
 * The periodic step of {@code serve} with {@code [keys] auto-activate = true}: every pending key whose record DNS
 * serves becomes active, retiring its predecessor. Keys DNS does not serve yet stay pending, without log noise;
 * the next run looks again. Domains of hand-placed keys (no state file) are left alone.
 */
public final class AutoActivation {

  private final SigningKeyStore store;
  private final KeyActivation activation;

  /** @param dns where publication is checked; a resolver without cache sees a new record at once */
  public AutoActivation(SigningKeyStore store, DnsSource dns) {
    this.store = Objects.requireNonNull(store, "store");
    this.activation = new KeyActivation(store, dns);
  }

  /**
   * One {@link ActivationResult.Activation} per pending key looked at; when any
   * {@link ActivationResult.Activation#isActivated()}, the caller scans the key directory again (or relies on
   * {@link KeyDirectory#isOutdated()}).
   */
  public List<ActivationResult.Activation> activatePublished() {
    KeyDirectory snapshot = store.scan();
    List<ActivationResult.Activation> all = new ArrayList<>();
    for (String domain : snapshot.domains()) {
      if (!snapshot.hasStateFile(domain)) {
        continue;
      }
      List<KeyEntry> pending = snapshot.entries(domain).stream().filter(e -> e.state() == KeyState.PENDING).toList();
      if (!pending.isEmpty()) {
        all.addAll(activation.activateAll(snapshot, domain, pending, false));
      }
    }
    return all;
  }
}
