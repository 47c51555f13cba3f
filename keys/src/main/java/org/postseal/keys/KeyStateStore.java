package org.postseal.keys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.postseal.dkim.DkimAlgorithm;

/**
 * The state file of one domain, {@code KEYS_DIR/DOMAIN/keys.state}: one line per key, so the embedded default
 * needs no database and an operator can read it.
 * <pre>
 * # postseal key state for example.com, rewritten as a whole by postseal
 * version 1
 * # selector state algorithm bits created activated retired revoked deleted
 * s202610 retired rsa-sha256 2048 2026-10-01T09:00:00Z 2026-10-02T09:00:00Z 2026-11-02T09:00:00Z - -
 * s202611 active rsa-sha256 2048 2026-11-01T09:00:00Z 2026-11-02T09:00:00Z - - -
 * </pre>
 * Dates are UTC instants, "-" when the step has not happened. Writes go through {@link AtomicFile#replace}, so a
 * crash leaves the previous file whole; temporary files next to it are never read. Callers that read, change and
 * write hold the {@link DomainLock}.
 */
final class KeyStateStore {

  static final String FILE_NAME = "keys.state";
  static final int VERSION = 1;
  private static final String NONE = "-";
  private static final int COLUMNS = 9;
  /** How to get a usable state file back: the fixes of a damaged one, never chmod or chown. */
  static final String RECOVER = "recover: correct the line by hand, restore " + FILE_NAME + " from a backup, or move"
      + " it away (without it, every key file of the domain may sign once DNS serves it, the greatest selector first,"
      + " and the next keygen writes a new state file)";

  private KeyStateStore() {
  }

  /**
   * What the file held: {@code exists} false when there is no state file (a domain of hand-placed keys).
   * Lines that do not parse are skipped and named in {@code problems}.
   */
  record Contents(boolean exists, List<KeyEntry> entries, List<String> problems) {
    Contents {
      entries = List.copyOf(entries);
      problems = List.copyOf(problems);
    }

    Optional<KeyEntry> entry(String selector) {
      return entries.stream().filter(e -> e.selector().equals(selector)).findFirst();
    }
  }

  /**
   * Reads the state file of {@code domainDir}.
   *
   * @throws IOException when the file exists but cannot be read (the caller reports it; guessing states could
   *                     make an unpublished key sign)
   */
  static Contents read(Path domainDir) throws IOException {
    Path file = domainDir.resolve(FILE_NAME);
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return new Contents(false, List.of(), List.of());
    }
    List<KeyEntry> entries = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = file + " line " + (i + 1) + ": ";
      if (line.indexOf('\0') >= 0) {
        problems.add(where + "is corrupt: it holds NUL bytes (the file was damaged, e.g. by a crash before it reached"
            + " the disk); " + RECOVER);
        continue;
      }
      if (line.startsWith("version ")) {
        String version = line.substring("version ".length()).strip();
        if (!version.equals(Integer.toString(VERSION))) {
          problems.add(where + "format version " + version + " is not " + VERSION + " (written by another postseal"
              + " release?); the lines that parse are used");
        }
        continue;
      }
      try {
        KeyEntry entry = parseLine(line);
        if (!seen.add(entry.selector())) {
          problems.add(where + "selector " + entry.selector() + " appears twice; the first line counts, remove the"
              + " other");
          continue;
        }
        entries.add(entry);
      } catch (IllegalArgumentException e) {
        problems.add(where + "is corrupt: " + e.getMessage() + "; this key is ignored until the line is fixed (expected:"
            + " selector state algorithm bits created activated retired revoked deleted); " + RECOVER);
      }
    }
    return new Contents(true, entries, problems);
  }

  /** Replaces the state file of {@code domainDir} with {@code entries}, sorted by selector. */
  static void write(Path domainDir, String domain, List<KeyEntry> entries) throws IOException {
    write(domainDir, domain, entries, AtomicFile.NO_HOOK);
  }

  static void write(Path domainDir, String domain, List<KeyEntry> entries, AtomicFile.BeforeRename hook)
      throws IOException {
    Path file = domainDir.resolve(FILE_NAME);
    // under the domain lock no other writer is live: a temporary file here is a crashed writer's
    AtomicFile.removeLeftovers(file);
    AtomicFile.replace(file, format(domain, entries).getBytes(StandardCharsets.UTF_8), AtomicFile.OWNER_ONLY, hook);
  }

  static String format(String domain, List<KeyEntry> entries) {
    StringBuilder text = new StringBuilder()
        .append("# postseal key state for ").append(domain).append(", rewritten as a whole by postseal\n")
        .append("version ").append(VERSION).append('\n')
        .append("# selector state algorithm bits created activated retired revoked deleted\n");
    List<KeyEntry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparing(KeyEntry::selector));
    for (KeyEntry e : sorted) {
      text.append(e.selector()).append(' ')
          .append(e.state().label()).append(' ')
          .append(e.algorithm().tagValue()).append(' ')
          .append(e.bits()).append(' ')
          .append(e.created()).append(' ')
          .append(instant(e.activated())).append(' ')
          .append(instant(e.retired())).append(' ')
          .append(instant(e.revoked())).append(' ')
          .append(instant(e.deleted())).append('\n');
    }
    return text.toString();
  }

  private static String instant(Optional<Instant> instant) {
    return instant.map(Instant::toString).orElse(NONE);
  }

  private static KeyEntry parseLine(String line) {
    String[] f = line.split("\\s+");
    if (f.length != COLUMNS) {
      throw new IllegalArgumentException(f.length + " columns, not " + COLUMNS);
    }
    String selector = f[0];
    KeyState state = KeyState.fromLabel(f[1]).orElseThrow(() -> new IllegalArgumentException("unknown state \""
        + f[1] + "\""));
    DkimAlgorithm algorithm = DkimAlgorithm.fromTagValue(f[2]).orElseThrow(() -> new IllegalArgumentException(
        "unknown algorithm \"" + f[2] + "\""));
    int bits;
    try {
      bits = Integer.parseInt(f[3]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bits \"" + f[3] + "\" is not a number");
    }
    Instant created = optionalInstant(f[4], "created").orElseThrow(() -> new IllegalArgumentException(
        "the created date is required"));
    return new KeyEntry(selector, state, algorithm, bits, created, optionalInstant(f[5], "activated"),
        optionalInstant(f[6], "retired"), optionalInstant(f[7], "revoked"), optionalInstant(f[8], "deleted"));
  }

  private static Optional<Instant> optionalInstant(String text, String column) {
    if (text.equals(NONE)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(text));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(column + " \"" + text + "\" is not a date like 2026-11-01T09:00:00Z");
    }
  }
}
