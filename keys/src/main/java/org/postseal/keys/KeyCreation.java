package org.postseal.keys;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.postseal.dkim.DkimAlgorithm;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores a new pending key: what {@link Keygen}, {@link KeyRotation} and {@link KeyImport} share. Under the
 * domain's lock it reads the state, lets the operation decide what to store (a {@link Plan}) or refuse, picks
 * or checks the selector, records the pending entry, then writes the key file and its record file.
 *
 * <p>The pending entry is written before the key file: if the process dies in between, the entry is cleaned up
 * by the next keygen, while a key file without entry in a domain without state file would sign at once
 * (hand-placed keys do).
 */
final class KeyCreation {

  private static final Logger LOG = LoggerFactory.getLogger(KeyCreation.class);

  /** What key to store: its algorithm (known before the key exists, for the checks) and how to get it. */
  record Plan(DkimAlgorithm algorithm, Supplier<PrivateKey> key) {
  }

  /** Decides, from the domain's entries read under its lock, what to store: a {@link Plan} or a {@link KeyRefusal}. */
  @FunctionalInterface
  interface Planner {
    Object plan(String domain, List<KeyEntry> entries);
  }

  private final SigningKeyStore store;
  private final SecureRandom random = new SecureRandom();

  KeyCreation(SigningKeyStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /** A fresh key of {@code choice}, made only once the checks under the lock have passed. */
  Plan generated(KeyAlgorithmChoice choice) {
    return new Plan(choice.algorithm(), () -> choice.generate(random).getPrivate());
  }

  /**
   * Stores the key {@code planner} decides on as pending. Without a selector, a dated one that was never used in
   * the domain ({@code s202611}, then {@code s202611b}, ...). Refused when the selector exists (whatever its
   * state, even deleted: verifiers may cache the old record), or when a key of the same algorithm is already
   * pending.
   */
  KeygenResult create(String rawDomain, Optional<String> rawSelector, Planner planner) {
    Objects.requireNonNull(rawDomain, "domain");
    Objects.requireNonNull(rawSelector, "selector");
    SigningNames.Checked checkedDomain = SigningNames.signingDomain(rawDomain);
    if (checkedDomain instanceof SigningNames.Refused refused) {
      return KeyRefusal.usage(refused.problem());
    }
    String domain = ((SigningNames.Accepted) checkedDomain).name();
    Optional<SigningNames.Checked> checkedSelector = rawSelector.map(s -> SigningNames.newSelector(s, domain));
    if (checkedSelector.orElse(null) instanceof SigningNames.Refused refused) {
      return KeyRefusal.usage(refused.problem());
    }
    Optional<String> selector = checkedSelector.map(c -> ((SigningNames.Accepted) c).name());
    Path dir;
    try {
      dir = store.createDomainDir(domain);
    } catch (IOException e) {
      return store.ioRefusal("cannot create the key directory of " + domain, e);
    }
    try {
      return store.locked(dir, () -> createLocked(domain, dir, selector, planner));
    } catch (IOException e) {
      return store.ioRefusal("cannot lock the key directory " + dir, e);
    }
  }

  private KeygenResult createLocked(String domain, Path dir, Optional<String> wantedSelector, Planner planner) {
    List<String> notes = new ArrayList<>();
    try {
      // what a keygen killed here before left: temporary files, a pending entry without key file
      notes.addAll(new KeyStoreRecovery(store).recoverLocked(domain, dir));
    } catch (IOException e) {
      return store.ioRefusal("cannot clean " + dir, e);
    }
    KeyStateStore.Contents contents;
    try {
      contents = store.readState(dir);
    } catch (IOException e) {
      return store.ioRefusal("cannot read " + store.stateFile(dir), e);
    }
    if (!contents.problems().isEmpty()) {
      return store.unreadableLines(dir, contents);
    }
    List<KeyEntry> entries = new ArrayList<>(contents.exists() ? contents.entries() : adoptHandPlaced(domain));
    Object planned = planner.plan(domain, List.copyOf(entries));
    if (planned instanceof KeyRefusal refusal) {
      return refusal;
    }
    Plan plan = (Plan) planned;
    String selector;
    if (wantedSelector.isPresent()) {
      selector = wantedSelector.get();
      Optional<String> taken = takenBy(dir, entries, selector);
      if (taken.isPresent()) {
        return KeyRefusal.conflict("selector " + selector + " already exists for " + domain + " (" + taken.get()
            + "); a key is never overwritten: choose another --selector, or leave it out for a new dated one");
      }
    } else {
      selector = freeSelector(dir, entries);
    }
    for (KeyEntry e : entries) {
      if (e.state() == KeyState.PENDING && e.algorithm() == plan.algorithm()) {
        return KeyRefusal.conflict(domain + " already has a pending " + e.keyType() + " key, " + e.selector()
            + ", waiting for DNS: publish its record (" + store.recordFile(dir, e.selector()) + ") and run"
            + " postseal keys activate " + domain + ", or discard it with postseal keys delete " + domain + " "
            + e.selector());
      }
    }
    PrivateKey privateKey = plan.key().get();
    DkimPublicKey publicKey = DkimPublicKey.of(privateKey);
    DkimTxtRecord record = DkimTxtRecord.of(domain, selector, publicKey);
    KeyEntry entry = KeyEntry.pending(selector, plan.algorithm(), publicKey.bits(), store.now());
    List<KeyEntry> before = List.copyOf(entries);
    entries.add(entry);
    try {
      store.writeState(dir, domain, entries);
    } catch (IOException e) {
      return store.ioRefusal("cannot write " + store.stateFile(dir), e);
    }
    Path pemFile = store.keyFile(dir, selector);
    try {
      store.createKeyFile(pemFile, privateKey);
    } catch (IOException e) {
      String rollback = restoreState(dir, domain, contents.exists(), before);
      if (e instanceof FileAlreadyExistsException) {
        return KeyRefusal.conflict(pemFile + " appeared meanwhile; a key is never overwritten: choose another"
            + " --selector" + rollback);
      }
      KeyRefusal refusal = store.ioRefusal("cannot write " + pemFile, e);
      return KeyRefusal.io(refusal.message() + rollback);
    }
    Path txtFile = store.recordFile(dir, selector);
    try {
      store.writeRecordFile(txtFile, record);
    } catch (IOException e) {
      notes.add("could not write " + txtFile + " (" + e.getMessage() + "); the record above is all it would hold");
    }
    Optional<KeyEntry> replaces = entries.stream()
        .filter(e -> e.state() == KeyState.ACTIVE && e.algorithm() == plan.algorithm()).findFirst();
    LOG.info("created pending key d={} s={} a={} in {}", domain, selector, entry.algorithmLabel(), dir);
    return new KeygenResult.Created(domain, entry, record, pemFile, txtFile, replaces, notes);
  }

  /**
   * The entries that record a domain of hand-placed keys as {@link KeyDirectory} uses them: the signing key
   * stays active, the others are retired now (they did not sign). Written with the first change.
   */
  private List<KeyEntry> adoptHandPlaced(String domain) {
    KeyDirectory snapshot = store.scan();
    Instant now = store.now();
    List<KeyEntry> adopted = new ArrayList<>();
    for (KeyEntry e : snapshot.entries(domain)) {
      adopted.add(e.state() == KeyState.RETIRED && e.retired().isEmpty() ? e.retire(now) : e);
    }
    if (!adopted.isEmpty()) {
      LOG.info("recording {} hand-placed keys of {} in {} (the signing ones stay active)", adopted.size(), domain,
          KeyStateStore.FILE_NAME);
    }
    return adopted;
  }

  private Optional<String> takenBy(Path dir, List<KeyEntry> entries, String selector) {
    for (KeyEntry e : entries) {
      if (e.selector().equalsIgnoreCase(selector)) {
        return Optional.of((e.state() == KeyState.ACTIVE ? "an " : "a ") + e.state().label() + " key");
      }
    }
    for (Path file : List.of(store.keyFile(dir, selector), store.recordFile(dir, selector))) {
      if (Files.exists(file)) {
        return Optional.of(file + " exists");
      }
    }
    return Optional.empty();
  }

  /** "s" and the year and month (UTC), then a letter, then a number, until a selector is free. */
  private String freeSelector(Path dir, List<KeyEntry> entries) {
    LocalDate today = LocalDate.ofInstant(store.now(), ZoneOffset.UTC);
    String base = String.format(Locale.ROOT, "s%04d%02d", today.getYear(), today.getMonthValue());
    List<String> candidates = new ArrayList<>();
    candidates.add(base);
    for (char c = 'b'; c <= 'z'; c++) {
      candidates.add(base + c);
    }
    for (int n = 2; ; n++) {
      for (String candidate : candidates) {
        if (takenBy(dir, entries, candidate).isEmpty()) {
          return candidate;
        }
      }
      candidates = List.of(base + "-" + n);
    }
  }

  private String restoreState(Path dir, String domain, boolean existed, List<KeyEntry> before) {
    try {
      if (existed) {
        store.writeState(dir, domain, before);
      } else {
        store.deleteState(dir);
      }
      return "";
    } catch (IOException e) {
      return "; " + KeyStateStore.FILE_NAME + " still lists the key as pending (" + e.getMessage() + "); it never signs"
          + " and is removed at the next start of serve or keygen";
    }
  }
}
