package org.postseal.keys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.postseal.dkim.DkimAlgorithm;
import org.postseal.dkim.SigningKey;
import org.postseal.mail.DomainName;

/**
 * The key store every key operation works on: {@code KEYS_DIR} with one directory per domain, each holding its
 * lock ({@link DomainLock}), its state file ({@link KeyStateStore}) and its key and record files
 * ({@code SELECTOR.pem}, {@code SELECTOR.txt}, written by {@link AtomicFile}); plus the clock that dates state
 * changes and {@code [keys] retire-after}, how long a retired key's record must stay published. The operations
 * ({@link Keygen}, {@link KeyActivation}, ...) reach those files only through this class.
 *
 * <p>A key's life: {@link KeyState#PENDING} (made, not yet signing) -> {@link KeyState#ACTIVE} (signs; only once
 * DNS serves its key, unless forced) -> {@link KeyState#RETIRED} (replaced by the next active key of the same
 * algorithm; stays published for retire-after so that mail in flight still verifies) -> {@link KeyState#REVOKED}
 * (its record replaced by an empty p=) -> {@link KeyState#DELETED} (private key removed, selector never reused).
 * RSA and Ed25519 keys of a domain rotate independently.
 *
 * <p>Crash safety: key files are created with link(2) from a complete, flushed temporary file with mode 600
 * (never overwriting), the state file is replaced by rename, and keygen records the pending key before writing
 * its file, so an interrupted keygen leaves at worst a pending entry without file, which never signs and the
 * next keygen cleans up. Changes to one domain hold its lock, so a command and {@code serve} can run at the
 * same time.
 *
 * <p>Threading: the operations block on file I/O and on DNS (each lookup at most 30 s, in case the resolver
 * does not bound it): call them from a command's main thread or a scheduler thread, never from a milter event
 * loop. Safe for concurrent use.
 */
public final class SigningKeyStore {

  private static final String PEM = ".pem";
  private static final String TXT = ".txt";
  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_DIRECTORY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

  private final Path keysDir;
  private final Clock clock;
  private final Duration retireAfter;
  /** Null: the owner of the keys directory. */
  private final String keyOwner;
  /** signing.algorithms: what an active key of each algorithm is told apart by in keys list and doctor. */
  private final Set<DkimAlgorithm> signingAlgorithms;
  private volatile AtomicFile.BeforeRename keyFileHook = AtomicFile.NO_HOOK;

  /**
   * @param keysDir     {@code state-dir/keys}; created (mode 700) by the first keygen
   * @param clock       dates of the state file and the default selector (UTC)
   * @param retireAfter {@code [keys] retire-after}
   * @throws IllegalArgumentException when retireAfter is not positive
   */
  public SigningKeyStore(Path keysDir, Clock clock, Duration retireAfter) {
    this(keysDir, clock, retireAfter, EnumSet.allOf(DkimAlgorithm.class));
  }

  /**
   * @param signingAlgorithms signing.algorithms: an active key of an algorithm not listed signs nothing, and keys
   *                          list and doctor say so
   */
  public SigningKeyStore(Path keysDir, Clock clock, Duration retireAfter, Set<DkimAlgorithm> signingAlgorithms) {
    this(keysDir, clock, retireAfter, null, signingAlgorithms);
  }

  /** @param keyOwner the user key files must belong to; null: the owner of the keys directory */
  SigningKeyStore(Path keysDir, Clock clock, Duration retireAfter, String keyOwner) {
    this(keysDir, clock, retireAfter, keyOwner, EnumSet.allOf(DkimAlgorithm.class));
  }

  private SigningKeyStore(Path keysDir, Clock clock, Duration retireAfter, String keyOwner,
                          Set<DkimAlgorithm> signingAlgorithms) {
    this.signingAlgorithms = Set.copyOf(signingAlgorithms);
    this.keysDir = Objects.requireNonNull(keysDir, "keysDir");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.retireAfter = Objects.requireNonNull(retireAfter, "retireAfter");
    this.keyOwner = keyOwner;
    if (retireAfter.isZero() || retireAfter.isNegative()) {
      throw new IllegalArgumentException("keys.retire-after must be positive, was " + retireAfter);
    }
  }

  public Path keysDir() {
    return keysDir;
  }

  Instant now() {
    return clock.instant();
  }

  /** signing.algorithms: only active keys of these sign. */
  public Set<DkimAlgorithm> signingAlgorithms() {
    return signingAlgorithms;
  }

  Duration retireAfter() {
    return retireAfter;
  }

  /**
   * Whom key files must belong to: the owner of the keys directory, i.e. the user {@code serve} runs as, so that
   * a command run by root ({@code sudo postseal ...}) judges the files as serve will. Files the store creates are
   * given to that owner when the process may do so (root).
   */
  String keyOwner() {
    if (keyOwner != null) {
      return keyOwner;
    }
    try {
      return Files.getOwner(keysDir).getName();
    } catch (IOException | UnsupportedOperationException e) {
      return System.getProperty("user.name");
    }
  }

  /** The keys as {@code serve} would load them now. */
  KeyDirectory scan() {
    return KeyDirectory.scan(keysDir, keyOwner());
  }

  /** The existing directory of the domain (directory names compare case-insensitively), else KEYS_DIR/DOMAIN. */
  Path domainDir(String domain) {
    if (Files.isDirectory(keysDir.resolve(domain))) {
      return keysDir.resolve(domain);
    }
    if (Files.isDirectory(keysDir)) {
      try (DirectoryStream<Path> stream = Files.newDirectoryStream(keysDir)) {
        for (Path p : stream) {
          boolean named = DomainName.parse(p.getFileName().toString(), DomainName.Syntax.WITH_UNDERSCORE).toOptional()
              .filter(d -> d.value().equals(domain)).isPresent();
          if (named && Files.isDirectory(p)) {
            return p;
          }
        }
      } catch (IOException e) {
        // fall back to the canonical name; the caller's own access reports the problem
      }
    }
    return keysDir.resolve(domain);
  }

  /** The domain's directory, created (mode 700, like KEYS_DIR) when missing. */
  Path createDomainDir(String domain) throws IOException {
    if (Files.exists(keysDir) && !Files.isDirectory(keysDir)) {
      throw new NotDirectoryException(keysDir.toString());
    }
    if (!Files.exists(keysDir)) {
      Files.createDirectories(keysDir, OWNER_ONLY_DIRECTORY);
      // root's first keygen in a state-dir that belongs to the service's user (sudo postseal keygen): the keys
      // directory, and so every file below it, goes to that user, or serve could not list it
      if (keysDir.toAbsolutePath().getParent() != null) {
        AtomicFile.giveToOwnerOf(keysDir.toAbsolutePath().getParent(), keysDir);
      }
    }
    Path dir = domainDir(domain);
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new NotDirectoryException(dir.toString());
    }
    if (!Files.exists(dir)) {
      Files.createDirectories(dir, OWNER_ONLY_DIRECTORY);
      AtomicFile.giveToOwnerOf(keysDir, dir);
    }
    if (!Files.isWritable(dir) || !Files.isReadable(dir)) {
      // access(2) says "not writable" for a read-only mount too: tell the two apart, their fixes differ
      if (Files.getFileStore(dir).isReadOnly()) {
        throw new FileSystemException(dir.toString(), null, "Read-only file system");
      }
      throw new AccessDeniedException(dir.toString());
    }
    return dir;
  }

  /** Runs {@code change} once no other thread or process changes the domain directory {@code dir}. */
  <T> T locked(Path dir, DomainLock.Locked<T> change) throws IOException {
    return DomainLock.holding(dir, change);
  }

  /** The domain's state file; call while {@link #locked} when the entries are to be changed and written back. */
  KeyStateStore.Contents readState(Path dir) throws IOException {
    return KeyStateStore.read(dir);
  }

  /** Replaces the domain's state file with {@code entries}; call while {@link #locked}. */
  void writeState(Path dir, String domain, List<KeyEntry> entries) throws IOException {
    KeyStateStore.write(dir, domain, entries);
  }

  void deleteState(Path dir) throws IOException {
    Files.deleteIfExists(stateFile(dir));
  }

  Path stateFile(Path dir) {
    return dir.resolve(KeyStateStore.FILE_NAME);
  }

  Path keyFile(Path dir, String selector) {
    return dir.resolve(selector + PEM);
  }

  Path recordFile(Path dir, String selector) {
    return dir.resolve(selector + TXT);
  }

  /**
   * Writes {@code key} as a new key file (PKCS#8 PEM, mode 600).
   *
   * @throws FileAlreadyExistsException when the file exists; a key is never overwritten
   */
  void createKeyFile(Path file, PrivateKey key) throws IOException {
    AtomicFile.createNew(file, pem(key).getBytes(StandardCharsets.US_ASCII), AtomicFile.OWNER_ONLY, keyFileHook);
  }

  /** Runs between a new key's temporary file being complete and its name being taken: tests play a crash there. */
  void beforeKeyFileLinked(AtomicFile.BeforeRename hook) {
    this.keyFileHook = Objects.requireNonNull(hook, "hook");
  }

  /** Writes the record's zone text (mode 644: it is public) next to its key. */
  void writeRecordFile(Path file, DkimTxtRecord record) throws IOException {
    AtomicFile.replace(file, (record.zoneText() + "\n").getBytes(StandardCharsets.US_ASCII), AtomicFile.WORLD_READABLE);
  }

  /** Removes the key and record files of {@code selector}; call after the state file says deleted. */
  void deleteKeyFiles(Path dir, String selector) throws IOException {
    Files.deleteIfExists(keyFile(dir, selector));
    Files.deleteIfExists(recordFile(dir, selector));
  }

  /**
   * The refusal for a failed file operation, with the fix for the usual causes: a read-only file system (EROFS), a
   * full disk (ENOSPC), the owner, a file in the way. Every write goes to a temporary file first, flushed and
   * renamed, so none of these leaves a partial key or state file behind.
   */
  KeyRefusal ioRefusal(String doing, IOException e) {
    if (isReadOnlyFileSystem(e)) {
      return KeyRefusal.io(doing + ": " + failedPath(e) + " is on a read-only file system (EROFS); nothing was"
          + " written. Fix: remount it read-write (mount -o remount,rw), or set state-dir to a writable directory;"
          + " under systemd with ProtectSystem=strict, state-dir must be in ReadWritePaths=");
    }
    if (isDiskFull(e)) {
      return KeyRefusal.io(doing + ": the disk holding " + keysDir + " is full (ENOSPC, no space left on device);"
          + " nothing was kept: no partial key or state file is left. Fix: free space (df -h " + keysDir + ") and run"
          + " the command again");
    }
    if (e instanceof java.nio.charset.CharacterCodingException) {
      return KeyRefusal.io(doing + ": the file is corrupt: it is not text (bytes that are not UTF-8: it was damaged); "
          + KeyStateStore.RECOVER);
    }
    if (e instanceof AccessDeniedException denied) {
      return KeyRefusal.io(doing + ": permission denied on " + denied.getFile() + "; run postseal as the user that"
          + " owns " + keysDir + " (e.g. sudo -u postseal postseal ...), or fix the owner: chown -R " + keyOwner() + " "
          + keysDir);
    }
    if (e instanceof NotDirectoryException || e instanceof FileAlreadyExistsException) {
      return KeyRefusal.io(doing + ": " + ((FileSystemException) e).getFile() + " is not a directory; the keys"
          + " directory (state-dir/keys) holds one directory per domain: move that file away, or set state-dir to"
          + " another place");
    }
    return KeyRefusal.io(doing + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
  }

  /** Whether {@code e} is EROFS: the JDK reports it as a FileSystemException with the C library's text. */
  static boolean isReadOnlyFileSystem(IOException e) {
    return reasonContains(e, "Read-only file system");
  }

  /** Whether {@code e} is ENOSPC (or EDQUOT, a full quota, which reads the same to the operator). */
  static boolean isDiskFull(IOException e) {
    return reasonContains(e, "No space left on device") || reasonContains(e, "Disk quota exceeded");
  }

  private static boolean reasonContains(IOException e, String text) {
    String reason = e instanceof FileSystemException fse ? fse.getReason() : null;
    return (reason != null && reason.contains(text)) || (e.getMessage() != null && e.getMessage().contains(text));
  }

  private static String failedPath(IOException e) {
    if (!(e instanceof FileSystemException fse) || fse.getFile() == null) {
      return "the key directory";
    }
    Path file = Path.of(fse.getFile());
    // a temporary file (".NAME.RANDOM.tmp") means nothing to the operator: its directory does
    return file.getFileName() != null && file.getFileName().toString().startsWith(".") && file.getParent() != null
        ? file.getParent().toString() : file.toString();
  }

  /** The refusal to rewrite a state file with lines we cannot read: they would be lost. */
  KeyRefusal unreadableLines(Path dir, KeyStateStore.Contents contents) {
    return KeyRefusal.conflict(stateFile(dir) + " is damaged: it has lines postseal cannot read; fix or remove those"
        + " lines first (or restore the file from a backup), so that no key's state is lost when the file is"
        + " rewritten: " + String.join("; ", contents.problems()));
  }

  /** The problems of the scan that concern {@code domain}. */
  List<String> problemsOf(KeyDirectory snapshot, String domain) {
    String dir = domainDir(domain).toString();
    return snapshot.problems().stream()
        .filter(p -> p.startsWith(dir + "/") || p.startsWith(domain + ":") || p.startsWith(keysDir + ":")).toList();
  }

  /** The problem lines of the scan about the key file of {@code selector}, or a sentence saying it is missing. */
  String fileProblem(KeyDirectory snapshot, String domain, String selector) {
    String file = keyFile(domainDir(domain), selector).toString();
    List<String> lines = snapshot.problems().stream().filter(p -> p.contains(file)).toList();
    return lines.isEmpty() ? "its key file " + file + " cannot be loaded" : String.join("; ", lines);
  }

  /** The public key of a loaded key file; empty when the file was refused or is absent. */
  static Optional<DkimPublicKey> publicKey(KeyDirectory snapshot, String domain, String selector) {
    Optional<SigningKey> key = snapshot.key(domain, selector);
    try {
      return key.map(k -> DkimPublicKey.of(k.privateKey()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** PKCS#8 "PRIVATE KEY" PEM, 64-character lines, as openssl writes it. */
  static String pem(PrivateKey key) {
    byte[] der = key.getEncoded();
    String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN PRIVATE KEY-----\n" + base64 + "\n-----END PRIVATE KEY-----\n";
  }

  @Override
  public String toString() {
    return "SigningKeyStore[" + keysDir + ", retire-after " + KeyMessages.duration(retireAfter) + "]";
  }
}
