package org.postseal.keys;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.postseal.dkim.SigningKey;
import org.postseal.dns.DnsSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks up, for every candidate key of a {@link KeyDirectory}, what DNS serves at its selector and makes the
 * {@link SigningKeys} that follow: {@code serve} runs it at start, after every rescan of the key files and every
 * minute. It logs what changed, once per change: a key that should sign (the state file's active key, or the
 * greatest selector without state file) but whose public key DNS does not serve is an ERROR naming the file, the
 * selector and the fix; a key that signs again is an INFO line.
 *
 * <p>Blocks on DNS: every lookup starts at once, the whole check waits at most the lookup timeout. For the
 * {@code postseal-keys} thread, a reload or the start, never a milter event loop.
 */
public final class SigningKeyCheck {

  private static final Logger LOG = LoggerFactory.getLogger(SigningKeyCheck.class);

  private final KeyPublicationCheck publication;
  private final Duration lookupTimeout;
  private final Clock clock;

  /** @param lookupTimeout how long the whole check waits for DNS (serve passes twice dns.timeout) */
  public SigningKeyCheck(DnsSource dns, Duration lookupTimeout, Clock clock) {
    this.publication = new KeyPublicationCheck(dns, lookupTimeout);
    this.lookupTimeout = Objects.requireNonNull(lookupTimeout, "lookupTimeout");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Checks every candidate of {@code directory}; verdicts of {@code previous} stand for keys whose lookup failed.
   * Verdicts of keys no longer in the directory are dropped.
   */
  public SigningKeys check(KeyDirectory directory, SigningKeys previous) {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(previous, "previous");
    Map<String, CompletableFuture<PublicationStatus>> lookups = new LinkedHashMap<>();
    Map<String, SigningKey> keys = new LinkedHashMap<>();
    Map<String, String> publicKeys = new HashMap<>();
    Map<String, String> failures = new HashMap<>();
    for (String domain : directory.domains()) {
      for (SigningKey key : directory.candidates(domain)) {
        String id = SigningKeys.id(key);
        Optional<String> publicKey = SigningKeys.publicKeyOf(key);
        if (publicKey.isEmpty()) {
          failures.put(id, "its public key cannot be derived from the key file");
          continue;
        }
        keys.put(id, key);
        publicKeys.put(id, publicKey.get());
        lookups.put(id, publication.check(domain, key.selector(), DkimPublicKey.of(key.privateKey())));
      }
    }
    long deadline = System.nanoTime() + lookupTimeout.toNanos();
    Map<String, SigningKeys.Verdict> verdicts = new HashMap<>();
    lookups.forEach((id, lookup) -> {
      SigningKey key = keys.get(id);
      PublicationStatus status = await(lookup, deadline, key);
      if (status.kind() == PublicationStatus.Kind.DNS_ERROR) {
        Optional<SigningKeys.Verdict> kept = previous.verdicts().containsKey(id)
            && previous.verdicts().get(id).publicKey().equals(publicKeys.get(id))
            ? Optional.of(previous.verdicts().get(id)) : Optional.empty();
        kept.ifPresent(v -> verdicts.put(id, v));
        if (kept.isEmpty()) {
          failures.put(id, "not checked yet: " + status.detail());
        }
        LOG.debug("keys: d={} s={}: {}; {}", key.domain(), key.selector(), status.detail(), kept.isPresent()
            ? "the last answer stands (" + kept.get().status().kind().label() + ")" : "no earlier answer");
      } else {
        verdicts.put(id, new SigningKeys.Verdict(key.domain(), key.selector(), publicKeys.get(id), status,
            clock.instant()));
      }
    });
    SigningKeys next = new SigningKeys(directory, verdicts, failures);
    logChanges(previous, next);
    return next;
  }

  private PublicationStatus await(CompletableFuture<PublicationStatus> lookup, long deadline, SigningKey key) {
    return KeyPublicationCheck.awaitStatus(lookup, SigningNames.recordName(key.selector(), key.domain()),
        deadline - System.nanoTime(), lookupTimeout);
  }


  /** One line per key whose signing changed (or that does not sign on the first check). */
  private static void logChanges(SigningKeys previous, SigningKeys next) {
    boolean first = previous.verdicts().isEmpty() && previous.failures().isEmpty();
    for (SigningKeys.Withheld w : next.withheld()) {
      SigningKey key = w.key();
      Optional<SigningKeys.Withheld> before = previous.withheld().stream()
          .filter(p -> SigningKeys.id(p.key()).equals(SigningKeys.id(key)) && p.reason() == w.reason()
              && SigningKeys.publicKeyOf(p.key()).equals(SigningKeys.publicKeyOf(key)))
          .findFirst();
      if (before.isPresent() && !first) {
        continue;
      }
      String instead = instead(next, key);
      if (w.reason() == SigningKeys.Reason.NOT_CHECKED) {
        LOG.warn("keys: d={} s={} ({}) does not sign until DNS answers for it: {}; {}", key.domain(), key.selector(),
            w.file(), w.detail(), instead);
      } else if (w.reason() == SigningKeys.Reason.DIFFERENT_KEY) {
        LOG.error("keys: {} (d={} s={}) holds a key DNS does not serve: {}; it does not sign, {}. Fix: put back the key"
            + " file that matches the published record (from a backup), or publish the record of the key now in the"
            + " file (postseal keys check {} prints it) and reload (SIGHUP) once DNS serves it", w.file(),
            key.domain(), key.selector(), w.detail(), instead, key.domain());
      } else if (w.preferred()) {
        LOG.error("keys: {} (d={} s={}) should sign but DNS does not serve its key: {}; it does not sign, {}. Fix:"
            + " publish its record (postseal keys check {} prints it), or rotate: postseal keygen --rotate {}",
            w.file(), key.domain(), key.selector(), w.detail(), instead, key.domain(), key.domain());
      } else {
        LOG.info("keys: d={} s={} ({}) is not used: {}", key.domain(), key.selector(), w.file(), w.detail());
      }
    }
    for (String domain : next.directory().domains()) {
      for (SigningKey key : next.directory().candidates(domain)) {
        boolean wasServed = previous.verdictFor(key).map(v -> v.status().isMatch()).orElse(false);
        if (next.isServed(key) && !wasServed) {
          LOG.info("keys: DNS serves the key of d={} s={} ({}): it may sign", key.domain(), key.selector(),
              key.algorithm().tagValue());
        }
      }
    }
  }

  /** "mail From D is signed by s2 instead" or "mail From D goes out unsigned (no other key DNS serves)". */
  private static String instead(SigningKeys keys, SigningKey withheld) {
    Optional<SigningKey> other = keys.directory().candidates(withheld.domain()).stream()
        .filter(k -> k.algorithm() == withheld.algorithm() && keys.isServed(k)).findFirst();
    return other.map(k -> withheld.algorithm().tagValue() + " signatures of " + withheld.domain() + " use s="
        + k.selector() + " instead").orElse("mail From " + withheld.domain() + " gets no "
        + withheld.algorithm().tagValue() + " signature (no other key of it that DNS serves)");
  }
}
