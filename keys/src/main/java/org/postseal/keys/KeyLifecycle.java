package org.postseal.keys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.postseal.dkim.DkimAlgorithm;
import org.postseal.dkim.SigningKey;
import org.postseal.dns.DnsSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key store's operations: keygen, rotation, activation, the DNS checks of {@code keys check} and
 * {@code keys list}, revocation and deletion. One object per keys directory; the command-line commands and
 * {@code serve}'s auto-activation call it, each result prints itself ({@link KeyCommandOutput}).
 *
 * <p>A key's life: {@link KeyState#PENDING} (made, not yet signing) -> {@link KeyState#ACTIVE} (signs; only once
 * DNS serves its key, unless forced) -> {@link KeyState#RETIRED} (replaced by the next active key of the same
 * algorithm; stays published for {@code retireAfter} so that mail in flight still verifies) ->
 * {@link KeyState#REVOKED} (its record replaced by an empty p=) -> {@link KeyState#DELETED} (private key removed,
 * selector never reused). RSA and Ed25519 keys of a domain rotate independently.
 *
 * <p>Crash safety: key files are created with link(2) from a complete, flushed temporary file with mode 600
 * (never overwriting), the state file is replaced by rename, and keygen records the pending key before writing
 * its file, so an interrupted keygen leaves at worst a pending entry without file, which never signs and the
 * next keygen cleans up. Changes to one domain hold its {@link DomainLock}, so a command and {@code serve} can
 * run at the same time.
 *
 * <p>Threading: methods block on file I/O and on DNS (each lookup at most the lookup timeout): call them from
 * a command's main thread or a scheduler thread, never from a milter event loop. Safe for concurrent use.
 */
public final class KeyLifecycle {

  /** {@code [keys] retire-after} default: a week covers queue retries (Postfix gives up after 5 days). */
  public static final Duration DEFAULT_RETIRE_AFTER = Duration.ofDays(7);
  /** Longest wait for one DNS answer, in case a {@link DnsSource} does not bound its own lookups. */
  public static final Duration DEFAULT_LOOKUP_TIMEOUT = Duration.ofSeconds(30);

  private static final Logger LOG = LoggerFactory.getLogger(KeyLifecycle.class);
  private static final String PEM = ".pem";
  private static final String TXT = ".txt";
  /** Larger than any PEM key we could use, as in {@link KeyDirectory}. */
  private static final long MAX_IMPORT_BYTES = 64 * 1024;

  private final Path keysDir;
  private final KeyPublicationCheck publication;
  private final Clock clock;
  private final Duration retireAfter;
  /** Null: the owner of the keys directory. */
  private final String keyOwner;
  private final Duration lookupTimeout;
  private final SecureRandom random = new SecureRandom();

  /**
   * @param keysDir     {@code state-dir/keys}; created (mode 700) by the first keygen
   * @param dns         where publication is checked
   * @param clock       dates of the state file and the default selector (UTC)
   * @param retireAfter {@code [keys] retire-after}
   * @throws IllegalArgumentException when retireAfter is not positive
   */
  public KeyLifecycle(Path keysDir, DnsSource dns, Clock clock, Duration retireAfter) {
    this(keysDir, dns, clock, retireAfter, null, DEFAULT_LOOKUP_TIMEOUT);
  }

  /** @param keyOwner the user key files must belong to; null: the owner of the keys directory */
  KeyLifecycle(Path keysDir, DnsSource dns, Clock clock, Duration retireAfter, String keyOwner,
               Duration lookupTimeout) {
    this.keysDir = Objects.requireNonNull(keysDir, "keysDir");
    this.publication = new KeyPublicationCheck(Objects.requireNonNull(dns, "dns"));
    this.clock = Objects.requireNonNull(clock, "clock");
    this.retireAfter = Objects.requireNonNull(retireAfter, "retireAfter");
    this.keyOwner = keyOwner;
    this.lookupTimeout = Objects.requireNonNull(lookupTimeout, "lookupTimeout");
    if (retireAfter.isZero() || retireAfter.isNegative()) {
      throw new IllegalArgumentException("keys.retire-after must be positive, was " + retireAfter);
    }
  }

  public Path keysDir() {
    return keysDir;
  }

  /**
   * Whom key files must belong to: the owner of the keys directory, i.e. the user {@code serve} runs as, so that
   * a command run by root ({@code sudo postseal ...}) judges the files as serve will. Files this class creates are
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

  private KeyDirectory scan() {
    return KeyDirectory.scan(keysDir, keyOwner());
  }

  public Duration retireAfter() {
    return retireAfter;
  }

  // ---------------------------------------------------------------- keygen

  /**
   * {@code postseal keygen DOMAIN [--selector S] [--algorithm A]}: a new pending key. Without a selector, a
   * dated one that was never used in the domain ({@code s202611}, then {@code s202611b}, ...).
   * Refused when the selector exists (whatever its state, even deleted: verifiers may cache the old record),
   * or when a key of the same algorithm is already pending.
   */
  public KeygenResult generate(String domain, Optional<String> selector, KeyAlgorithmChoice algorithm) {
    Objects.requireNonNull(algorithm, "algorithm");
    return create(domain, selector, entries -> plan(algorithm));
  }

  /**
   * {@code postseal keygen --rotate DOMAIN [--algorithm A] [--selector S]}: the pending successor of the
   * domain's active key. Without an algorithm, that of the active key (its size rounded up to one we offer);
   * a domain signing with both RSA and Ed25519 must say which one to rotate, each rotates on its own.
   */
  public KeygenResult rotate(String domain, Optional<KeyAlgorithmChoice> algorithm, Optional<String> selector) {
    Objects.requireNonNull(algorithm, "algorithm");
    return create(domain, selector, entries -> {
      Object choice = successorChoice(DnsNameSyntax.normalize(domain), entries, algorithm);
      return choice instanceof KeyAlgorithmChoice c ? plan(c) : choice;
    });
  }

  /**
   * {@code postseal keys import DOMAIN SELECTOR FILE}: adopts an existing private key (PKCS#1 or PKCS#8 PEM, e.g.
   * from OpenDKIM's KeyTable), stored as a new PKCS#8 file with mode 600; the source file is left as it is. The
   * key is active at once when DNS serves its public key (retiring the active key of its algorithm), else pending
   * like a new key. How an OpenDKIM user migrates without touching DNS.
   */
  public KeygenResult importKey(String domain, String selector, Path file) {
    Objects.requireNonNull(selector, "selector");
    Objects.requireNonNull(file, "file");
    String pemText;
    try {
      if (Files.size(file) > MAX_IMPORT_BYTES) {
        return KeyRefusal.usage(file + " is " + Files.size(file) + " bytes, too large for a key file; "
            + PrivateKeyPemParser.EXPECTED);
      }
      pemText = Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (NoSuchFileException e) {
      return KeyRefusal.usage("no file " + file + "; give the private key file to import (PEM)");
    } catch (IOException e) {
      return ioRefusal("cannot read " + file, e);
    }
    PrivateKeyPemParser.Parsed parsed = PrivateKeyPemParser.parse(pemText);
    if (parsed instanceof PrivateKeyPemParser.Unusable unusable) {
      return KeyRefusal.usage(file + ": " + unusable.reason());
    }
    PrivateKeyPemParser.Key key = (PrivateKeyPemParser.Key) parsed;
    KeygenResult stored = create(domain, Optional.of(selector), entries -> new Plan(key.algorithm(),
        key::privateKey));
    if (!(stored instanceof KeygenResult.Created created)) {
      return stored;
    }
    String name = created.record().name();
    PublicationStatus status = await(publication.check(created.domain(), created.key().selector(),
        DkimPublicKey.of(key.privateKey())), name);
    KeyEntry entry = created.key();
    Optional<KeyEntry> retired = Optional.empty();
    List<String> notes = new ArrayList<>(created.notes());
    if (status.isMatch()) {
      try {
        Promotion promotion = promote(created.domain(), created.privateKeyFile().getParent(), entry.selector());
        if (promotion.activated() != null) {
          entry = promotion.activated();
          retired = promotion.retired();
        } else {
          notes.add("left pending: " + promotion.problem());
        }
      } catch (IOException e) {
        notes.add("left pending: " + ioRefusal("cannot record the activation", e).message());
      }
    }
    LOG.info("imported key d={} s={} from {}: {}", created.domain(), entry.selector(), file, entry.state().label());
    return new KeygenResult.Imported(created.domain(), entry, created.record(), file, created.privateKeyFile(),
        created.recordFile(), status, retired, retireAfter, notes);
  }

  /** What key to store: its algorithm (known before the key exists, for the checks) and how to get it. */
  private record Plan(DkimAlgorithm algorithm, Supplier<PrivateKey> key) {
  }

  /** Decides, from the domain's entries read under its lock, what to store: a {@link Plan} or a {@link KeyRefusal}. */
  @FunctionalInterface
  private interface Planner {
    Object plan(List<KeyEntry> entries);
  }

  private Plan plan(KeyAlgorithmChoice choice) {
    return new Plan(choice.algorithm(), () -> choice.generate(random).getPrivate());
  }

  private KeygenResult create(String rawDomain, Optional<String> rawSelector, Planner planner) {
    Objects.requireNonNull(rawDomain, "domain");
    Objects.requireNonNull(rawSelector, "selector");
    String domain = DnsNameSyntax.normalize(rawDomain);
    String domainProblem = DnsNameSyntax.domainProblem(domain);
    if (domainProblem != null) {
      return KeyRefusal.usage(domainProblem);
    }
    Optional<String> selector = rawSelector.map(DnsNameSyntax::normalize);
    if (selector.isPresent()) {
      String selectorProblem = DnsNameSyntax.selectorProblem(selector.get(), domain);
      if (selectorProblem != null) {
        return KeyRefusal.usage(selectorProblem);
      }
    }
    Path dir;
    try {
      dir = createDomainDir(domain);
    } catch (IOException e) {
      return ioRefusal("cannot create the key directory of " + domain, e);
    }
    try {
      return DomainLock.holding(dir, () -> createLocked(domain, dir, selector, planner));
    } catch (IOException e) {
      return ioRefusal("cannot lock the key directory " + dir, e);
    }
  }

  private KeygenResult createLocked(String domain, Path dir, Optional<String> wantedSelector, Planner planner) {
    Path stateFile = dir.resolve(KeyStateStore.FILE_NAME);
    KeyStateStore.Contents contents;
    try {
      contents = KeyStateStore.read(dir);
    } catch (IOException e) {
      return ioRefusal("cannot read " + stateFile, e);
    }
    if (!contents.problems().isEmpty()) {
      return unreadableLines(stateFile, contents);
    }
    List<String> notes = new ArrayList<>();
    List<KeyEntry> entries = new ArrayList<>(contents.exists() ? contents.entries() : adoptHandPlaced(domain));
    entries.removeIf(e -> {
      boolean interrupted = e.state() == KeyState.PENDING && !Files.exists(dir.resolve(e.selector() + PEM));
      if (interrupted) {
        notes.add("removed pending key " + e.selector() + " from " + KeyStateStore.FILE_NAME + ": its file was never"
            + " written (an interrupted keygen)");
      }
      return interrupted;
    });
    Object planned = planner.plan(List.copyOf(entries));
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
        return KeyRefusal.conflict(domain + " already has a pending " + DkimPublicKey.keyType(e.algorithm()) + " key, "
            + e.selector() + ", waiting for DNS: publish its record (" + dir.resolve(e.selector() + TXT) + ") and run"
            + " postseal keys activate " + domain + ", or discard it with postseal keys delete " + domain + " "
            + e.selector());
      }
    }
    PrivateKey privateKey = plan.key().get();
    DkimPublicKey publicKey = DkimPublicKey.of(privateKey);
    DkimTxtRecord record = DkimTxtRecord.of(domain, selector, publicKey);
    KeyEntry entry = KeyEntry.pending(selector, plan.algorithm(), publicKey.bits(), clock.instant());
    List<KeyEntry> before = List.copyOf(entries);
    entries.add(entry);
    // the pending entry goes first: if we die before the key file exists, the entry is cleaned up later, while
    // a key file without entry in a domain without state file would sign at once (hand-placed keys do)
    try {
      KeyStateStore.write(dir, domain, entries);
    } catch (IOException e) {
      return ioRefusal("cannot write " + stateFile, e);
    }
    Path pemFile = dir.resolve(selector + PEM);
    try {
      AtomicFile.createNew(pemFile, pem(privateKey).getBytes(StandardCharsets.US_ASCII), AtomicFile.OWNER_ONLY);
    } catch (IOException e) {
      String rollback = restoreState(dir, domain, contents.exists(), before);
      if (e instanceof FileAlreadyExistsException) {
        return KeyRefusal.conflict(pemFile + " appeared meanwhile; a key is never overwritten: choose another"
            + " --selector" + rollback);
      }
      KeyRefusal refusal = ioRefusal("cannot write " + pemFile, e);
      return KeyRefusal.io(refusal.message() + rollback);
    }
    Path txtFile = dir.resolve(selector + TXT);
    try {
      AtomicFile.replace(txtFile, (record.zoneText() + "\n").getBytes(StandardCharsets.US_ASCII),
          AtomicFile.WORLD_READABLE);
    } catch (IOException e) {
      notes.add("could not write " + txtFile + " (" + e.getMessage() + "); the record above is all it would hold");
    }
    Optional<KeyEntry> replaces = entries.stream()
        .filter(e -> e.state() == KeyState.ACTIVE && e.algorithm() == plan.algorithm()).findFirst();
    LOG.info("created pending key d={} s={} a={} in {}", domain, selector, entry.algorithmLabel(), dir);
    return new KeygenResult.Created(domain, entry, record, pemFile, txtFile, replaces, notes);
  }

  /** The choice for {@code rotate}, or a refusal. */
  private Object successorChoice(String domain, List<KeyEntry> entries, Optional<KeyAlgorithmChoice> wanted) {
    List<KeyEntry> active = entries.stream().filter(e -> e.state() == KeyState.ACTIVE).toList();
    if (active.isEmpty()) {
      return KeyRefusal.conflict(domain + " has no active key to rotate; create its first key with: postseal keygen "
          + domain);
    }
    if (wanted.isPresent()) {
      return wanted.get();
    }
    if (active.size() > 1) {
      List<String> signing = active.stream().map(e -> e.selector() + " (" + e.algorithmLabel() + ")").toList();
      return KeyRefusal.usage(domain + " signs with " + String.join(" and ", signing) + "; each algorithm rotates on"
          + " its own: say which with --algorithm " + KeyAlgorithmChoice.successorOf(active.get(0).algorithm(),
          active.get(0).bits()).label() + " or --algorithm " + KeyAlgorithmChoice.successorOf(active.get(1).algorithm(),
          active.get(1).bits()).label());
    }
    return KeyAlgorithmChoice.successorOf(active.get(0).algorithm(), active.get(0).bits());
  }

  /**
   * The entries that record a domain of hand-placed keys as {@link KeyDirectory} uses them: the signing key
   * stays active, the others are retired now (they did not sign). Written with the first change.
   */
  private List<KeyEntry> adoptHandPlaced(String domain) {
    KeyDirectory snapshot = scan();
    Instant now = clock.instant();
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

  private static Optional<String> takenBy(Path dir, List<KeyEntry> entries, String selector) {
    for (KeyEntry e : entries) {
      if (e.selector().equalsIgnoreCase(selector)) {
        return Optional.of((e.state() == KeyState.ACTIVE ? "an " : "a ") + e.state().label() + " key");
      }
    }
    for (String suffix : List.of(PEM, TXT)) {
      Path file = dir.resolve(selector + suffix);
      if (Files.exists(file)) {
        return Optional.of(file + " exists");
      }
    }
    return Optional.empty();
  }

  /** "s" and the year and month (UTC), then a letter, then a number, until a selector is free. */
  private String freeSelector(Path dir, List<KeyEntry> entries) {
    LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
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
        KeyStateStore.write(dir, domain, before);
      } else {
        Files.deleteIfExists(dir.resolve(KeyStateStore.FILE_NAME));
      }
      return "";
    } catch (IOException e) {
      return "; also, " + KeyStateStore.FILE_NAME + " still lists the key as pending (" + e.getMessage() + "): remove"
          + " it with postseal keys delete";
    }
  }

  // ---------------------------------------------------------------- activation

  /** {@link #activate(String, Optional, boolean)} for every pending key of the domain. */
  public ActivationResult activate(String domain, boolean force) {
    return activate(domain, Optional.empty(), force);
  }

  /**
   * {@code postseal keys activate DOMAIN [SELECTOR] [--force]}: makes the pending key (or each pending key, one per
   * algorithm) active when DNS serves its public key, retiring the active key of the same algorithm. Otherwise
   * the key stays pending and the result says what DNS serves (missing, another key, revoked, malformed, error).
   * With {@code force} it is activated anyway, with a warning in the text and the log.
   */
  public ActivationResult activate(String rawDomain, Optional<String> rawSelector, boolean force) {
    Objects.requireNonNull(rawDomain, "domain");
    Objects.requireNonNull(rawSelector, "selector");
    String domain = DnsNameSyntax.normalize(rawDomain);
    String domainProblem = DnsNameSyntax.domainProblem(domain);
    if (domainProblem != null) {
      return KeyRefusal.usage(domainProblem);
    }
    Optional<String> selector = rawSelector.map(DnsNameSyntax::normalize);
    KeyDirectory snapshot = scan();
    List<KeyEntry> entries = snapshot.entries(domain);
    if (entries.isEmpty()) {
      return KeyRefusal.conflict("no keys for " + domain + " in " + keysDir + "; create one with: postseal keygen "
          + domain);
    }
    if (selector.isPresent()) {
      Optional<KeyEntry> entry = entries.stream().filter(e -> e.selector().equals(selector.get())).findFirst();
      if (entry.isEmpty()) {
        return KeyRefusal.conflict(domain + " has no key " + selector.get() + "; postseal keys list shows its keys");
      }
      if (entry.get().state() != KeyState.PENDING) {
        return KeyRefusal.conflict(selector.get() + " of " + domain + " is " + entry.get().state().label()
            + ", not pending: only a pending key can be activated");
      }
    }
    List<KeyEntry> pending = entries.stream()
        .filter(e -> e.state() == KeyState.PENDING && selector.map(e.selector()::equals).orElse(true)).toList();
    if (pending.isEmpty()) {
      return KeyRefusal.conflict(domain + " has no pending key to activate; make one with: postseal keygen --rotate "
          + domain);
    }
    return new ActivationResult.Activations(domain, activateAll(snapshot, domain, pending, force));
  }

  /**
   * The periodic step of {@code serve} with {@code [keys] auto-activate = true}: every pending key whose record
   * DNS serves becomes active (retiring its predecessor). Returns one {@link ActivationResult.Activation} per
   * pending key looked at; when any {@link ActivationResult.Activation#isActivated()}, the caller scans the key
   * directory again (or relies on {@link KeyDirectory#isOutdated()}). Keys DNS does not serve yet stay pending,
   * without log noise; call again later.
   */
  public List<ActivationResult.Activation> activatePublished() {
    KeyDirectory snapshot = scan();
    List<ActivationResult.Activation> all = new ArrayList<>();
    for (String domain : snapshot.domains()) {
      if (!snapshot.hasStateFile(domain)) {
        continue;
      }
      List<KeyEntry> pending = snapshot.entries(domain).stream().filter(e -> e.state() == KeyState.PENDING).toList();
      if (!pending.isEmpty()) {
        all.addAll(activateAll(snapshot, domain, pending, false));
      }
    }
    return all;
  }

  private List<ActivationResult.Activation> activateAll(KeyDirectory snapshot, String domain, List<KeyEntry> pending,
                                                        boolean force) {
    Path dir = domainDir(domain);
    Map<KeyEntry, CompletableFuture<PublicationStatus>> checks = new LinkedHashMap<>();
    Map<KeyEntry, DkimTxtRecord> records = new LinkedHashMap<>();
    List<ActivationResult.Activation> results = new ArrayList<>();
    for (KeyEntry entry : pending) {
      Optional<DkimPublicKey> publicKey = publicKey(snapshot, domain, entry.selector());
      if (publicKey.isEmpty()) {
        results.add(new ActivationResult.Activation(domain, entry, ActivationResult.Outcome.UNUSABLE, Optional.empty(),
            Optional.empty(), Optional.empty(), fileProblem(snapshot, dir, entry.selector()), retireAfter));
        continue;
      }
      records.put(entry, DkimTxtRecord.of(domain, entry.selector(), publicKey.get()));
      checks.put(entry, publication.check(domain, entry.selector(), publicKey.get()));
    }
    for (Map.Entry<KeyEntry, CompletableFuture<PublicationStatus>> check : checks.entrySet()) {
      KeyEntry entry = check.getKey();
      PublicationStatus status = await(check.getValue(), DnsNameSyntax.recordName(entry.selector(), domain));
      Optional<DkimTxtRecord> record = Optional.of(records.get(entry));
      if (!status.isMatch() && !force) {
        LOG.debug("pending key d={} s={} not activated: {}", domain, entry.selector(), status.detail());
        results.add(new ActivationResult.Activation(domain, entry, ActivationResult.Outcome.NOT_PUBLISHED,
            Optional.of(status), Optional.empty(), record, "", retireAfter));
        continue;
      }
      Promotion promotion;
      try {
        promotion = promote(domain, dir, entry.selector());
      } catch (IOException e) {
        results.add(new ActivationResult.Activation(domain, entry, ActivationResult.Outcome.UNUSABLE,
            Optional.of(status), Optional.empty(), record, ioRefusal("cannot record the activation in "
            + dir.resolve(KeyStateStore.FILE_NAME), e).message(), retireAfter));
        continue;
      }
      if (promotion.activated() == null) {
        results.add(new ActivationResult.Activation(domain, entry, ActivationResult.Outcome.CHANGED,
            Optional.of(status), Optional.empty(), record, promotion.problem(), retireAfter));
        continue;
      }
      ActivationResult.Outcome outcome = status.isMatch()
          ? ActivationResult.Outcome.ACTIVATED : ActivationResult.Outcome.FORCED;
      if (outcome == ActivationResult.Outcome.FORCED) {
        LOG.warn("key d={} s={} activated by force although DNS does not serve it ({}): receivers fail DKIM for mail"
            + " it signs until its record is published", domain, entry.selector(), status.detail());
      } else {
        LOG.info("activated key d={} s={} a={}: DNS serves it{}", domain, entry.selector(),
            entry.algorithm().tagValue(), promotion.retired().map(r -> "; retired s=" + r.selector()).orElse(""));
      }
      results.add(new ActivationResult.Activation(domain, promotion.activated(), outcome, Optional.of(status),
          promotion.retired(), record, "", retireAfter));
    }
    return results;
  }

  /** The activated entry and the one it retired; activated null (and a problem) when the state changed meanwhile. */
  private record Promotion(KeyEntry activated, Optional<KeyEntry> retired, String problem) {
  }

  private Promotion promote(String domain, Path dir, String selector) throws IOException {
    return DomainLock.holding(dir, () -> promoteLocked(domain, dir, selector));
  }

  private Promotion promoteLocked(String domain, Path dir, String selector) throws IOException {
    KeyStateStore.Contents contents = KeyStateStore.read(dir);
    if (!contents.problems().isEmpty()) {
      return new Promotion(null, Optional.empty(), unreadableLines(dir.resolve(KeyStateStore.FILE_NAME), contents)
          .message());
    }
    Optional<KeyEntry> current = contents.entry(selector);
    if (current.isEmpty() || current.get().state() != KeyState.PENDING) {
      return new Promotion(null, Optional.empty(), "its state changed meanwhile (now "
          + current.map(e -> e.state().label()).orElse("gone") + ")");
    }
    Instant now = clock.instant();
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
    KeyStateStore.write(dir, domain, updated);
    return new Promotion(activated, retired, "");
  }

  // ---------------------------------------------------------------- check and list

  /**
   * {@code postseal keys check DOMAIN}: per selector, whether DNS serves the record it should, with the fix. Exit 0
   * only when every active and pending key is published correctly.
   */
  public KeyCheckResult check(String rawDomain) {
    Objects.requireNonNull(rawDomain, "domain");
    String domain = DnsNameSyntax.normalize(rawDomain);
    String domainProblem = DnsNameSyntax.domainProblem(domain);
    if (domainProblem != null) {
      return KeyRefusal.usage(domainProblem);
    }
    KeyDirectory snapshot = scan();
    return new KeyCheckResult.Checked(domain, rows(snapshot, domain, clock.instant()),
        problemsOf(snapshot, domain));
  }

  /** {@code postseal keys list}: every key of every domain with what DNS serves for it (lookups in parallel). */
  public KeyListing list() {
    KeyDirectory snapshot = scan();
    Instant now = clock.instant();
    List<KeyListing.Row> rows = new ArrayList<>();
    for (String domain : snapshot.domains()) {
      rows.addAll(rows(snapshot, domain, now));
    }
    return new KeyListing(rows, snapshot.problems(), retireAfter);
  }

  private List<KeyListing.Row> rows(KeyDirectory snapshot, String domain, Instant now) {
    List<KeyEntry> entries = snapshot.entries(domain);
    Map<KeyEntry, DkimPublicKey> keys = new LinkedHashMap<>();
    Map<KeyEntry, CompletableFuture<PublicationStatus>> checks = new LinkedHashMap<>();
    for (KeyEntry entry : entries) {
      if (entry.state() == KeyState.DELETED) {
        continue;
      }
      publicKey(snapshot, domain, entry.selector()).ifPresent(key -> {
        keys.put(entry, key);
        checks.put(entry, publication.check(domain, entry.selector(), key));
      });
    }
    List<KeyListing.Row> rows = new ArrayList<>();
    for (KeyEntry entry : entries) {
      Optional<PublicationStatus> status = Optional.ofNullable(checks.get(entry))
          .map(f -> await(f, DnsNameSyntax.recordName(entry.selector(), domain)));
      rows.add(row(domain, entry, Optional.ofNullable(keys.get(entry)), status, now));
    }
    return rows;
  }

  /** What the operator should do about one key, given what DNS serves. */
  private KeyListing.Row row(String domain, KeyEntry entry, Optional<DkimPublicKey> key,
                             Optional<PublicationStatus> status, Instant now) {
    Optional<Instant> revocableAt = entry.revocableAt(retireAfter);
    boolean revocable = entry.isRevocable(retireAfter, now);
    Optional<DkimTxtRecord> keyRecord = key.map(k -> DkimTxtRecord.of(domain, entry.selector(), k));
    DkimTxtRecord revokedRecord = DkimTxtRecord.revoked(domain, entry.selector(), entry.algorithm());
    PublicationStatus.Kind kind = status.map(PublicationStatus::kind).orElse(null);
    String label = status.map(s -> s.kind().label()).orElse("not checked");
    String note = null;
    Optional<DkimTxtRecord> publish = Optional.empty();
    switch (entry.state()) {
      case PENDING -> {
        if (kind == PublicationStatus.Kind.MATCH) {
          note = "DNS serves it: activate it with postseal keys activate " + domain + " (serve does so by itself with"
              + " [keys] auto-activate)";
        } else if (keyRecord.isPresent()) {
          note = "pending, DNS: " + label + "; publish its record, then run postseal keys activate " + domain;
          publish = keyRecord;
        } else {
          note = "pending, but its key file cannot be used (see the problems)";
        }
      }
      case ACTIVE -> {
        if (kind == PublicationStatus.Kind.DNS_ERROR) {
          note = "DNS lookup failed, publication unknown: " + status.get().detail();
        } else if (kind != PublicationStatus.Kind.MATCH && keyRecord.isPresent()) {
          note = "ACTION NEEDED: it signs, but DNS does not serve its key (" + label + "), so receivers fail DKIM;"
              + " publish its record now";
          publish = keyRecord;
        } else if (kind == null) {
          note = "it should sign, but its key file cannot be used (see the problems)";
        }
      }
      case RETIRED -> {
        if (revocable) {
          if (kind == PublicationStatus.Kind.REVOKED || kind == PublicationStatus.Kind.MISSING) {
            note = "retire-after has passed and DNS no longer serves its key: record that with postseal keys revoke "
                + domain + " " + entry.selector();
          } else {
            note = "retired on " + entry.retired().map(KeyListing::date).orElse("?") + " and retire-after ("
                + KeyListing.duration(retireAfter) + ") has passed: replace its DNS record with the revoked one, then"
                + " run postseal keys revoke " + domain + " " + entry.selector();
            publish = Optional.of(revokedRecord);
          }
        } else if (revocableAt.isPresent() && kind != null && kind != PublicationStatus.Kind.MATCH
            && kind != PublicationStatus.Kind.DNS_ERROR && keyRecord.isPresent()) {
          note = "retired, but DNS no longer serves its key (" + label + "): mail signed before "
              + entry.retired().map(KeyListing::date).orElse("?") + " may fail to verify; keep its record published"
              + " until " + KeyListing.date(revocableAt.get());
          publish = keyRecord;
        }
      }
      case REVOKED -> {
        if (kind != null && kind != PublicationStatus.Kind.REVOKED && kind != PublicationStatus.Kind.MISSING
            && kind != PublicationStatus.Kind.DNS_ERROR) {
          note = "revoked, but DNS still serves a key record (" + label + "): replace it with the revoked one";
          publish = Optional.of(revokedRecord);
        }
      }
      case DELETED -> {
        // nothing to check: the key is gone, its selector stays reserved
      }
      default -> throw new IllegalStateException(entry.state().toString());
    }
    return new KeyListing.Row(domain, entry, status, revocableAt, revocable, publish, Optional.ofNullable(note));
  }

  // ---------------------------------------------------------------- revoke and delete

  /**
   * {@code postseal keys revoke DOMAIN SELECTOR [--force]}: a retired key becomes revoked, once retire-after has
   * passed (or with {@code force}); the result holds the revoked record ({@code p=}) to publish in place of it.
   */
  public KeyUpdateResult revoke(String domain, String selector, boolean force) {
    return update(domain, selector, (d, entry, now) -> {
      switch (entry.state()) {
        case RETIRED -> {
          if (!force && !entry.isRevocable(retireAfter, now)) {
            return KeyRefusal.conflict(entry.selector() + " of " + d + " was retired on " + entry.retired()
                .map(KeyListing::date).orElse("?") + "; mail signed with it may be in flight until "
                + entry.revocableAt(retireAfter).map(KeyListing::date).orElse("?") + " (retire-after "
                + KeyListing.duration(retireAfter) + "): revoke it then, or now with --force");
          }
          return entry.revoke(now);
        }
        case ACTIVE -> {
          return KeyRefusal.conflict(entry.selector() + " signs mail for " + d + "; rotate first (postseal keygen"
              + " --rotate " + d + ", publish, postseal keys activate " + d + "), which retires it");
        }
        case PENDING -> {
          return KeyRefusal.conflict(entry.selector() + " of " + d + " never signed; discard it with postseal keys"
              + " delete " + d + " " + entry.selector());
        }
        default -> {
          return KeyRefusal.conflict(entry.selector() + " of " + d + " is already " + entry.state().label());
        }
      }
    });
  }

  /**
   * {@code postseal keys delete DOMAIN SELECTOR}: removes the private key (and its record file) of a revoked key,
   * or of a pending key that is not wanted. The entry stays, as deleted, so the selector is never reused.
   */
  public KeyUpdateResult delete(String domain, String selector) {
    return update(domain, selector, (d, entry, now) -> switch (entry.state()) {
      case PENDING, REVOKED -> entry.delete(now);
      case DELETED -> entry;
      case ACTIVE -> KeyRefusal.conflict(entry.selector() + " signs mail for " + d + "; rotate first (postseal keygen"
          + " --rotate " + d + "), then revoke it once retire-after has passed, then delete it");
      case RETIRED -> KeyRefusal.conflict(entry.selector() + " of " + d + " is retired and may still verify mail in"
          + " flight; revoke it first (postseal keys revoke " + d + " " + entry.selector() + "), then delete it");
    });
  }

  /** A state change of one key: the entry after it, or a refusal. */
  @FunctionalInterface
  private interface Step {
    Object apply(String domain, KeyEntry entry, Instant now);
  }

  private KeyUpdateResult update(String rawDomain, String rawSelector, Step step) {
    Objects.requireNonNull(rawDomain, "domain");
    Objects.requireNonNull(rawSelector, "selector");
    String domain = DnsNameSyntax.normalize(rawDomain);
    String domainProblem = DnsNameSyntax.domainProblem(domain);
    if (domainProblem != null) {
      return KeyRefusal.usage(domainProblem);
    }
    String selector = DnsNameSyntax.normalize(rawSelector);
    Path dir = domainDir(domain);
    if (!Files.isDirectory(dir)) {
      return KeyRefusal.conflict("no keys for " + domain + " in " + keysDir);
    }
    try {
      return DomainLock.holding(dir, () -> updateLocked(domain, selector, dir, step));
    } catch (IOException e) {
      return ioRefusal("cannot update the keys of " + domain + " in " + dir, e);
    }
  }

  private KeyUpdateResult updateLocked(String domain, String selector, Path dir, Step step) throws IOException {
    Path stateFile = dir.resolve(KeyStateStore.FILE_NAME);
    KeyStateStore.Contents contents = KeyStateStore.read(dir);
    if (!contents.problems().isEmpty()) {
      return unreadableLines(stateFile, contents);
    }
    if (!contents.exists()) {
      return KeyRefusal.conflict("the keys of " + domain + " were placed by hand and have no "
          + KeyStateStore.FILE_NAME + " yet; postseal keygen --rotate " + domain + " records them");
    }
    Optional<KeyEntry> entry = contents.entry(selector);
    if (entry.isEmpty()) {
      return KeyRefusal.conflict(domain + " has no key " + selector + "; postseal keys list shows its keys");
    }
    Object outcome = step.apply(domain, entry.get(), clock.instant());
    if (outcome instanceof KeyRefusal refusal) {
      return refusal;
    }
    KeyEntry updated = (KeyEntry) outcome;
    List<KeyEntry> entries = new ArrayList<>();
    for (KeyEntry e : contents.entries()) {
      entries.add(e.selector().equals(selector) ? updated : e);
    }
    KeyStateStore.write(dir, domain, entries);
    if (updated.state() == KeyState.DELETED) {
      // after the state says deleted: a crash in between leaves a file that never signs and the next delete removes
      Files.deleteIfExists(dir.resolve(selector + PEM));
      Files.deleteIfExists(dir.resolve(selector + TXT));
      LOG.info("deleted key d={} s={}", domain, selector);
      return new KeyUpdateResult.Updated(domain, updated, Optional.empty());
    }
    LOG.info("key d={} s={} is now {}", domain, selector, updated.state().label());
    return new KeyUpdateResult.Updated(domain, updated,
        Optional.of(DkimTxtRecord.revoked(domain, selector, updated.algorithm())));
  }

  // ---------------------------------------------------------------- shared

  private PublicationStatus await(CompletableFuture<PublicationStatus> future, String name) {
    try {
      return future.get(lookupTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new PublicationStatus(PublicationStatus.Kind.DNS_ERROR, name, "interrupted while looking up " + name,
          List.of());
    } catch (ExecutionException e) {
      return new PublicationStatus(PublicationStatus.Kind.DNS_ERROR, name, "DNS lookup of " + name + " failed: "
          + e.getCause(), List.of());
    } catch (TimeoutException e) {
      future.cancel(true);
      return new PublicationStatus(PublicationStatus.Kind.DNS_ERROR, name, "no DNS answer for " + name + " within "
          + lookupTimeout.toSeconds() + " s", List.of());
    }
  }

  private static Optional<DkimPublicKey> publicKey(KeyDirectory snapshot, String domain, String selector) {
    Optional<SigningKey> key = snapshot.key(domain, selector);
    try {
      return key.map(k -> DkimPublicKey.of(k.privateKey()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The problem lines of the scan that concern the key file of {@code selector}, or a sentence saying it is missing. */
  private static String fileProblem(KeyDirectory snapshot, Path dir, String selector) {
    String file = dir.resolve(selector + PEM).toString();
    List<String> lines = snapshot.problems().stream().filter(p -> p.contains(file)).toList();
    return lines.isEmpty() ? "its key file " + file + " cannot be loaded" : String.join("; ", lines);
  }

  private List<String> problemsOf(KeyDirectory snapshot, String domain) {
    String dir = domainDir(domain).toString();
    return snapshot.problems().stream()
        .filter(p -> p.startsWith(dir + "/") || p.startsWith(domain + ":") || p.startsWith(keysDir + ":")).toList();
  }

  /** The existing directory of the domain (directory names compare case-insensitively), else KEYS_DIR/DOMAIN. */
  private Path domainDir(String domain) {
    if (Files.isDirectory(keysDir.resolve(domain))) {
      return keysDir.resolve(domain);
    }
    if (Files.isDirectory(keysDir)) {
      try (DirectoryStream<Path> stream = Files.newDirectoryStream(keysDir)) {
        for (Path p : stream) {
          if (DnsNameSyntax.normalize(p.getFileName().toString()).equals(domain) && Files.isDirectory(p)) {
            return p;
          }
        }
      } catch (IOException e) {
        // fall back to the canonical name; the caller's own access reports the problem
      }
    }
    return keysDir.resolve(domain);
  }

  private Path createDomainDir(String domain) throws IOException {
    if (Files.exists(keysDir) && !Files.isDirectory(keysDir)) {
      throw new NotDirectoryException(keysDir.toString());
    }
    Files.createDirectories(keysDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path dir = domainDir(domain);
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new NotDirectoryException(dir.toString());
    }
    if (!Files.exists(dir)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      AtomicFile.giveToOwnerOf(keysDir, dir);
    }
    if (!Files.isWritable(dir) || !Files.isReadable(dir)) {
      throw new AccessDeniedException(dir.toString());
    }
    return dir;
  }

  private KeyRefusal ioRefusal(String doing, IOException e) {
    if (e instanceof AccessDeniedException denied) {
      return KeyRefusal.io(doing + ": permission denied on " + denied.getFile() + "; run postseal as the user that owns "
          + keysDir + " (e.g. sudo -u postseal postseal ...), or fix the owner: chown -R " + keyOwner() + " "
          + keysDir);
    }
    if (e instanceof NotDirectoryException || e instanceof FileAlreadyExistsException) {
      return KeyRefusal.io(doing + ": " + ((FileSystemException) e).getFile() + " is not a directory; the keys directory (state-dir/keys)"
          + " holds one directory per domain: move that file away, or set state-dir to another place");
    }
    return KeyRefusal.io(doing + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
  }

  private static KeyRefusal unreadableLines(Path stateFile, KeyStateStore.Contents contents) {
    return KeyRefusal.conflict(stateFile + " has lines postseal cannot read; fix or remove them first, so that no"
        + " key's state is lost when the file is rewritten: " + String.join("; ", contents.problems()));
  }

  /** PKCS#8 "PRIVATE KEY" PEM, 64-character lines, as openssl writes it. */
  static String pem(PrivateKey key) {
    byte[] der = key.getEncoded();
    String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN PRIVATE KEY-----\n" + base64 + "\n-----END PRIVATE KEY-----\n";
  }

  @Override
  public String toString() {
    return "KeyLifecycle[" + keysDir + ", retire-after " + KeyListing.duration(retireAfter) + "]";
  }

}
