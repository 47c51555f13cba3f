package org.postseal.keys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.PrivateKey;
import java.security.interfaces.RSAKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.postseal.dkim.DkimAlgorithm;
import org.postseal.dkim.SigningKey;
import org.postseal.mail.DomainName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The private keys on disk, read once: {@code KEYS_DIR/DOMAIN/SELECTOR.pem} and each domain's state file
 * {@code KEYS_DIR/DOMAIN/keys.state}. An immutable snapshot, safe to share between threads; SIGHUP (or
 * {@link #isOutdated()} turning true) scans again and swaps the whole object.
 *
 * <p>A key file is loaded only when nobody else can read or replace it: mode without any group or other
 * bit, owned by the user running postseal. Anything refused or unreadable becomes a line in
 * {@link #problems()} that names the file and the fix; the other keys still load, and {@code serve} and
 * {@code config check} report the lines. A missing keys directory just means no keys.
 *
 * <p>Which keys may sign (the {@link #candidates}): in a domain with a state file, the keys the file says are
 * {@link KeyState#ACTIVE} (the later activated first); pending, retired and revoked keys, and key files the state
 * file does not list, never sign. A domain directory with key files and <em>no</em> state file holds keys placed
 * by hand, by a release before the key lifecycle, or whose state file was lost: every loaded key is a candidate,
 * the greatest selector first (selectors like "2025a" sort by date), and {@link #entries} reports the greatest as
 * active and the others as retired. Which candidate really signs is decided by {@link SigningKeys}: only one whose
 * public key DNS served at the last check, so a never-published key does not sign because its selector sorts
 * highest. The first keygen, rotation or import in such a domain writes a state file recording the choice.
 *
 * <p>Temporary files of interrupted writes ({@code .NAME.RANDOM.tmp}) and other dot files are never read.
 * Key material is never logged and never part of a {@code toString()} or a problem line.
 */
public final class KeyDirectory {

  private static final Logger LOG = LoggerFactory.getLogger(KeyDirectory.class);
  private static final String SUFFIX = ".pem";
  /** Larger than any PEM key we could use (an RSA-4096 PKCS#8 PEM is about 3.3 KB). */
  private static final long MAX_FILE_BYTES = 64 * 1024;
  private static final Set<PosixFilePermission> GROUP_OR_OTHER = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  /** One domain: its state (read or, without state file, derived from the files) and the keys that loaded. */
  private record DomainKeys(Path dir, boolean hasStateFile, List<KeyEntry> entries, Map<String, SigningKey> loaded,
                            List<SigningKey> active, List<SigningKey> candidates) {
  }

  private final Path directory;
  private final Map<String, DomainKeys> domains;
  private final List<String> problems;
  private final String fingerprint;

  private KeyDirectory(Path directory, Map<String, DomainKeys> domains, List<String> problems, String fingerprint) {
    this.directory = directory;
    this.domains = domains;
    this.problems = List.copyOf(problems);
    this.fingerprint = fingerprint;
  }

  /**
   * Reads every {@code DOMAIN/SELECTOR.pem} and {@code DOMAIN/keys.state} under {@code keysDir}. Never throws
   * for what is on disk: refused and unreadable files become {@link #problems()}.
   */
  public static KeyDirectory scan(Path keysDir) {
    return scan(keysDir, System.getProperty("user.name"));
  }

  /**
   * Keys held only in memory, every one active, for one domain each: what {@code serve}'s warm-up signs its
   * synthetic messages with before it says it is ready, and the pipeline benchmark. Never on disk, never scanned
   * again ({@link #isOutdated()} stays false); {@link #directory()} names no real directory.
   */
  public static KeyDirectory inMemory(List<SigningKey> keys) {
    Path nowhere = Path.of("(in memory)");
    Map<String, DomainKeys> domains = new TreeMap<>();
    for (SigningKey key : keys) {
      domains.compute(key.domain(), (domain, known) -> {
        Map<String, SigningKey> loaded = new TreeMap<>(known == null ? Map.of() : known.loaded());
        loaded.put(key.selector(), key);
        List<SigningKey> active = new ArrayList<>(known == null ? List.of() : known.active());
        active.add(key);
        return new DomainKeys(nowhere, false, List.of(), Collections.unmodifiableMap(loaded), List.copyOf(active),
            List.copyOf(active));
      });
    }
    return new KeyDirectory(nowhere, Collections.unmodifiableMap(domains), List.of(), fingerprint(nowhere));
  }

  /** {@link #scan(Path)} with the user that must own the key files (tests pass another user). */
  static KeyDirectory scan(Path keysDir, String processUser) {
    Objects.requireNonNull(keysDir, "keysDir");
    Objects.requireNonNull(processUser, "processUser");
    String fingerprint = fingerprint(keysDir);
    List<String> problems = new ArrayList<>();
    Map<String, DomainKeys> domains = new TreeMap<>();
    if (!Files.exists(keysDir)) {
      LOG.debug("no keys directory at {}: no keys", keysDir);
      return new KeyDirectory(keysDir, Map.of(), problems, fingerprint);
    }
    if (!Files.isDirectory(keysDir)) {
      problems.add(keysDir + ": is not a directory; the keys directory holds one directory per domain");
      return new KeyDirectory(keysDir, Map.of(), problems, fingerprint);
    }
    for (Path domainDir : sortedEntries(keysDir, processUser, problems)) {
      String name = domainDir.getFileName().toString();
      if (name.startsWith(".") || !Files.isDirectory(domainDir)) {
        continue;
      }
      // placed by hand, perhaps in upper case or with '_': read, not judged by keygen's stricter rules
      DomainName.Parse parsed = DomainName.parse(name, DomainName.Syntax.WITH_UNDERSCORE);
      if (parsed instanceof DomainName.Invalid invalid) {
        problems.add(domainDir + ": \"" + name + "\" is not a domain name (it " + invalid.problem() + "); rename the"
            + " directory to the signing domain (e.g. example.com)");
        continue;
      }
      String domain = ((DomainName.Valid) parsed).domain().value();
      DomainKeys keys = scanDomain(domainDir, domain, processUser, problems);
      if (!keys.loaded().isEmpty() || !keys.entries().isEmpty()) {
        domains.merge(domain, keys, (a, b) -> {
          problems.add(domainDir + ": a second directory for " + domain + " (names differ only in case); keep one");
          return a;
        });
      }
    }
    return new KeyDirectory(keysDir, Collections.unmodifiableMap(domains), problems, fingerprint);
  }

  private static DomainKeys scanDomain(Path domainDir, String domain, String processUser, List<String> problems) {
    Map<String, SigningKey> loaded = new TreeMap<>();
    Set<String> files = new TreeSet<>();
    for (Path file : sortedEntries(domainDir, processUser, problems)) {
      String fileName = file.getFileName().toString();
      if (!fileName.endsWith(SUFFIX) || fileName.startsWith(".")) {
        continue;
      }
      String selector = fileName.substring(0, fileName.length() - SUFFIX.length());
      if (!DomainName.Syntax.WITH_UNDERSCORE.matches(selector)) {
        problems.add(file + ": \"" + selector + "\" is not a valid selector (letters, digits, '-', '_', dots);"
            + " rename the file to SELECTOR.pem");
        continue;
      }
      files.add(selector);
      SigningKey key = load(file, domain, selector, processUser, problems);
      if (key != null) {
        loaded.put(selector, key);
      }
    }
    KeyStateStore.Contents state;
    try {
      state = KeyStateStore.read(domainDir);
    } catch (IOException e) {
      problems.add(unreadableState(domainDir.resolve(KeyStateStore.FILE_NAME), domain, processUser, e));
      return new DomainKeys(domainDir, true, List.of(), Collections.unmodifiableMap(loaded), List.of(), List.of());
    }
    problems.addAll(state.problems());
    if (!state.exists()) {
      List<SigningKey> ordered = new ArrayList<>(loaded.values());
      List<SigningKey> active = chooseActive(domain, ordered, problems);
      List<KeyEntry> entries = new ArrayList<>();
      for (SigningKey key : ordered) {
        Instant created = modified(domainDir.resolve(key.selector() + SUFFIX));
        KeyState keyState = active.contains(key) ? KeyState.ACTIVE : KeyState.RETIRED;
        entries.add(new KeyEntry(key.selector(), keyState, key.algorithm(), bitsOf(key.privateKey()), created,
            Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()));
      }
      return new DomainKeys(domainDir, false, List.copyOf(entries), Collections.unmodifiableMap(loaded), active,
          byPreference(ordered, Comparator.comparing(SigningKey::selector).reversed()));
    }
    for (String selector : loaded.keySet()) {
      if (state.entry(selector).isEmpty()) {
        Path file = domainDir.resolve(selector + SUFFIX);
        problems.add(file + ": not listed in " + KeyStateStore.FILE_NAME + ", so it does not sign; to use it, move"
            + " it out of the keys directory and adopt it with: postseal keys import " + domain + " " + selector
            + " FILE");
      }
    }
    Map<DkimAlgorithm, KeyEntry> activeEntries = new LinkedHashMap<>();
    List<KeyEntry> activeAtAll = new ArrayList<>();
    for (KeyEntry entry : state.entries()) {
      Path file = domainDir.resolve(entry.selector() + SUFFIX);
      boolean wanted = entry.state() == KeyState.ACTIVE || entry.state() == KeyState.PENDING;
      if (wanted && !files.contains(entry.selector())) {
        problems.add(file + ": missing, but " + KeyStateStore.FILE_NAME + " lists " + entry.selector() + " as "
            + entry.state().label() + (entry.state() == KeyState.ACTIVE
            ? "; nothing signs with it: restore the file from a backup, or activate another key"
            : " (an interrupted keygen?); the next start of serve or keygen removes it, or now: postseal keys delete "
                + domain + " " + entry.selector()));
        continue;
      }
      if (entry.state() != KeyState.ACTIVE) {
        continue;
      }
      SigningKey key = loaded.get(entry.selector());
      if (key == null) {
        continue;
      }
      if (key.algorithm() != entry.algorithm()) {
        problems.add(file + ": holds an " + key.algorithm().tagValue() + " key but " + KeyStateStore.FILE_NAME
            + " says " + entry.algorithm().tagValue() + "; it does not sign until the two agree");
        continue;
      }
      activeAtAll.add(entry);
      KeyEntry previous = activeEntries.get(entry.algorithm());
      if (previous == null || activatedLater(entry, previous)) {
        activeEntries.put(entry.algorithm(), entry);
      }
      if (previous != null) {
        KeyEntry winner = activeEntries.get(entry.algorithm());
        KeyEntry loser = winner == entry ? previous : entry;
        problems.add(domain + ": " + KeyStateStore.FILE_NAME + " lists two active " + entry.algorithm().tagValue()
            + " keys; signing with the later activated " + winner.selector() + ", not " + loser.selector()
            + "; retire one with postseal keys activate after a rotation, or fix the file");
      }
    }
    List<SigningKey> active = new ArrayList<>();
    for (DkimAlgorithm algorithm : DkimAlgorithm.values()) {
      KeyEntry entry = activeEntries.get(algorithm);
      if (entry != null) {
        active.add(loaded.get(entry.selector()));
      }
    }
    List<SigningKey> candidates = new ArrayList<>();
    activeAtAll.stream().sorted(Comparator.comparing((KeyEntry e) -> e.activated().orElse(Instant.MIN))
        .thenComparing(KeyEntry::selector).reversed()).forEach(e -> candidates.add(loaded.get(e.selector())));
    return new DomainKeys(domainDir, true, state.entries(), Collections.unmodifiableMap(loaded), List.copyOf(active),
        byPreference(candidates, (a, b) -> 0));
  }

  /** {@code keys} grouped by algorithm (RSA first), each group in {@code order} (a stable sort keeps ties). */
  private static List<SigningKey> byPreference(List<SigningKey> keys, Comparator<SigningKey> order) {
    List<SigningKey> sorted = new ArrayList<>(keys);
    sorted.sort(Comparator.comparing(SigningKey::algorithm).thenComparing(order));
    return List.copyOf(sorted);
  }

  /**
   * Why a state file could not be read, with the fix for that cause: only a permission problem is fixed with
   * chown and chmod; a file that is not text is damaged, and is recovered, not chmod-ed.
   */
  private static String unreadableState(Path stateFile, String domain, String processUser, IOException e) {
    String noKey = ", so no key of " + domain + " signs";
    if (e instanceof AccessDeniedException) {
      return stateFile + ": cannot be read: permission denied (owner " + ownerName(stateFile) + ")" + noKey
          + "; fix: chown " + processUser + " " + stateFile + " and chmod 600 " + stateFile;
    }
    if (e instanceof java.nio.charset.CharacterCodingException) {
      return stateFile + ": is corrupt: it is not text (bytes that are not UTF-8: the file was damaged)" + noKey + "; "
          + KeyStateStore.RECOVER;
    }
    if (Files.isDirectory(stateFile)) {
      return stateFile + ": cannot be read: it is a directory, not the state file" + noKey + "; move it away (the"
          + " next keygen writes the state file)";
    }
    return stateFile + ": cannot be read (" + e + ")" + noKey + "; " + KeyStateStore.RECOVER;
  }

  private static boolean activatedLater(KeyEntry a, KeyEntry b) {
    Instant at = a.activated().orElse(Instant.MIN);
    Instant bt = b.activated().orElse(Instant.MIN);
    return at.isAfter(bt) || (at.equals(bt) && a.selector().compareTo(b.selector()) > 0);
  }

  /**
   * Without a state file: at most one key per algorithm, the greatest selector. The others are named in a
   * problem line, so an operator who copied in a new key sees which one signs.
   */
  private static List<SigningKey> chooseActive(String domain, List<SigningKey> keys, List<String> problems) {
    Map<DkimAlgorithm, List<SigningKey>> byAlgorithm = new LinkedHashMap<>();
    for (DkimAlgorithm algorithm : DkimAlgorithm.values()) {
      for (SigningKey key : keys) {
        if (key.algorithm() == algorithm) {
          byAlgorithm.computeIfAbsent(algorithm, a -> new ArrayList<>()).add(key);
        }
      }
    }
    List<SigningKey> chosen = new ArrayList<>();
    for (Map.Entry<DkimAlgorithm, List<SigningKey>> entry : byAlgorithm.entrySet()) {
      List<SigningKey> candidates = entry.getValue();
      SigningKey winner = candidates.get(candidates.size() - 1);
      chosen.add(winner);
      if (candidates.size() > 1) {
        List<String> ignored = new ArrayList<>();
        for (SigningKey k : candidates.subList(0, candidates.size() - 1)) {
          ignored.add(k.selector());
        }
        problems.add(domain + ": " + candidates.size() + " " + entry.getKey().tagValue() + " keys and no "
            + KeyStateStore.FILE_NAME + "; the greatest selector DNS serves signs (" + winner.selector() + ", then "
            + String.join(", ", reversed(ignored)) + "); move keys that should not sign out of the keys directory");
      }
    }
    return List.copyOf(chosen);
  }

  private static List<String> reversed(List<String> list) {
    List<String> copy = new ArrayList<>(list);
    Collections.reverse(copy);
    return copy;
  }

  /** RSA: the modulus size; Ed25519: 256. */
  static int bitsOf(PrivateKey key) {
    return key instanceof RSAKey rsa ? rsa.getModulus().bitLength() : 256;
  }

  private static Instant modified(Path file) {
    try {
      return Files.getLastModifiedTime(file).toInstant();
    } catch (IOException e) {
      return Instant.EPOCH;
    }
  }

  private static SigningKey load(Path file, String domain, String selector, String processUser,
                                 List<String> problems) {
    PosixFileAttributes attributes;
    try {
      attributes = Files.readAttributes(file, PosixFileAttributes.class);
    } catch (UnsupportedOperationException e) {
      problems.add(file + ": refused: this file system has no POSIX permissions to check; keep keys on a"
          + " Linux file system with mode 600");
      return null;
    } catch (IOException e) {
      problems.add(file + ": cannot read its attributes: " + e.getMessage());
      return null;
    }
    if (!attributes.isRegularFile()) {
      problems.add(file + ": is not a regular file; a key is a PEM file");
      return null;
    }
    List<String> refusals = new ArrayList<>();
    Set<PosixFilePermission> permissions = attributes.permissions();
    if (!Collections.disjoint(permissions, GROUP_OR_OTHER)) {
      refusals.add("mode " + octal(permissions) + " lets group or others at it; fix: chmod 600 " + file);
    }
    String owner = attributes.owner().getName();
    if (!owner.equals(processUser)) {
      refusals.add("owned by " + owner + ", not by " + processUser + " who runs postseal; fix: chown "
          + processUser + " " + file);
    }
    if (!refusals.isEmpty()) {
      problems.add(file + ": refused: " + String.join("; ", refusals));
      return null;
    }
    if (attributes.size() > MAX_FILE_BYTES) {
      problems.add(file + ": " + attributes.size() + " bytes is too large for a key file (at most "
          + MAX_FILE_BYTES + "); " + PrivateKeyPemParser.EXPECTED);
      return null;
    }
    String pem;
    try {
      pem = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      problems.add(file + ": disappeared while the keys were read");
      return null;
    } catch (IOException e) {
      problems.add(file + ": cannot be read: " + e.getMessage());
      return null;
    }
    PrivateKeyPemParser.Parsed parsed = PrivateKeyPemParser.parse(pem);
    if (parsed instanceof PrivateKeyPemParser.Unusable unusable) {
      problems.add(file + ": " + unusable.reason());
      return null;
    }
    PrivateKeyPemParser.Key key = (PrivateKeyPemParser.Key) parsed;
    LOG.debug("loaded key d={} s={} a={} from {}", domain, selector, key.algorithm().tagValue(), file);
    return new SigningKey(domain, selector, key.algorithm(), key.privateKey());
  }

  /** The entries of {@code dir} by name; a directory that cannot be listed is a problem naming the fix. */
  private static List<Path> sortedEntries(Path dir, String processUser, List<String> problems) {
    List<Path> entries = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path p : stream) {
        entries.add(p);
      }
    } catch (AccessDeniedException e) {
      // the classic: the first keygen ran as root and left keys/ root:root 0700
      problems.add(dir + ": cannot list the directory: permission denied (owner " + ownerName(dir) + "), so no key in"
          + " it signs; fix: chown -R " + processUser + " " + dir + " (postseal runs as " + processUser
          + "; run key commands as that user: sudo -u " + processUser + " postseal ...)");
    } catch (IOException e) {
      problems.add(dir + ": cannot list the directory: " + e.getMessage());
    }
    entries.sort(Comparator.comparing(p -> p.getFileName().toString()));
    return entries;
  }

  private static String ownerName(Path path) {
    try {
      return Files.getOwner(path).getName();
    } catch (IOException | UnsupportedOperationException e) {
      return "unknown";
    }
  }

  private static String octal(Set<PosixFilePermission> permissions) {
    int mode = 0;
    for (PosixFilePermission p : permissions) {
      mode |= 1 << (8 - p.ordinal());
    }
    return String.format(Locale.ROOT, "%04o", mode);
  }

  /** The keys of {@code domain} (any case, a trailing dot, U-labels), or null when it has none. */
  private DomainKeys find(String domain) {
    return DomainName.parse(domain, DomainName.Syntax.WITH_UNDERSCORE).toOptional()
        .map(d -> domains.get(d.value())).orElse(null);
  }

  /**
   * The keys that sign mail From {@code domain}: at most one per algorithm, RSA first; with a state file only
   * its active keys, without one the hand-placed keys (see the class comment). Empty when the domain has no
   * usable key. Domains compare case-insensitively.
   */
  public List<SigningKey> activeKeys(String domain) {
    Objects.requireNonNull(domain, "domain");
    DomainKeys keys = find(domain);
    return keys == null ? List.of() : keys.active();
  }

  /**
   * The keys that may sign mail From {@code domain}, grouped by algorithm (RSA first), each group in order of
   * preference: with a state file its active keys (the later activated first), without one every loaded key (the
   * greatest selector first). {@link SigningKeys} picks, per algorithm, the first one DNS serves.
   */
  public List<SigningKey> candidates(String domain) {
    Objects.requireNonNull(domain, "domain");
    DomainKeys keys = find(domain);
    return keys == null ? List.of() : keys.candidates();
  }

  /** The key file of {@code selector} of {@code domain}, where a scan reads it. */
  public Path keyFile(String domain, String selector) {
    DomainKeys keys = find(domain);
    return (keys == null ? directory.resolve(domain) : keys.dir()).resolve(selector + SUFFIX);
  }

  /** Whether {@code domain}'s keys have a state file (false: hand-placed keys, or the state file was lost). */
  public boolean hasStateFileFor(String domain) {
    return hasStateFile(domain);
  }

  /**
   * Every key of {@code domain} with its state, by selector: the state file's lines, or for a domain without
   * state file its loadable key files (the signing one active, the others retired, dates unknown but created).
   * Public for the key-state metrics of serve.
   */
  public List<KeyEntry> entries(String domain) {
    Objects.requireNonNull(domain, "domain");
    DomainKeys keys = find(domain);
    return keys == null ? List.of() : keys.entries();
  }

  /** The loaded key of {@code domain} and {@code selector}, whatever its state; empty if refused or absent. */
  Optional<SigningKey> key(String domain, String selector) {
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(selector, "selector");
    DomainKeys keys = find(domain);
    return keys == null ? Optional.empty() : Optional.ofNullable(keys.loaded().get(selector));
  }

  /** False for a domain whose keys were placed by hand, without state file (the migration case). */
  boolean hasStateFile(String domain) {
    DomainKeys keys = find(domain);
    return keys != null && keys.hasStateFile();
  }

  /** The domains (lower case) with at least one loaded key or state entry. */
  public Set<String> domains() {
    return Collections.unmodifiableSet(new TreeSet<>(domains.keySet()));
  }

  /** Every loaded key, whatever its state, by domain then selector. */
  List<SigningKey> keys() {
    List<SigningKey> all = new ArrayList<>();
    domains.values().forEach(d -> all.addAll(d.loaded().values()));
    return List.copyOf(all);
  }

  /**
   * One line per refused or unreadable file, per ignored key and per state-file problem, each naming the file
   * or domain and the fix.
   */
  public List<String> problems() {
    return problems;
  }

  public Path directory() {
    return directory;
  }

  /**
   * Whether the files changed since this snapshot was taken (a key or state file added, replaced, removed, or
   * its mode or owner changed): {@code serve} polls this and scans again, so that keygen, activation and
   * retirement take effect without a restart. Cheap: reads directory and file attributes, no key.
   */
  public boolean isOutdated() {
    return !fingerprint.equals(fingerprint(directory));
  }

  /** The attributes of everything a scan reads, as one string. */
  private static String fingerprint(Path keysDir) {
    StringBuilder text = new StringBuilder();
    appendAttributes(text, keysDir);
    if (!Files.isDirectory(keysDir)) {
      return text.toString();
    }
    for (Path domainDir : sortedEntries(keysDir, "", new ArrayList<>())) {
      if (domainDir.getFileName().toString().startsWith(".")) {
        continue;
      }
      appendAttributes(text, domainDir);
      if (Files.isDirectory(domainDir)) {
        for (Path file : sortedEntries(domainDir, "", new ArrayList<>())) {
          if (!file.getFileName().toString().startsWith(".")) {
            appendAttributes(text, file);
          }
        }
      }
    }
    return text.toString();
  }

  private static void appendAttributes(StringBuilder text, Path path) {
    text.append(path.getFileName()).append('|');
    try {
      PosixFileAttributes a = Files.readAttributes(path, PosixFileAttributes.class);
      text.append(a.lastModifiedTime()).append('|').append(a.size()).append('|').append(a.permissions())
          .append('|').append(a.owner().getName()).append('|').append(a.fileKey());
    } catch (IOException | UnsupportedOperationException e) {
      text.append("unreadable");
    }
    text.append('\n');
  }

  @Override
  public String toString() {
    return "KeyDirectory[" + directory + ": " + keys().size() + " keys for " + domains.size() + " domains, "
        + problems.size() + " problems]";
  }
}
