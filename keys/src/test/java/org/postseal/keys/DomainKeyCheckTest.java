package org.postseal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postseal.keys.KeyStoreFixtures.refused;

import java.nio.file.Path;
import java.time.Duration;
import org.postseal.dns.DnsResolver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** keys check: a domain without keys fails with nothing to publish; rows with DNS answers are in the rotation tests. */
class DomainKeyCheckTest {

  @TempDir
  Path root;

  private TestKeyStore test;
  private DomainKeyCheck check;

  @BeforeEach
  void start() {
    test = TestKeyStore.start(root.resolve("keys"), Duration.ofDays(7));
    check = new DomainKeyCheck(test.store(), test.resolver());
  }

  @AfterEach
  void stop() {
    test.close();
  }

  @Test
  void invalidDomain_isAUsageError() {
    assertThat(refused(check.check("localhost"), KeyRefusal.Kind.USAGE).message()).contains("two labels");
  }

  @Test
  void domainWithoutKeys_hasNothingToPublishAndDoesNotPass() {
    KeyCheckResult.Checked checked = (KeyCheckResult.Checked) check.check("Example.COM.");

    assertThat(checked.domain()).isEqualTo("example.com");
    assertThat(checked.rows()).isEmpty();
    assertThat(checked.problems()).isEmpty();
    assertThat(checked.hasKeyToPublish()).isFalse();
    assertThat(checked.isPassed()).isFalse();
  }

  /** A resolver that answers nothing: the rows say so, instead of telling the admin to publish records again. */
  @Test
  void aResolverThatDoesNotAnswerIsNamedInsteadOfTheRecords() throws Exception {
    new Keygen(test.store()).generate("example.com", java.util.Optional.of("sel"), KeyAlgorithmChoice.RSA_2048);
    try (java.net.DatagramSocket silent = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
      DnsResolver blind = DnsResolver.create(java.util.List.of("127.0.0.1:" + silent.getLocalPort()),
          Duration.ofMillis(300), test.clock());
      KeyCheckResult.Checked checked = (KeyCheckResult.Checked) new DomainKeyCheck(test.store(), blind).check("example.com");
      KeyListing.Row row = checked.rows().get(0);
      assertThat(row.dns()).hasValueSatisfying(status -> {
        assertThat(status.kind()).isEqualTo(PublicationStatus.Kind.DNS_ERROR);
        assertThat(status.detail()).startsWith("the DNS resolver does not answer: no answer to a lookup of the root zone")
            .endsWith("check [dns] servers in the configuration (empty: the servers in /etc/resolv.conf), not the"
                + " domain's records");
      });
      assertThat(row.note()).hasValueSatisfying(n -> assertThat(n).startsWith("pending; DNS lookup failed, publication"
          + " unknown: the DNS resolver does not answer").doesNotContain("publish its record"));
      assertThat(row.record()).isEmpty();
    }
  }

  /** An active key of an algorithm signing.algorithms leaves out is listed as signing nothing. */
  @Test
  void anActiveKeyOutsideSigningAlgorithmsIsSaidToSignNothing() {
    new Keygen(test.store()).generate("example.com", java.util.Optional.of("ed"), KeyAlgorithmChoice.ED25519);
    new KeyActivation(test.store(), test.resolver()).activate("example.com", java.util.Optional.of("ed"), true);
    SigningKeyStore rsaOnly = new SigningKeyStore(root.resolve("keys"), test.clock(), Duration.ofDays(7),
        java.util.Set.of(org.postseal.dkim.DkimAlgorithm.RSA_SHA256));

    KeyListing.Row row = new KeyInventory(rsaOnly, test.resolver()).list().rows().get(0);
    assertThat(row.key().state()).isEqualTo(KeyState.ACTIVE);
    assertThat(row.note()).contains("active, but it signs nothing: signing.algorithms does not list ed25519-sha256;"
        + " add it there to sign with this key as well");
    // with ed25519-sha256 listed (the default store lists every algorithm) it is an ordinary active key
    assertThat(new KeyInventory(test.store(), test.resolver()).list().rows().get(0).note().orElse(""))
        .doesNotContain("signs nothing");
  }
}
