package org.postseal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postseal.keys.KeyStoreFixtures.activeSelectors;
import static org.postseal.keys.KeyStoreFixtures.created;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.dns.FakeDnsServer;

/** serve's periodic activation: only what DNS serves, and nothing when DNS fails; the happy path is in {@link KeyLifecycleRotationTest}. */
class AutoActivationTest {

  @TempDir
  Path root;

  private TestKeyStore test;
  private AutoActivation autoActivation;

  @BeforeEach
  void start() {
    test = TestKeyStore.start(root.resolve("keys"), Duration.ofDays(7));
    autoActivation = new AutoActivation(test.store(), test.resolver());
  }

  @AfterEach
  void stop() {
    test.close();
  }

  @Test
  void dnsFailure_leavesTheKeyPending() throws Exception {
    KeygenResult.Created created = created(new Keygen(test.store()).generate("example.net", Optional.of("sel"),
        KeyAlgorithmChoice.ED25519));
    test.dns().load(created.record().zoneText());
    test.dns().failWith("sel._domainkey.example.net", FakeDnsServer.Failure.SERVFAIL);

    List<ActivationResult.Activation> auto = autoActivation.activatePublished();

    assertThat(auto).singleElement().satisfies(a -> {
      assertThat(a.outcome()).isEqualTo(ActivationResult.Outcome.NOT_PUBLISHED);
      assertThat(a.dns().orElseThrow().kind()).isEqualTo(PublicationStatus.Kind.DNS_ERROR);
    });
    assertThat(activeSelectors(test.keys(), "example.net")).isEmpty();
  }
}
