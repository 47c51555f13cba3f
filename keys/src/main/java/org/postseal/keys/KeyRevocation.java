package org.postseal.keys;

import java.util.Objects;

/**
 * {@code postseal keys revoke DOMAIN SELECTOR [--force]}: a retired key becomes revoked, once retire-after has
 * passed (or with {@code force}); the result holds the revoked record ({@code p=}) to publish in place of its
 * key record.
 */
public final class KeyRevocation {

  private final SigningKeyStore store;
  private final KeyStateChange change;

  public KeyRevocation(SigningKeyStore store) {
    this.store = Objects.requireNonNull(store, "store");
    this.change = new KeyStateChange(store);
  }

  /** Revokes the retired key {@code selector} of {@code domain}; other states are refused with the next step. */
  public KeyUpdateResult revoke(String domain, String selector, boolean force) {
    return change.apply(domain, selector, (d, entry, now) -> switch (entry.state()) {
      case RETIRED -> !force && !entry.isRevocable(store.retireAfter(), now)
          ? KeyRefusal.conflict(entry.selector() + " of " + d + " was retired on " + entry.retired()
              .map(KeyMessages::date).orElse("?") + "; mail signed with it may be in flight until "
              + entry.revocableAt(store.retireAfter()).map(KeyMessages::date).orElse("?") + " (retire-after "
              + KeyMessages.duration(store.retireAfter()) + "): revoke it then, or now with --force")
          : entry.revoke(now);
      case ACTIVE -> KeyRefusal.conflict(entry.selector() + " signs mail for " + d + "; rotate first (postseal keygen"
          + " --rotate " + d + ", publish, postseal keys activate " + d + "), which retires it");
      case PENDING -> KeyRefusal.conflict(entry.selector() + " of " + d + " never signed; discard it with postseal keys"
          + " delete " + d + " " + entry.selector());
      case REVOKED, DELETED -> KeyRefusal.conflict(entry.selector() + " of " + d + " is already "
          + entry.state().label());
    });
  }
}
