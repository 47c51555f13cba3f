package org.postseal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postseal.keys.KeyStoreFixtures.activeSelectors;
import static org.postseal.keys.KeyStoreFixtures.created;
import static org.postseal.keys.KeyStoreFixtures.refused;
import static org.postseal.keys.KeyStoreFixtures.single;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.dkim.DkimAlgorithm;

/**
 * keys activate against a real DNS server on loopback: what it refuses, and what DNS must serve before a key signs;
 * a successful activation and the retirement it causes are in {@link KeyLifecycleRotationTest}.
 */
class KeyActivationTest {

  @TempDir
  Path root;

  private TestKeyStore test;
  private Path keys;
  private Keygen keygen;
  private KeyActivation activation;

  @BeforeEach
  void start() {
    test = TestKeyStore.start(root.resolve("state/keys"), Duration.ofDays(7));
    keys = test.keys();
    keygen = new Keygen(test.store());
    activation = new KeyActivation(test.store(), test.resolver());
  }

  @AfterEach
  void stop() {
    test.close();
  }

  @Test
  void activatingWhereThereIsNothingToActivate_isRefusedWithTheNextStep() {
    assertThat(refused(activation.activate("example.com", Optional.empty(), false), KeyRefusal.Kind.CONFLICT)
        .message()).isEqualTo("no keys for example.com in " + keys + "; create one with: postseal keygen example.com");
    KeygenResult.Created created = created(keygen.generate("example.com", Optional.empty(),
        KeyAlgorithmChoice.ED25519));
    assertThat(refused(activation.activate("example.com", Optional.of("nope"), false), KeyRefusal.Kind.CONFLICT)
        .message()).contains("has no key nope");
    assertThat(new KeyDeletion(test.store()).delete("example.com", created.key().selector()))
        .isInstanceOf(KeyUpdateResult.Updated.class);
    assertThat(refused(activation.activate("example.com", Optional.empty(), false), KeyRefusal.Kind.CONFLICT)
        .message()).contains("has no pending key to activate").contains("postseal keygen --rotate example.com");
  }

  @Test
  void invalidDomain_isAUsageError() {
    assertThat(refused(activation.activate("not a domain", Optional.empty(), false), KeyRefusal.Kind.USAGE)
        .message()).contains("not a domain");
  }

  @Test
  void keyFileWithGroupAccess_cannotBeActivated_andTheReasonSaysHowToFixIt() throws Exception {
    KeygenResult.Created created = created(keygen.generate("example.com", Optional.empty(),
        KeyAlgorithmChoice.ED25519));
    Files.setPosixFilePermissions(created.privateKeyFile(), PosixFilePermissions.fromString("rw-r-----"));

    ActivationResult.Activation result = single(activation.activate("example.com", Optional.empty(), true));

    assertThat(result.outcome()).isEqualTo(ActivationResult.Outcome.UNUSABLE);
    assertThat(result.isActivated()).isFalse();
    assertThat(result.key().selector()).isEqualTo("s202611");
    assertThat(result.detail()).contains("chmod 600 " + created.privateKeyFile());
    assertThat(activeSelectors(keys, "example.com")).isEmpty();
  }

  @Test
  void differentKeyPublished_isRefusedNamingBothKeys_andForceActivatesIt() throws Exception {
    KeygenResult.Created created = created(keygen.generate("example.net", Optional.of("sel"),
        KeyAlgorithmChoice.RSA_2048));
    DkimPublicKey stranger = DkimPublicKey.of(KeyPairGenerator.getInstance("RSA").generateKeyPair().getPublic());
    test.dns().load(DkimTxtRecord.of("example.net", "sel", stranger).zoneText());

    ActivationResult.Activation refused = single(activation.activate("example.net", Optional.empty(), false));

    assertThat(refused.outcome()).isEqualTo(ActivationResult.Outcome.NOT_PUBLISHED);
    assertThat(refused.dns().orElseThrow().kind()).isEqualTo(PublicationStatus.Kind.DIFFERENT_KEY);
    assertThat(refused.dns().orElseThrow().detail()).startsWith("DNS serves another rsa-2048 key");
    assertThat(refused.record()).contains(created.record());
    assertThat(activeSelectors(keys, "example.net")).isEmpty();

    ActivationResult.Activation forced = single(activation.activate("example.net", Optional.of("sel"), true));

    assertThat(forced.outcome()).isEqualTo(ActivationResult.Outcome.FORCED);
    assertThat(forced.isActivated()).isTrue();
    assertThat(forced.key().state()).isEqualTo(KeyState.ACTIVE);
    assertThat(forced.record()).contains(created.record());
    assertThat(activeSelectors(keys, "example.net")).containsExactly("sel");
    KeyCheckResult.Checked check = (KeyCheckResult.Checked) new DomainKeyCheck(test.store(), test.resolver()).check("example.net");
    assertThat(check.isPassed()).isFalse();
    assertThat(check.rows()).singleElement().satisfies(row -> {
      assertThat(row.key().state()).isEqualTo(KeyState.ACTIVE);
      assertThat(row.isPublishedCorrectly()).isFalse();
      assertThat(row.dns().orElseThrow().detail()).startsWith("DNS serves another rsa-2048 key");
      assertThat(row.note().orElseThrow())
          .startsWith("ACTION NEEDED: it signs, but DNS does not serve its key (different key)");
      assertThat(row.record()).contains(created.record());
    });
  }

  @Test
  void revokedRecordPublished_isRefusedAsRevoked() throws Exception {
    created(keygen.generate("example.net", Optional.of("sel"), KeyAlgorithmChoice.ED25519));
    test.dns().load(DkimTxtRecord.revoked("example.net", "sel", DkimAlgorithm.ED25519_SHA256).zoneText());

    ActivationResult.Activation refused = single(activation.activate("example.net", Optional.empty(), false));

    assertThat(refused.outcome()).isEqualTo(ActivationResult.Outcome.NOT_PUBLISHED);
    assertThat(refused.dns().orElseThrow().kind()).isEqualTo(PublicationStatus.Kind.REVOKED);
    assertThat(refused.dns().orElseThrow().detail()).contains("DNS serves a revoked record (empty p=, k=ed25519)");
    assertThat(new KeyInventory(test.store(), test.resolver()).list().rows()).singleElement()
        .satisfies(r -> assertThat(r.dns().map(PublicationStatus::kind)).contains(PublicationStatus.Kind.REVOKED));
  }
}
