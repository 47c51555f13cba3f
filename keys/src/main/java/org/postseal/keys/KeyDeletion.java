package org.postseal.keys;

/**
 * {@code postseal keys delete DOMAIN SELECTOR}: removes the private key (and its record file) of a revoked key, or
 * of a pending key that is not wanted. The entry stays, as deleted, so the selector is never reused.
 */
public final class KeyDeletion {

  private final KeyStateChange change;

  public KeyDeletion(SigningKeyStore store) {
    this.change = new KeyStateChange(store);
  }

  /** Deletes {@code selector} of {@code domain}; an active or retired key is refused with the steps before. */
  public KeyUpdateResult delete(String domain, String selector) {
    return change.apply(domain, selector, (d, entry, now) -> switch (entry.state()) {
      case PENDING, REVOKED -> entry.delete(now);
      case DELETED -> entry;
      case ACTIVE -> KeyRefusal.conflict(entry.selector() + " signs mail for " + d + "; rotate first (postseal keygen"
          + " --rotate " + d + "), then revoke it once retire-after has passed, then delete it");
      case RETIRED -> KeyRefusal.conflict(entry.selector() + " of " + d + " is retired and may still verify mail in"
          + " flight; revoke it first (postseal keys revoke " + d + " " + entry.selector() + "), then delete it");
    });
  }
}
