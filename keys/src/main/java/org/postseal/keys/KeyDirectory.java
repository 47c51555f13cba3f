package org.postseal.keys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.postseal.dkim.DkimAlgorithm;
import org.postseal.dkim.SigningKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The private keys on disk, read once: {@code KEYS_DIR/DOMAIN/SELECTOR.pem}. An immutable snapshot, safe
 * to share between threads; SIGHUP scans again and swaps the whole object.
 *
 * <p>A key file is loaded only when nobody else can read or replace it: mode without any group or other
 * bit, owned by the user running postseal. Anything refused or unreadable becomes a line in
 * {@link #problems()} that names the file and the fix; the other keys still load, and {@code serve} and
 * {@code config check} report the lines. A missing keys directory just means no keys.
 *
 * <p>Per domain and algorithm one key signs: with several files, the lexicographically greatest selector
 * (selectors like "2025a" sort by date). The key lifecycle (pending, active, retired) will refine that
 * choice in {@link #chooseActive}; everything loaded stays in {@link #keys()}.
 *
 * <p>Key material is never logged and never part of a {@code toString()} or a problem line.
 */
public final class KeyDirectory {

  private static final Logger LOG = LoggerFactory.getLogger(KeyDirectory.class);
  private static final String SUFFIX = ".pem";
  /** Larger than any PEM key we could use (an RSA-4096 PKCS#8 PEM is about 3.3 KB). */
  private static final long MAX_FILE_BYTES = 64 * 1024;
  private static final Set<PosixFilePermission> GROUP_OR_OTHER = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
  /** A DNS label as selectors and domains use them; '_' allowed, as the DNS does. */
  private static final Pattern LABELS = Pattern.compile(
      "[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*");

  private final Path directory;
  /** domain -> every loaded key of that domain, by selector. */
  private final Map<String, List<SigningKey>> loaded;
  /** domain -> the keys that sign, at most one per algorithm. */
  private final Map<String, List<SigningKey>> active;
  private final List<String> problems;

  private KeyDirectory(Path directory, Map<String, List<SigningKey>> loaded, Map<String, List<SigningKey>> active,
                       List<String> problems) {
    this.directory = directory;
    this.loaded = loaded;
    this.active = active;
    this.problems = List.copyOf(problems);
  }

  /**
   * Reads every {@code DOMAIN/SELECTOR.pem} under {@code keysDir}. Never throws for what is on disk:
   * refused and unreadable files become {@link #problems()}.
   */
  public static KeyDirectory scan(Path keysDir) {
    return scan(keysDir, System.getProperty("user.name"));
  }

  /** {@link #scan(Path)} with the user that must own the key files (tests pass another user). */
  static KeyDirectory scan(Path keysDir, String processUser) {
    Objects.requireNonNull(keysDir, "keysDir");
    Objects.requireNonNull(processUser, "processUser");
    List<String> problems = new ArrayList<>();
    Map<String, List<SigningKey>> loaded = new TreeMap<>();
    if (!Files.exists(keysDir)) {
      LOG.debug("no keys directory at {}: no keys", keysDir);
      return new KeyDirectory(keysDir, Map.of(), Map.of(), problems);
    }
    if (!Files.isDirectory(keysDir)) {
      problems.add(keysDir + ": is not a directory; the keys directory holds one directory per domain");
      return new KeyDirectory(keysDir, Map.of(), Map.of(), problems);
    }
    for (Path domainDir : sortedEntries(keysDir, problems)) {
      String name = domainDir.getFileName().toString();
      if (name.startsWith(".") || !Files.isDirectory(domainDir)) {
        continue;
      }
      String domain = normalizeDomain(name);
      if (!LABELS.matcher(domain).matches() || domain.length() > 253) {
        problems.add(domainDir + ": \"" + name + "\" is not a domain name; rename the directory to the signing"
            + " domain (e.g. example.com)");
        continue;
      }
      for (Path file : sortedEntries(domainDir, problems)) {
        String fileName = file.getFileName().toString();
        if (!fileName.endsWith(SUFFIX) || fileName.startsWith(".")) {
          continue;
        }
        String selector = fileName.substring(0, fileName.length() - SUFFIX.length());
        if (!LABELS.matcher(selector).matches()) {
          problems.add(file + ": \"" + selector + "\" is not a valid selector (letters, digits, '-', '_', dots);"
              + " rename the file to SELECTOR.pem");
          continue;
        }
        SigningKey key = load(file, domain, selector, processUser, problems);
        if (key != null) {
          loaded.computeIfAbsent(domain, d -> new ArrayList<>()).add(key);
        }
      }
    }
    Map<String, List<SigningKey>> active = new TreeMap<>();
    for (Map.Entry<String, List<SigningKey>> entry : loaded.entrySet()) {
      entry.getValue().sort(Comparator.comparing(SigningKey::selector));
      entry.setValue(List.copyOf(entry.getValue()));
      active.put(entry.getKey(), chooseActive(entry.getKey(), entry.getValue(), problems));
    }
    return new KeyDirectory(keysDir, Collections.unmodifiableMap(loaded), Collections.unmodifiableMap(active),
        problems);
  }

  /**
   * At most one key per algorithm: the greatest selector. The others are named in a problem line, so an
   * operator who copied in a new key sees which one signs.
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
        problems.add(domain + ": " + candidates.size() + " " + entry.getKey().tagValue() + " keys; signing with"
            + " selector " + winner.selector() + " (the greatest), ignoring " + String.join(", ", ignored)
            + "; move keys that should not sign out of the keys directory");
      }
    }
    return List.copyOf(chosen);
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

  private static List<Path> sortedEntries(Path dir, List<String> problems) {
    List<Path> entries = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path p : stream) {
        entries.add(p);
      }
    } catch (IOException e) {
      problems.add(dir + ": cannot list the directory: " + e.getMessage());
    }
    entries.sort(Comparator.comparing(p -> p.getFileName().toString()));
    return entries;
  }

  private static String octal(Set<PosixFilePermission> permissions) {
    int mode = 0;
    for (PosixFilePermission p : permissions) {
      mode |= 1 << (8 - p.ordinal());
    }
    return String.format(Locale.ROOT, "%04o", mode);
  }

  private static String normalizeDomain(String domain) {
    String d = domain.strip().toLowerCase(Locale.ROOT);
    return d.endsWith(".") ? d.substring(0, d.length() - 1) : d;
  }

  /**
   * The keys that sign mail From {@code domain}: at most one per algorithm, RSA first. Empty when the
   * domain has no usable key. Domains compare case-insensitively.
   */
  public List<SigningKey> activeKeys(String domain) {
    Objects.requireNonNull(domain, "domain");
    return active.getOrDefault(normalizeDomain(domain), List.of());
  }

  /** The domains (lower case) with at least one loaded key. */
  public Set<String> domains() {
    return Collections.unmodifiableSet(new TreeSet<>(loaded.keySet()));
  }

  /** Every loaded key, active or not, by domain then selector (for listings and the coming key lifecycle). */
  public List<SigningKey> keys() {
    List<SigningKey> all = new ArrayList<>();
    loaded.values().forEach(all::addAll);
    return List.copyOf(all);
  }

  /** One line per refused or unreadable file and per ignored key, each naming the file or domain and the fix. */
  public List<String> problems() {
    return problems;
  }

  public Path directory() {
    return directory;
  }

  @Override
  public String toString() {
    return "KeyDirectory[" + directory + ": " + keys().size() + " keys for " + loaded.size() + " domains, "
        + problems.size() + " problems]";
  }
}
