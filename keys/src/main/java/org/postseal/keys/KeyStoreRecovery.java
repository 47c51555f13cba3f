package org.postseal.keys;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.postseal.mail.DomainName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cleans what a process killed in the middle of a key operation (kill -9, a power cut) leaves in the key store:
 * temporary files of {@link AtomicFile} ({@code .SELECTOR.pem.RANDOM.tmp}, {@code .keys.state.RANDOM.tmp}; a
 * private key may be in one, so it must not stay) and pending entries of the state file whose key file was never
 * written (keygen records the entry first). {@code serve} runs it at start and every keygen for its domain; each
 * removal is one INFO line saying what and why.
 *
 * <p>Runs under each domain's lock: a keygen that is still running holds it, so its files are never taken.
 */
public final class KeyStoreRecovery {

  private static final Logger LOG = LoggerFactory.getLogger(KeyStoreRecovery.class);
  /** What {@code Files.createTempFile(dir, "." + NAME + ".", ".tmp")} names. */
  private static final Pattern LEFTOVER = Pattern.compile("\\..+\\.[0-9]+\\" + AtomicFile.TEMP_SUFFIX);

  private final SigningKeyStore store;

  public KeyStoreRecovery(SigningKeyStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /**
   * Cleans every domain directory of the store. Never throws: a directory it cannot clean (read-only, another
   * owner) is a WARN line, and the leftovers stay harmless (no scan reads them, no pending key without file signs).
   *
   * @return one sentence per removal
   */
  public List<String> recover() {
    List<String> done = new ArrayList<>();
    Path keysDir = store.keysDir();
    if (!Files.isDirectory(keysDir)) {
      return done;
    }
    List<Path> dirs = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(keysDir)) {
      for (Path p : stream) {
        if (Files.isDirectory(p) && !p.getFileName().toString().startsWith(".")) {
          dirs.add(p);
        }
      }
    } catch (IOException e) {
      LOG.warn("keys: cannot look for leftovers of interrupted key operations in {}: {}", keysDir, e.toString());
      return done;
    }
    dirs.sort(null);
    for (Path dir : dirs) {
      var parsed = DomainName.parse(dir.getFileName().toString(), DomainName.Syntax.WITH_UNDERSCORE).toOptional();
      if (parsed.isEmpty() || !hasLeftovers(dir)) {
        continue;
      }
      String domain = parsed.get().value();
      try {
        done.addAll(store.locked(dir, () -> recoverLocked(domain, dir)));
      } catch (IOException e) {
        LOG.warn("keys: cannot clean the leftovers of interrupted key operations in {}: {}", dir,
            store.ioRefusal("cleaning " + dir, e).message());
      }
    }
    return done;
  }

  /** Whether there is anything to clean, without taking the lock (the common case: nothing). */
  private boolean hasLeftovers(Path dir) {
    if (!temporaryFiles(dir).isEmpty()) {
      return true;
    }
    try {
      KeyStateStore.Contents contents = store.readState(dir);
      return contents.entries().stream().anyMatch(e -> interrupted(dir, e));
    } catch (IOException e) {
      return false;
    }
  }

  private boolean interrupted(Path dir, KeyEntry entry) {
    return entry.state() == KeyState.PENDING && !Files.exists(store.keyFile(dir, entry.selector()));
  }

  /** Cleans {@code dir}; call while holding its lock. One sentence per removal, each also logged at INFO. */
  List<String> recoverLocked(String domain, Path dir) throws IOException {
    List<String> done = new ArrayList<>();
    for (Path leftover : temporaryFiles(dir)) {
      Files.deleteIfExists(leftover);
      String what = "removed " + leftover + ": the temporary file of a key write that never finished (a keygen or key"
          + " change was killed, e.g. kill -9, or the disk filled); nothing reads it";
      LOG.info("keys: {}", what);
      done.add(what);
    }
    KeyStateStore.Contents contents;
    try {
      contents = store.readState(dir);
    } catch (IOException e) {
      // a state file that cannot be read is reported, with its fix, by the key scan and by keygen
      return done;
    }
    if (!contents.exists() || !contents.problems().isEmpty()) {
      return done;
    }
    List<KeyEntry> kept = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    for (KeyEntry e : contents.entries()) {
      if (interrupted(dir, e)) {
        removed.add("removed pending key " + e.selector() + " of " + domain + " from " + store.stateFile(dir) + ": its key"
            + " file " + store.keyFile(dir, e.selector()) + " was never written (a keygen killed before it wrote the"
            + " key, e.g. kill -9); run postseal keygen " + domain + " again if a new key is still wanted");
      } else {
        kept.add(e);
      }
    }
    if (!removed.isEmpty()) {
      store.writeState(dir, domain, kept);
      removed.forEach(r -> LOG.info("keys: {}", r));
      done.addAll(removed);
    }
    return done;
  }

  private static List<Path> temporaryFiles(Path dir) {
    List<Path> found = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir,
        p -> LEFTOVER.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p))) {
      stream.forEach(found::add);
    } catch (IOException e) {
      // an unreadable directory: the scan reports it
    }
    found.sort(null);
    return found;
  }
}
