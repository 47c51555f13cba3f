package org.postseal.keys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One key's step to a later state under the domain's lock, as {@link KeyRevocation} and {@link KeyDeletion} take
 * it: read the state file, let the step decide (the new entry, or a refusal), write the file back, and after a
 * deletion remove the key's files.
 */
final class KeyStateChange {

  private static final Logger LOG = LoggerFactory.getLogger(KeyStateChange.class);

  /** A state change of one key: the entry after it, or a {@link KeyRefusal}. */
  @FunctionalInterface
  interface Step {
    Object apply(String domain, KeyEntry entry, Instant now);
  }

  private final SigningKeyStore store;

  KeyStateChange(SigningKeyStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  KeyUpdateResult apply(String rawDomain, String rawSelector, Step step) {
    Objects.requireNonNull(rawDomain, "domain");
    Objects.requireNonNull(rawSelector, "selector");
    SigningNames.Checked checkedDomain = SigningNames.signingDomain(rawDomain);
    if (checkedDomain instanceof SigningNames.Refused refused) {
      return KeyRefusal.usage(refused.problem());
    }
    String domain = ((SigningNames.Accepted) checkedDomain).name();
    SigningNames.Checked checkedSelector = SigningNames.existingSelector(rawSelector);
    if (checkedSelector instanceof SigningNames.Refused refused) {
      return KeyRefusal.usage(refused.problem());
    }
    String selector = ((SigningNames.Accepted) checkedSelector).name();
    Path dir = store.domainDir(domain);
    if (!Files.isDirectory(dir)) {
      return KeyRefusal.conflict("no keys for " + domain + " in " + store.keysDir());
    }
    try {
      return store.locked(dir, () -> applyLocked(domain, selector, dir, step));
    } catch (IOException e) {
      return store.ioRefusal("cannot update the keys of " + domain + " in " + dir, e);
    }
  }

  private KeyUpdateResult applyLocked(String domain, String selector, Path dir, Step step) throws IOException {
    KeyStateStore.Contents contents = store.readState(dir);
    if (!contents.problems().isEmpty()) {
      return store.unreadableLines(dir, contents);
    }
    if (!contents.exists()) {
      return KeyRefusal.conflict("the keys of " + domain + " were placed by hand and have no "
          + KeyStateStore.FILE_NAME + " yet; postseal keygen --rotate " + domain + " records them");
    }
    Optional<KeyEntry> entry = contents.entry(selector);
    if (entry.isEmpty()) {
      return KeyRefusal.conflict(domain + " has no key " + selector + "; postseal keys list shows its keys");
    }
    Object outcome = step.apply(domain, entry.get(), store.now());
    if (outcome instanceof KeyRefusal refusal) {
      return refusal;
    }
    KeyEntry updated = (KeyEntry) outcome;
    List<KeyEntry> entries = new ArrayList<>();
    for (KeyEntry e : contents.entries()) {
      entries.add(e.selector().equals(selector) ? updated : e);
    }
    store.writeState(dir, domain, entries);
    if (updated.state() == KeyState.DELETED) {
      // after the state says deleted: a crash in between leaves a file that never signs and the next delete removes
      store.deleteKeyFiles(dir, selector);
      LOG.info("deleted key d={} s={}", domain, selector);
      return new KeyUpdateResult.Updated(domain, updated, Optional.empty());
    }
    LOG.info("key d={} s={} is now {}", domain, selector, updated.state().label());
    return new KeyUpdateResult.Updated(domain, updated,
        Optional.of(DkimTxtRecord.revoked(domain, selector, updated.algorithm())));
  }
}
