package org.postseal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.postseal.keys.KeyStoreFixtures.activeSelectors;
import static org.postseal.keys.KeyStoreFixtures.created;
import static org.postseal.keys.KeyStoreFixtures.refused;
import static org.postseal.keys.KeyStoreFixtures.single;
import static org.postseal.keys.KeyStoreFixtures.verifiesThroughDns;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.dkim.DkimAlgorithm;
import org.postseal.dkim.SigningKey;
import org.postseal.dns.DnsResolver;
import org.postseal.dns.FakeDnsServer;
import org.postseal.dns.SettableClock;

/**
 * The key lifecycle as an operator lives it, one operation after the other on one store, against a real DNS
 * server on loopback: script the DNS, run the step, check the key directory that {@code serve} signs from.
 */
class KeyLifecycleRotationTest {

  private static final Duration RETIRE_AFTER = Duration.ofDays(7);
  /** Longer than the fake server's negative TTL: a resolver forgets "no such record" after that. */
  private static final Duration NEGATIVE_CACHE_EXPIRY = FakeDnsServer.DEFAULT_NEGATIVE_TTL.plusMinutes(1);

  @TempDir
  Path root;

  private TestKeyStore test;
  private Path keys;
  private FakeDnsServer server;
  private SettableClock clock;
  private DnsResolver resolver;
  private Keygen keygen;
  private KeyRotation rotation;
  private KeyActivation activation;
  private AutoActivation autoActivation;
  private DomainKeyCheck check;
  private KeyInventory inventory;
  private KeyRevocation revocation;
  private KeyDeletion deletion;

  @BeforeEach
  void start() {
    test = TestKeyStore.start(root.resolve("keys"), RETIRE_AFTER);
    keys = test.keys();
    server = test.dns();
    clock = test.clock();
    resolver = test.resolver();
    SigningKeyStore store = test.store();
    keygen = new Keygen(store);
    rotation = new KeyRotation(store);
    activation = new KeyActivation(store, resolver);
    autoActivation = new AutoActivation(store, resolver);
    check = new DomainKeyCheck(store, resolver);
    inventory = new KeyInventory(store, resolver);
    revocation = new KeyRevocation(store);
    deletion = new KeyDeletion(store);
  }

  @AfterEach
  void stop() {
    test.close();
  }

  private static KeyListing.Row row(List<KeyListing.Row> rows, String selector) {
    return rows.stream().filter(r -> r.key().selector().equals(selector)).findFirst().orElseThrow();
  }

  private KeyCheckResult.Checked checked(String domain) {
    KeyCheckResult result = check.check(domain);
    assertThat(result).as("%s", result).isInstanceOf(KeyCheckResult.Checked.class);
    return (KeyCheckResult.Checked) result;
  }

  @Test
  void fullRotation_keygenPublishActivateRotateRetireRevokeDelete() throws Exception {
    // 1. keygen: the first key of the domain is pending and nothing signs
    KeygenResult.Created first = created(keygen.generate("example.com", Optional.empty(),
        KeyAlgorithmChoice.RSA_2048));
    assertThat(first.key().selector()).isEqualTo("s202611");
    assertThat(activeSelectors(keys, "example.com")).isEmpty();

    // 2. not published yet: activation is refused and says what DNS serves and what to publish
    ActivationResult.Activation refused = single(activation.activate("example.com", Optional.empty(), false));
    assertThat(refused.outcome()).isEqualTo(ActivationResult.Outcome.NOT_PUBLISHED);
    assertThat(refused.isActivated()).isFalse();
    assertThat(refused.dns().orElseThrow().kind()).isEqualTo(PublicationStatus.Kind.MISSING);
    assertThat(refused.dns().orElseThrow().detail())
        .startsWith("DNS has no TXT record at s202611._domainkey.example.com");
    assertThat(refused.record()).contains(first.record());
    assertThat(checked("example.com").isPassed()).isFalse();
    assertThat(row(checked("example.com").rows(), "s202611")).satisfies(r -> {
      assertThat(r.key().state()).isEqualTo(KeyState.PENDING);
      assertThat(r.isPublishedCorrectly()).isFalse();
    });
    assertThat(autoActivation.activatePublished()).extracting(ActivationResult.Activation::outcome)
        .containsExactly(ActivationResult.Outcome.NOT_PUBLISHED);
    assertThat(activeSelectors(keys, "example.com")).isEmpty();

    // 3. the operator pastes the printed record into the zone; until the negative answer expires nothing changes
    server.load(first.record().zoneText());
    assertThat(autoActivation.activatePublished()).extracting(ActivationResult.Activation::outcome)
        .containsExactly(ActivationResult.Outcome.NOT_PUBLISHED);
    clock.advance(NEGATIVE_CACHE_EXPIRY);

    // 4. serve's periodic step activates it
    KeyDirectory beforeActivation = KeyDirectory.scan(keys);
    List<ActivationResult.Activation> auto = autoActivation.activatePublished();
    assertThat(auto).singleElement().satisfies(a -> {
      assertThat(a.outcome()).isEqualTo(ActivationResult.Outcome.ACTIVATED);
      assertThat(a.key().state()).isEqualTo(KeyState.ACTIVE);
      assertThat(a.key().activated()).contains(clock.instant());
      assertThat(a.retired()).isEmpty();
    });
    assertThat(beforeActivation.isOutdated()).as("serve notices the change without SIGHUP").isTrue();
    KeyDirectory afterActivation = KeyDirectory.scan(keys);
    assertThat(afterActivation.isOutdated()).isFalse();
    SigningKey signing = afterActivation.activeKeys("example.com").get(0);
    assertThat(signing.selector()).isEqualTo("s202611");
    assertThat(verifiesThroughDns(resolver, signing)).isTrue();
    assertThat(checked("example.com").isPassed()).isTrue();
    assertThat(autoActivation.activatePublished()).as("nothing pending any more").isEmpty();

    // 5. a month later: the successor is pending, the old key still signs
    clock.advance(Duration.ofDays(30));
    KeygenResult.Created second = created(rotation.rotate("example.com", Optional.empty(), Optional.empty()));
    assertThat(second.key().selector()).isEqualTo("s202612");
    assertThat(second.key().algorithmLabel()).isEqualTo("rsa-2048");
    assertThat(second.replaces().map(KeyEntry::selector)).contains("s202611");
    assertThat(activeSelectors(keys, "example.com")).containsExactly("s202611");
    assertThat(single(activation.activate("example.com", Optional.empty(), false)).outcome())
        .isEqualTo(ActivationResult.Outcome.NOT_PUBLISHED);
    List<KeyListing.Row> rotating = checked("example.com").rows();
    assertThat(rotating).extracting(r -> r.key().selector(), r -> r.key().state(), KeyListing.Row::isPublishedCorrectly)
        .containsExactly(tuple("s202611", KeyState.ACTIVE, true), tuple("s202612", KeyState.PENDING, false));

    // 6. published and activated: the old key is retired, not revoked
    server.load(second.record().zoneText());
    clock.advance(NEGATIVE_CACHE_EXPIRY);
    Instant switchedAt = clock.instant();
    ActivationResult.Activation activated = single(activation.activate("example.com", Optional.empty(), false));
    assertThat(activated.outcome()).isEqualTo(ActivationResult.Outcome.ACTIVATED);
    assertThat(activated.key().selector()).isEqualTo("s202612");
    assertThat(activated.dns().orElseThrow().detail()).startsWith("DNS serves our rsa key");
    assertThat(activated.retired().map(KeyEntry::selector)).contains("s202611");
    assertThat(activated.retired().flatMap(r -> r.revocableAt(activated.retireAfter())))
        .contains(switchedAt.plus(RETIRE_AFTER));
    assertThat(switchedAt.plus(RETIRE_AFTER).toString()).startsWith("2026-12-22");
    assertThat(activated.retireAfter()).isEqualTo(RETIRE_AFTER);
    assertThat(activeSelectors(keys, "example.com")).containsExactly("s202612");
    assertThat(verifiesThroughDns(resolver, KeyDirectory.scan(keys).activeKeys("example.com").get(0))).isTrue();
    assertThat(KeyDirectory.scan(keys).entries("example.com"))
        .extracting(KeyEntry::selector, KeyEntry::state, KeyEntry::retired)
        .containsExactly(
            tuple("s202611", KeyState.RETIRED, Optional.of(switchedAt)),
            tuple("s202612", KeyState.ACTIVE, Optional.empty()));

    // 7. within retire-after the old record must stay: listed as retired, revocation refused
    KeyListing during = inventory.list();
    assertThat(during.retireAfter()).isEqualTo(RETIRE_AFTER);
    assertThat(row(during.rows(), "s202611").isRevocable()).isFalse();
    assertThat(row(during.rows(), "s202611").dns().map(PublicationStatus::kind)).contains(PublicationStatus.Kind.MATCH);
    assertThat(row(during.rows(), "s202611").note()).isEmpty();
    assertThat(row(during.rows(), "s202611").revocableAt()).contains(switchedAt.plus(RETIRE_AFTER));
    KeyRefusal early = refused(revocation.revoke("example.com", "s202611", false), KeyRefusal.Kind.CONFLICT);
    assertThat(early.message()).contains("may be in flight until 2026-12-22 (retire-after 7d)").contains("--force");

    // 8. after retire-after: keys list says the record can be replaced by the revoked one, and gives it
    clock.advance(RETIRE_AFTER);
    KeyListing after = inventory.list();
    KeyListing.Row old = row(after.rows(), "s202611");
    assertThat(old.isRevocable()).isTrue();
    assertThat(old.key().state()).isEqualTo(KeyState.RETIRED);
    assertThat(old.record()).contains(DkimTxtRecord.revoked("example.com", "s202611", DkimAlgorithm.RSA_SHA256));
    assertThat(old.record().orElseThrow().zoneText())
        .isEqualTo("s202611._domainkey.example.com. IN TXT ( \"v=DKIM1; k=rsa; p=\" )");
    assertThat(old.note().orElseThrow()).contains("replace its DNS record with the revoked one")
        .contains("postseal keys revoke example.com s202611");
    assertThat(row(after.rows(), "s202612").note()).isEmpty();

    // 9. revoke, then DNS still serving the old key is pointed out; delete removes the private key for good
    KeyUpdateResult revoked = revocation.revoke("example.com", "s202611", false);
    assertThat(revoked).isInstanceOf(KeyUpdateResult.Updated.class);
    assertThat(((KeyUpdateResult.Updated) revoked).key().state()).isEqualTo(KeyState.REVOKED);
    assertThat(((KeyUpdateResult.Updated) revoked).record().map(DkimTxtRecord::value)).contains("v=DKIM1; k=rsa; p=");
    assertThat(row(inventory.list().rows(), "s202611").note().orElseThrow())
        .contains("revoked, but DNS still serves a key record");
    KeyUpdateResult deleted = deletion.delete("example.com", "s202611");
    assertThat(deleted).isInstanceOf(KeyUpdateResult.Updated.class);
    assertThat(((KeyUpdateResult.Updated) deleted).record()).isEmpty();
    assertThat(Files.exists(keys.resolve("example.com/s202611.pem"))).isFalse();
    assertThat(Files.exists(keys.resolve("example.com/s202611.txt"))).isFalse();
    assertThat(row(inventory.list().rows(), "s202611").key().state()).isEqualTo(KeyState.DELETED);
    assertThat(refused(keygen.generate("example.com", Optional.of("s202611"), KeyAlgorithmChoice.ED25519),
        KeyRefusal.Kind.CONFLICT).message()).contains("selector s202611 already exists for example.com (a deleted key)");
    assertThat(activeSelectors(keys, "example.com")).containsExactly("s202612");
    assertThat(checked("example.com").isPassed()).isTrue();
  }

  @Test
  void dualAlgorithmDomain_rotatesEachAlgorithmOnItsOwn() throws Exception {
    KeygenResult.Created rsa = created(keygen.generate("example.org", Optional.of("rsa1"),
        KeyAlgorithmChoice.RSA_2048));
    KeygenResult.Created ed = created(keygen.generate("example.org", Optional.of("ed1"),
        KeyAlgorithmChoice.ED25519));
    server.load(rsa.record().zoneText() + "\n" + ed.record().zoneText());

    ActivationResult both = activation.activate("example.org", Optional.empty(), false);

    assertThat(((ActivationResult.Activations) both).activations()).hasSize(2)
        .allSatisfy(a -> {
          assertThat(a.isActivated()).isTrue();
          assertThat(a.retired()).isEmpty();
        });
    assertThat(KeyDirectory.scan(keys).activeKeys("example.org"))
        .extracting(SigningKey::selector, SigningKey::algorithm)
        .containsExactly(tuple("rsa1", DkimAlgorithm.RSA_SHA256), tuple("ed1", DkimAlgorithm.ED25519_SHA256));

    KeygenResult.Created ed2 = created(rotation.rotate("example.org", Optional.of(KeyAlgorithmChoice.ED25519),
        Optional.of("ed2")));
    server.load(ed2.record().zoneText());
    List<ActivationResult.Activation> auto = autoActivation.activatePublished();

    assertThat(ed2.replaces().map(KeyEntry::selector)).contains("ed1");
    assertThat(auto).singleElement().satisfies(a -> assertThat(a.retired().map(KeyEntry::selector)).contains("ed1"));
    assertThat(KeyDirectory.scan(keys).activeKeys("example.org")).extracting(SigningKey::selector)
        .containsExactly("rsa1", "ed2");
    assertThat(KeyDirectory.scan(keys).entries("example.org")).extracting(KeyEntry::selector, KeyEntry::state)
        .containsExactly(tuple("ed1", KeyState.RETIRED), tuple("ed2", KeyState.ACTIVE),
            tuple("rsa1", KeyState.ACTIVE));
  }
}
