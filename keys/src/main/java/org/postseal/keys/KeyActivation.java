package org.postseal.keys;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.postseal.dns.DnsSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code postseal keys activate DOMAIN [SELECTOR] [--force]}: makes the pending key (or each pending key, one per
 * algorithm) active when DNS serves its public key, retiring the active key of the same algorithm. Otherwise
 * the key stays pending and the result says what DNS serves (missing, another key, revoked, malformed, error).
 * With {@code force} it is activated anyway, with a warning in the log (and in what the command prints).
 */
public final class KeyActivation {

  private static final Logger LOG = LoggerFactory.getLogger(KeyActivation.class);

  private final SigningKeyStore store;
  private final KeyPromotion promotion;
  private final KeyPublicationCheck publication;

  /** @param dns where publication is checked */
  public KeyActivation(SigningKeyStore store, DnsSource dns) {
    this.store = Objects.requireNonNull(store, "store");
    this.promotion = new KeyPromotion(store);
    this.publication = new KeyPublicationCheck(dns);
  }

  /** Activates {@code selector}, or without one every pending key of {@code domain}. */
  public ActivationResult activate(String rawDomain, Optional<String> rawSelector, boolean force) {
    Objects.requireNonNull(rawDomain, "domain");
    Objects.requireNonNull(rawSelector, "selector");
    SigningNames.Checked checkedDomain = SigningNames.signingDomain(rawDomain);
    if (checkedDomain instanceof SigningNames.Refused refused) {
      return KeyRefusal.usage(refused.problem());
    }
    String domain = ((SigningNames.Accepted) checkedDomain).name();
    Optional<SigningNames.Checked> checkedSelector = rawSelector.map(SigningNames::existingSelector);
    if (checkedSelector.orElse(null) instanceof SigningNames.Refused refused) {
      return KeyRefusal.usage(refused.problem());
    }
    Optional<String> selector = checkedSelector.map(c -> ((SigningNames.Accepted) c).name());
    KeyDirectory snapshot = store.scan();
    List<KeyEntry> entries = snapshot.entries(domain);
    if (entries.isEmpty()) {
      return KeyRefusal.conflict("no keys for " + domain + " in " + store.keysDir() + "; create one with: postseal"
          + " keygen " + domain);
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

  /** Looks up every key of {@code pending} in parallel and activates those DNS serves (all, with {@code force}). */
  List<ActivationResult.Activation> activateAll(KeyDirectory snapshot, String domain, List<KeyEntry> pending,
                                                boolean force) {
    Path dir = store.domainDir(domain);
    Map<String, DkimPublicKey> keys = new LinkedHashMap<>();
    List<ActivationResult.Activation> results = new ArrayList<>();
    for (KeyEntry entry : pending) {
      Optional<DkimPublicKey> publicKey = SigningKeyStore.publicKey(snapshot, domain, entry.selector());
      if (publicKey.isEmpty()) {
        results.add(new ActivationResult.Activation(domain, entry, ActivationResult.Outcome.UNUSABLE, Optional.empty(),
            Optional.empty(), Optional.empty(), store.fileProblem(snapshot, domain, entry.selector()),
            store.retireAfter()));
      } else {
        keys.put(entry.selector(), publicKey.get());
      }
    }
    Map<String, PublicationStatus> answers = publication.checkAll(domain, keys);
    for (KeyEntry entry : pending) {
      PublicationStatus status = answers.get(entry.selector());
      if (status != null) {
        results.add(activateOne(dir, domain, entry, status, DkimTxtRecord.of(domain, entry.selector(),
            keys.get(entry.selector())), force));
      }
    }
    return results;
  }

  private ActivationResult.Activation activateOne(Path dir, String domain, KeyEntry entry, PublicationStatus status,
                                                  DkimTxtRecord keyRecord, boolean force) {
    Optional<DkimTxtRecord> record = Optional.of(keyRecord);
    if (!status.isMatch() && !force) {
      LOG.debug("pending key d={} s={} not activated: {}", domain, entry.selector(), status.detail());
      return new ActivationResult.Activation(domain, entry, ActivationResult.Outcome.NOT_PUBLISHED,
          Optional.of(status), Optional.empty(), record, "", store.retireAfter());
    }
    KeyPromotion.Promoted promoted;
    try {
      promoted = promotion.promote(domain, dir, entry.selector());
    } catch (IOException e) {
      return new ActivationResult.Activation(domain, entry, ActivationResult.Outcome.UNUSABLE, Optional.of(status),
          Optional.empty(), record, store.ioRefusal("cannot record the activation in " + store.stateFile(dir), e)
          .message(), store.retireAfter());
    }
    if (promoted.activated() == null) {
      return new ActivationResult.Activation(domain, entry, ActivationResult.Outcome.CHANGED, Optional.of(status),
          Optional.empty(), record, promoted.problem(), store.retireAfter());
    }
    ActivationResult.Outcome outcome = status.isMatch()
        ? ActivationResult.Outcome.ACTIVATED : ActivationResult.Outcome.FORCED;
    if (outcome == ActivationResult.Outcome.FORCED) {
      LOG.warn("key d={} s={} activated by force although DNS does not serve it ({}): serve signs with it only once"
          + " DNS serves its record", domain, entry.selector(), status.detail());
    } else {
      LOG.info("activated key d={} s={} a={}: DNS serves it{}", domain, entry.selector(),
          entry.algorithm().tagValue(), promoted.retired().map(r -> "; retired s=" + r.selector()).orElse(""));
    }
    return new ActivationResult.Activation(domain, promoted.activated(), outcome, Optional.of(status),
        promoted.retired(), record, "", store.retireAfter());
  }
}
