package org.postseal.keys;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.postseal.dkim.DkimAlgorithm;
import org.postseal.dkim.SigningKey;

/**
 * The keys that sign now: the one rule, in one place. A key signs only while DNS served <em>its</em> public key at
 * the last check that got an answer, whatever the state file says or whether there is one: of the
 * {@link KeyDirectory#candidates candidates} of a domain (its active keys, or without state file every key file),
 * per algorithm the first one whose last {@link Verdict} is a {@link PublicationStatus.Kind#MATCH} for the public key
 * in its file now. So a key file replaced by another key, a never-published pending key whose state file was lost,
 * and an active key whose record was removed do not sign; the next candidate does, or nothing (the message goes
 * out unsigned, and says why).
 *
 * <p>A lookup that failed (timeout, SERVFAIL) is no check: the previous verdict for the same public key stays. A key
 * never checked yet (serve started while DNS was down) does not sign until DNS answers. {@link SigningKeyCheck}
 * makes the verdicts; {@code serve} runs it at start, after every rescan and every minute.
 *
 * <p>Immutable and thread-safe: every message reads the instance of the snapshot it began with.
 */
public final class SigningKeys {

  /** Why a candidate does not sign; {@link #label()} is the metric label. */
  public enum Reason {
    /** No DNS answer yet for this public key (DNS down since the key appeared or since start). */
    NOT_CHECKED,
    /** DNS has no record at the selector. */
    MISSING,
    /** DNS serves another key at the selector: the key file was replaced, or the record is stale. */
    DIFFERENT_KEY,
    /** DNS serves an empty p=. */
    REVOKED,
    /** DNS serves a record that is no usable key. */
    MALFORMED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Reason of(PublicationStatus.Kind kind) {
      return switch (kind) {
        case MISSING -> MISSING;
        case DIFFERENT_KEY -> DIFFERENT_KEY;
        case REVOKED -> REVOKED;
        case MALFORMED -> MALFORMED;
        case MATCH, DNS_ERROR -> throw new IllegalArgumentException(kind + " withholds no key");
      };
    }
  }

  /**
   * The last answered check of one selector.
   *
   * @param publicKey the p= value of the key file's public key at that check: a later different file needs its own check
   */
  public record Verdict(String domain, String selector, String publicKey, PublicationStatus status, Instant checked) {
    public Verdict {
      Objects.requireNonNull(domain, "domain");
      Objects.requireNonNull(selector, "selector");
      Objects.requireNonNull(publicKey, "publicKey");
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(checked, "checked");
    }
  }

  /**
   * A candidate that does not sign.
   *
   * @param preferred whether the files say it should sign (the state file's active key, or the greatest selector
   *                  without state file): then its operator must act
   * @param detail    what DNS served, or why it was not checked
   */
  public record Withheld(SigningKey key, Path file, Reason reason, boolean preferred, String detail) {
  }

  private final KeyDirectory directory;
  private final Map<String, Verdict> verdicts;
  /** The last failed lookup of a key without verdict, by {@link #id}: the reason it was not checked. */
  private final Map<String, String> failures;
  private final Set<SigningKey> served;
  private final List<Withheld> withheld;

  SigningKeys(KeyDirectory directory, Map<String, Verdict> verdicts, Map<String, String> failures) {
    this.directory = Objects.requireNonNull(directory, "directory");
    this.verdicts = Map.copyOf(verdicts);
    this.failures = Map.copyOf(failures);
    Set<SigningKey> servedNow = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Withheld> withheldNow = new ArrayList<>();
    for (String domain : directory.domains()) {
      List<SigningKey> candidates = directory.candidates(domain);
      for (int i = 0; i < candidates.size(); i++) {
        SigningKey key = candidates.get(i);
        boolean preferred = i == 0 || candidates.get(i - 1).algorithm() != key.algorithm();
        Optional<Verdict> verdict = verdictFor(key);
        if (verdict.isPresent() && verdict.get().status().isMatch()) {
          servedNow.add(key);
        } else {
          Path file = directory.keyFile(domain, key.selector());
          withheldNow.add(verdict.isPresent()
              ? new Withheld(key, file, Reason.of(verdict.get().status().kind()), preferred, verdict.get().status().detail())
              : new Withheld(key, file, Reason.NOT_CHECKED, preferred, this.failures.getOrDefault(id(key),
                  "its record has not been looked up yet")));
        }
      }
    }
    this.served = Collections.unmodifiableSet(servedNow);
    this.withheld = List.copyOf(withheldNow);
  }

  /** Nothing checked yet: no key signs. What a snapshot without DNS (e.g. {@code postseal check}) holds. */
  public static SigningKeys unchecked(KeyDirectory directory) {
    return new SigningKeys(directory, Map.of(), Map.of());
  }

  /**
   * Every candidate of {@code directory} taken as served by DNS, without a lookup and without a log line: for keys
   * held only in memory whose records the caller serves itself ({@code serve}'s warm-up, the pipeline benchmark:
   * {@link KeyDirectory#inMemory}). Never for keys on disk: those sign only after {@link SigningKeyCheck}.
   */
  public static SigningKeys servedInMemory(KeyDirectory directory, Instant at) {
    Map<String, Verdict> verdicts = new java.util.HashMap<>();
    for (String domain : directory.domains()) {
      for (SigningKey key : directory.candidates(domain)) {
        publicKeyOf(key).ifPresent(p -> verdicts.put(id(key), new Verdict(key.domain(), key.selector(), p,
            new PublicationStatus(PublicationStatus.Kind.MATCH, SigningNames.recordName(key.selector(), key.domain()),
                "served from memory", List.of()), at)));
      }
    }
    return new SigningKeys(directory, verdicts, Map.of());
  }

  static String id(String domain, String selector) {
    return domain + " " + selector;
  }

  static String id(SigningKey key) {
    return id(key.domain(), key.selector());
  }

  /** The verdict of {@code key}'s selector when it was made for the public key of its file now. */
  Optional<Verdict> verdictFor(SigningKey key) {
    Verdict verdict = verdicts.get(id(key));
    if (verdict == null) {
      return Optional.empty();
    }
    return publicKeyOf(key).filter(verdict.publicKey()::equals).map(p -> verdict);
  }

  static Optional<String> publicKeyOf(SigningKey key) {
    try {
      return Optional.of(DkimPublicKey.of(key.privateKey()).base64());
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The key files these verdicts are about. */
  public KeyDirectory directory() {
    return directory;
  }

  Map<String, Verdict> verdicts() {
    return verdicts;
  }

  Map<String, String> failures() {
    return failures;
  }

  /**
   * The keys that sign mail From {@code domain}: per algorithm of {@code algorithms}, in that order, the first
   * candidate DNS served at the last check. Empty when none is.
   */
  public List<SigningKey> forDomain(String domain, List<DkimAlgorithm> algorithms) {
    List<SigningKey> candidates = directory.candidates(domain);
    List<SigningKey> chosen = new ArrayList<>();
    for (DkimAlgorithm algorithm : algorithms) {
      candidates.stream().filter(k -> k.algorithm() == algorithm && served.contains(k)).findFirst()
          .ifPresent(chosen::add);
    }
    return chosen;
  }

  /** Whether {@code key} (a candidate of this snapshot) signs, DNS having served it at the last check. */
  public boolean isServed(SigningKey key) {
    return served.contains(key);
  }

  /** Every candidate that does not sign, with the reason. */
  public List<Withheld> withheld() {
    return withheld;
  }

  /** Why the candidates of {@code domain} do not sign, one clause each ("s1: DNS serves another key ..."). */
  public List<String> whyWithheld(String domain) {
    List<SigningKey> candidates = directory.candidates(domain);
    List<String> reasons = new ArrayList<>();
    for (Withheld w : withheld) {
      if (candidates.stream().anyMatch(k -> k == w.key())) {
        reasons.add(w.key().selector() + ": " + w.detail());
      }
    }
    return reasons;
  }

  @Override
  public String toString() {
    return "SigningKeys[" + served.size() + " signing, " + withheld.size() + " withheld]";
  }
}
