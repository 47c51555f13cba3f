package org.postseal.keys;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Pending -> active in the state file, retiring the active key of the same algorithm, under the domain's lock:
 * the step {@link KeyActivation}, {@link AutoActivation} and {@link KeyImport} share. The caller has decided
 * that the key may sign (DNS serves it, or forced).
 */
final class KeyPromotion {

  /** The activated entry and the one it retired; activated null (and a problem) when the state changed meanwhile. */
  record Promoted(KeyEntry activated, Optional<KeyEntry> retired, String problem) {
  }

  private final SigningKeyStore store;

  KeyPromotion(SigningKeyStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /** Activates the pending key {@code selector} of {@code domain}, whose directory is {@code dir}. */
  Promoted promote(String domain, Path dir, String selector) throws IOException {
    return store.locked(dir, () -> promoteLocked(domain, dir, selector));
  }

  private Promoted promoteLocked(String domain, Path dir, String selector) throws IOException {
    KeyStateStore.Contents contents = store.readState(dir);
    if (!contents.problems().isEmpty()) {
      return new Promoted(null, Optional.empty(), store.unreadableLines(dir, contents).message());
    }
    Optional<KeyEntry> current = contents.entry(selector);
    if (current.isEmpty() || current.get().state() != KeyState.PENDING) {
      return new Promoted(null, Optional.empty(), "its state changed meanwhile (now "
          + current.map(e -> e.state().label()).orElse("gone") + ")");
    }
    Instant now = store.now();
    KeyEntry activated = current.get().activate(now);
    Optional<KeyEntry> retired = Optional.empty();
    List<KeyEntry> updated = new ArrayList<>();
    for (KeyEntry e : contents.entries()) {
      if (e.selector().equals(selector)) {
        updated.add(activated);
      } else if (e.state() == KeyState.ACTIVE && e.algorithm() == activated.algorithm()) {
        KeyEntry old = e.retire(now);
        retired = Optional.of(old);
        updated.add(old);
      } else {
        updated.add(e);
      }
    }
    store.writeState(dir, domain, updated);
    return new Promoted(activated, retired, "");
  }
}
