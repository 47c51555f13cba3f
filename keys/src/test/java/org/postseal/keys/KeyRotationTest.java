package org.postseal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.postseal.keys.KeyStoreFixtures.created;
import static org.postseal.keys.KeyStoreFixtures.handPlace;
import static org.postseal.keys.KeyStoreFixtures.refused;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.dkim.SigningKey;
import org.postseal.dns.SettableClock;

/** keygen --rotate: which successor it makes, and how it records hand-placed keys; the whole life is in {@link KeyLifecycleRotationTest}. */
class KeyRotationTest {

  @TempDir
  Path root;

  private Path keys;
  private KeyRotation rotation;

  @BeforeEach
  void createStore() {
    keys = root.resolve("state/keys");
    SettableClock clock = new SettableClock(Instant.parse("2026-11-15T10:00:00Z"));
    rotation = new KeyRotation(new SigningKeyStore(keys, clock, Duration.ofDays(7)));
  }

  @Test
  void rotation_needsAnActiveKey_andDualAlgorithmDomainsMustSayWhichToRotate() throws Exception {
    KeyRefusal none = refused(rotation.rotate("example.com", Optional.empty(), Optional.empty()),
        KeyRefusal.Kind.CONFLICT);
    handPlace(keys, "example.com", "r1", KeyPairGenerator.getInstance("RSA").generateKeyPair().getPrivate());
    handPlace(keys, "example.com", "e1", KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate());

    KeyRefusal ambiguous = refused(rotation.rotate("example.com", Optional.empty(), Optional.empty()),
        KeyRefusal.Kind.USAGE);

    assertThat(none.message()).isEqualTo("example.com has no active key to rotate; create its first key with:"
        + " postseal keygen example.com");
    assertThat(ambiguous.message()).contains("signs with e1 (ed25519) and r1 (rsa-2048)")
        .contains("--algorithm ed25519 or --algorithm rsa-2048");
  }

  @Test
  void invalidDomain_isAUsageErrorAndCreatesNothing() {
    assertThat(refused(rotation.rotate("-x.example", Optional.empty(), Optional.empty()), KeyRefusal.Kind.USAGE)
        .message()).contains("-x.example");
    assertThat(Files.exists(keys)).isFalse();
  }

  @Test
  void handPlacedKeys_areRecordedOnTheFirstChange_andKeepSigning() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(3072);
    handPlace(keys, "example.com", "2025a", rsa.generateKeyPair().getPrivate());
    handPlace(keys, "example.com", "2025b", rsa.generateKeyPair().getPrivate());
    handPlace(keys, "example.com", "ed", KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate());
    KeyDirectory before = KeyDirectory.scan(keys);
    assertThat(before.hasStateFile("example.com")).isFalse();
    assertThat(before.activeKeys("example.com")).extracting(SigningKey::selector).containsExactly("2025b", "ed");

    KeygenResult.Created successor = created(rotation.rotate("example.com", Optional.of(KeyAlgorithmChoice.RSA_2048),
        Optional.empty()));
    KeyDirectory after = KeyDirectory.scan(keys);

    assertThat(successor.replaces().map(KeyEntry::selector)).contains("2025b");
    assertThat(after.hasStateFile("example.com")).isTrue();
    assertThat(after.activeKeys("example.com")).extracting(SigningKey::selector).containsExactly("2025b", "ed");
    assertThat(after.entries("example.com"))
        .extracting(KeyEntry::selector, KeyEntry::state, KeyEntry::bits, e -> e.retired().isPresent())
        .containsExactly(
            tuple("2025a", KeyState.RETIRED, 3072, true),
            tuple("2025b", KeyState.ACTIVE, 3072, false),
            tuple("ed", KeyState.ACTIVE, 256, false),
            tuple("s202611", KeyState.PENDING, 2048, false));
  }

  @Test
  void rotationWithoutAlgorithm_keepsTheActiveKeysKindAndSize() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(3072);
    handPlace(keys, "example.com", "old", rsa.generateKeyPair().getPrivate());

    KeygenResult.Created successor = created(rotation.rotate("example.com", Optional.empty(), Optional.of("new")));

    assertThat(successor.key().algorithmLabel()).isEqualTo("rsa-3072");
    assertThat(successor.key().selector()).isEqualTo("new");
  }
}
