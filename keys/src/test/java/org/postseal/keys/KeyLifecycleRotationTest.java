package org.postseal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.dkim.DkimAlgorithm;
import org.postseal.dkim.SigningKey;
import org.postseal.dns.DnsAnswer;
import org.postseal.dns.DnsResolver;
import org.postseal.dns.FakeDnsServer;
import org.postseal.dns.RecordType;
import org.postseal.dns.SettableClock;
import org.postseal.testdata.TestData;

/**
 * The key lifecycle as an operator lives it, against a real DNS server on loopback: script the DNS, run the
 * step, check the key directory that {@code serve} signs from.
 */
class KeyLifecycleRotationTest {

  private static final Duration RETIRE_AFTER = Duration.ofDays(7);
  /** Longer than the fake server's negative TTL: a resolver forgets "no such record" after that. */
  private static final Duration NEGATIVE_CACHE_EXPIRY = FakeDnsServer.DEFAULT_NEGATIVE_TTL.plusMinutes(1);

  @TempDir
  Path root;

  private Path keys;

  private FakeDnsServer server;
  private SettableClock clock;
  private DnsResolver resolver;
  private KeyLifecycle lifecycle;

  @BeforeEach
  void start() {
    keys = root.resolve("keys");
    server = FakeDnsServer.start();
    clock = new SettableClock(Instant.parse("2026-11-15T10:00:00Z"));
    resolver = DnsResolver.create(List.of(server.address()), Duration.ofSeconds(2), clock);
    lifecycle = new KeyLifecycle(keys, resolver, clock, RETIRE_AFTER);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static KeygenResult.Created created(KeygenResult result) {
    assertThat(result).as(result.text()).isInstanceOf(KeygenResult.Created.class);
    return (KeygenResult.Created) result;
  }

  private static ActivationResult.Activation single(ActivationResult result) {
    assertThat(result).as(result.text()).isInstanceOf(ActivationResult.Activations.class);
    return ((ActivationResult.Activations) result).activations().get(0);
  }

  private static KeyListing.Row row(KeyListing listing, String selector) {
    return listing.rows().stream().filter(r -> r.key().selector().equals(selector)).findFirst().orElseThrow();
  }

  private List<String> activeSelectors(String domain) {
    return KeyDirectory.scan(keys).activeKeys(domain).stream().map(SigningKey::selector).toList();
  }

  /** What a verifier does: fetch the key from DNS and check a signature made with the key that signs. */
  private boolean verifiesThroughDns(SigningKey key) throws Exception {
    DnsAnswer answer = resolver.lookup(key.selector() + "._domainkey." + key.domain(), RecordType.TXT)
        .get(10, TimeUnit.SECONDS);
    String record = ((DnsAnswer.Found) answer).records().get(0);
    byte[] p = Base64.getDecoder().decode(record.substring(record.indexOf("p=") + 2));
    PublicKey publicKey = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(p));
    byte[] data = "DKIM-Signature: v=1; a=rsa-sha256\r\n".getBytes(StandardCharsets.US_ASCII);
    Signature signer = Signature.getInstance("SHA256withRSA");
    signer.initSign(key.privateKey());
    signer.update(data);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance("SHA256withRSA");
    verifier.initVerify(publicKey);
    verifier.update(data);
    return verifier.verify(signature);
  }

  @Test
  void fullRotation_keygenPublishActivateRotateRetireRevokeDelete() throws Exception {
    // 1. keygen: the first key of the domain is pending and nothing signs
    KeygenResult.Created first = created(lifecycle.generate("example.com", Optional.empty(),
        KeyAlgorithmChoice.RSA_2048));
    assertThat(first.key().selector()).isEqualTo("s202611");
    assertThat(activeSelectors("example.com")).isEmpty();

    // 2. not published yet: activation is refused and says what DNS serves and what to publish
    ActivationResult refused = lifecycle.activate("example.com", false);
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(single(refused).outcome()).isEqualTo(ActivationResult.Outcome.NOT_PUBLISHED);
    assertThat(single(refused).dns().orElseThrow().kind()).isEqualTo(PublicationStatus.Kind.MISSING);
    assertThat(refused.text()).contains("Not activating s202611 for example.com (rsa-2048): DNS has no TXT record at"
        + " s202611._domainkey.example.com").contains(first.record().zoneText()).contains("--force");
    assertThat(lifecycle.check("example.com").exitCode()).isEqualTo(1);
    assertThat(lifecycle.check("example.com").text()).contains("FAIL  s202611 (rsa-2048, pending)");
    assertThat(lifecycle.activatePublished()).extracting(ActivationResult.Activation::outcome)
        .containsExactly(ActivationResult.Outcome.NOT_PUBLISHED);
    assertThat(activeSelectors("example.com")).isEmpty();

    // 3. the operator pastes the printed record into the zone; until the negative answer expires nothing changes
    server.load(first.record().zoneText());
    assertThat(lifecycle.activatePublished()).extracting(ActivationResult.Activation::outcome)
        .containsExactly(ActivationResult.Outcome.NOT_PUBLISHED);
    clock.advance(NEGATIVE_CACHE_EXPIRY);

    // 4. serve's periodic step activates it
    KeyDirectory beforeActivation = KeyDirectory.scan(keys);
    List<ActivationResult.Activation> auto = lifecycle.activatePublished();
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
    assertThat(verifiesThroughDns(signing)).isTrue();
    assertThat(lifecycle.check("example.com").exitCode()).isZero();
    assertThat(lifecycle.activatePublished()).as("nothing pending any more").isEmpty();

    // 5. a month later: the successor is pending, the old key still signs
    clock.advance(Duration.ofDays(30));
    KeygenResult.Created second = created(lifecycle.rotate("example.com", Optional.empty(), Optional.empty()));
    assertThat(second.key().selector()).isEqualTo("s202612");
    assertThat(second.key().algorithmLabel()).isEqualTo("rsa-2048");
    assertThat(second.replaces().map(KeyEntry::selector)).contains("s202611");
    assertThat(activeSelectors("example.com")).containsExactly("s202611");
    assertThat(single(lifecycle.activate("example.com", false)).outcome())
        .isEqualTo(ActivationResult.Outcome.NOT_PUBLISHED);
    assertThat(lifecycle.check("example.com").text()).contains("ok    s202611 (rsa-2048, active)")
        .contains("FAIL  s202612 (rsa-2048, pending)");

    // 6. published and activated: the old key is retired, not revoked
    server.load(second.record().zoneText());
    clock.advance(NEGATIVE_CACHE_EXPIRY);
    Instant switchedAt = clock.instant();
    ActivationResult activated = lifecycle.activate("example.com", false);
    assertThat(activated.exitCode()).isZero();
    assertThat(single(activated).retired().map(KeyEntry::selector)).contains("s202611");
    assertThat(activated.text()).contains("Activated s202612 for example.com (rsa-2048): DNS serves our rsa key")
        .contains("Retired s202611: it no longer signs; leave its record published until 2026-12-22 (retire-after 7d)");
    assertThat(activeSelectors("example.com")).containsExactly("s202612");
    assertThat(verifiesThroughDns(KeyDirectory.scan(keys).activeKeys("example.com").get(0))).isTrue();
    assertThat(KeyDirectory.scan(keys).entries("example.com"))
        .extracting(KeyEntry::selector, KeyEntry::state, KeyEntry::retired)
        .containsExactly(
            tuple("s202611", KeyState.RETIRED, Optional.of(switchedAt)),
            tuple("s202612", KeyState.ACTIVE, Optional.empty()));

    // 7. within retire-after the old record must stay: listed as retired, revocation refused
    KeyListing during = lifecycle.list();
    assertThat(row(during, "s202611").isRevocable()).isFalse();
    assertThat(row(during, "s202611").dnsLabel()).isEqualTo("match");
    assertThat(row(during, "s202611").note()).isEmpty();
    assertThat(row(during, "s202611").revocableAt()).contains(switchedAt.plus(RETIRE_AFTER));
    KeyUpdateResult early = lifecycle.revoke("example.com", "s202611", false);
    assertThat(early.exitCode()).isEqualTo(1);
    assertThat(early.text()).contains("may be in flight until 2026-12-22 (retire-after 7d)").contains("--force");

    // 8. after retire-after: keys list says the record can be replaced by the revoked one, and prints it
    clock.advance(RETIRE_AFTER);
    KeyListing after = lifecycle.list();
    KeyListing.Row old = row(after, "s202611");
    assertThat(old.isRevocable()).isTrue();
    assertThat(old.record()).contains(DkimTxtRecord.revoked("example.com", "s202611", DkimAlgorithm.RSA_SHA256));
    assertThat(old.note().orElseThrow()).contains("replace its DNS record with the revoked one")
        .contains("postseal keys revoke example.com s202611");
    assertThat(after.toTable()).contains("retired (revocable)")
        .contains("s202611._domainkey.example.com. IN TXT ( \"v=DKIM1; k=rsa; p=\" )");
    assertThat(after.toJson()).contains("\"revocable\": true").contains("\"value\": \"v=DKIM1; k=rsa; p=\"");
    assertThat(row(after, "s202612").note()).isEmpty();

    // 9. revoke, then DNS still serving the old key is pointed out; delete removes the private key for good
    KeyUpdateResult revoked = lifecycle.revoke("example.com", "s202611", false);
    assertThat(revoked.exitCode()).isZero();
    assertThat(revoked.text()).contains("v=DKIM1; k=rsa; p=");
    assertThat(row(lifecycle.list(), "s202611").note().orElseThrow())
        .contains("revoked, but DNS still serves a key record");
    assertThat(lifecycle.delete("example.com", "s202611").exitCode()).isZero();
    assertThat(Files.exists(keys.resolve("example.com/s202611.pem"))).isFalse();
    assertThat(Files.exists(keys.resolve("example.com/s202611.txt"))).isFalse();
    assertThat(lifecycle.list().toJson()).contains("\"state\": \"deleted\"");
    assertThat(lifecycle.generate("example.com", Optional.of("s202611"), KeyAlgorithmChoice.ED25519).text())
        .contains("selector s202611 already exists for example.com (a deleted key)");
    assertThat(activeSelectors("example.com")).containsExactly("s202612");
    assertThat(lifecycle.check("example.com").exitCode()).isZero();
  }

  @Test
  void dualAlgorithmDomain_rotatesEachAlgorithmOnItsOwn() throws Exception {
    KeygenResult.Created rsa = created(lifecycle.generate("example.org", Optional.of("rsa1"),
        KeyAlgorithmChoice.RSA_2048));
    KeygenResult.Created ed = created(lifecycle.generate("example.org", Optional.of("ed1"),
        KeyAlgorithmChoice.ED25519));
    server.load(rsa.record().zoneText() + "\n" + ed.record().zoneText());

    ActivationResult both = lifecycle.activate("example.org", false);

    assertThat(both.exitCode()).isZero();
    assertThat(((ActivationResult.Activations) both).activations()).hasSize(2)
        .allSatisfy(a -> assertThat(a.retired()).isEmpty());
    assertThat(KeyDirectory.scan(keys).activeKeys("example.org"))
        .extracting(SigningKey::selector, SigningKey::algorithm)
        .containsExactly(tuple("rsa1", DkimAlgorithm.RSA_SHA256), tuple("ed1", DkimAlgorithm.ED25519_SHA256));

    KeygenResult.Created ed2 = created(lifecycle.rotate("example.org", Optional.of(KeyAlgorithmChoice.ED25519),
        Optional.of("ed2")));
    server.load(ed2.record().zoneText());
    List<ActivationResult.Activation> auto = lifecycle.activatePublished();

    assertThat(ed2.replaces().map(KeyEntry::selector)).contains("ed1");
    assertThat(auto).singleElement().satisfies(a -> assertThat(a.retired().map(KeyEntry::selector)).contains("ed1"));
    assertThat(KeyDirectory.scan(keys).activeKeys("example.org")).extracting(SigningKey::selector)
        .containsExactly("rsa1", "ed2");
    assertThat(KeyDirectory.scan(keys).entries("example.org")).extracting(KeyEntry::selector, KeyEntry::state)
        .containsExactly(tuple("ed1", KeyState.RETIRED), tuple("ed2", KeyState.ACTIVE),
            tuple("rsa1", KeyState.ACTIVE));
  }

  @Test
  void differentKeyPublished_isRefusedNamingBothKeys_andForceActivatesWithALoudWarning() throws Exception {
    KeygenResult.Created created = created(lifecycle.generate("example.net", Optional.of("sel"),
        KeyAlgorithmChoice.RSA_2048));
    DkimPublicKey stranger = DkimPublicKey.of(KeyPairGenerator.getInstance("RSA").generateKeyPair().getPublic());
    server.load(DkimTxtRecord.of("example.net", "sel", stranger).zoneText());

    ActivationResult refused = lifecycle.activate("example.net", false);

    assertThat(single(refused).dns().orElseThrow().kind()).isEqualTo(PublicationStatus.Kind.DIFFERENT_KEY);
    assertThat(refused.text()).contains("Not activating sel for example.net (rsa-2048): DNS serves another rsa-2048"
        + " key").contains(created.record().zoneText());
    assertThat(activeSelectors("example.net")).isEmpty();

    ActivationResult forced = lifecycle.activate("example.net", Optional.of("sel"), true);

    assertThat(forced.exitCode()).isZero();
    assertThat(single(forced).outcome()).isEqualTo(ActivationResult.Outcome.FORCED);
    assertThat(forced.text()).startsWith("WARNING: activated sel for example.net (rsa-2048) although DNS does not"
        + " serve its key").contains("WARNING: receivers fail DKIM").contains(created.record().zoneText());
    assertThat(activeSelectors("example.net")).containsExactly("sel");
    KeyCheckResult check = lifecycle.check("example.net");
    assertThat(check.exitCode()).isEqualTo(1);
    assertThat(check.text()).contains("FAIL  sel (rsa-2048, active): DNS serves another rsa-2048 key")
        .contains("ACTION NEEDED: it signs, but DNS does not serve its key (different key)");
  }

  @Test
  void revokedRecordPublished_isRefusedAsRevoked() throws Exception {
    created(lifecycle.generate("example.net", Optional.of("sel"), KeyAlgorithmChoice.ED25519));
    server.load(DkimTxtRecord.revoked("example.net", "sel", DkimAlgorithm.ED25519_SHA256).zoneText());

    ActivationResult refused = lifecycle.activate("example.net", false);

    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(single(refused).dns().orElseThrow().kind()).isEqualTo(PublicationStatus.Kind.REVOKED);
    assertThat(refused.text()).contains("DNS serves a revoked record (empty p=, k=ed25519)");
    assertThat(lifecycle.list().rows()).singleElement()
        .satisfies(r -> assertThat(r.dnsLabel()).isEqualTo("revoked"));
  }

  @Test
  void dnsFailure_leavesTheKeyPending() throws Exception {
    KeygenResult.Created created = created(lifecycle.generate("example.net", Optional.of("sel"),
        KeyAlgorithmChoice.ED25519));
    server.load(created.record().zoneText());
    server.failWith("sel._domainkey.example.net", FakeDnsServer.Failure.SERVFAIL);

    List<ActivationResult.Activation> auto = lifecycle.activatePublished();

    assertThat(auto).singleElement().satisfies(a -> {
      assertThat(a.outcome()).isEqualTo(ActivationResult.Outcome.NOT_PUBLISHED);
      assertThat(a.dns().orElseThrow().kind()).isEqualTo(PublicationStatus.Kind.DNS_ERROR);
    });
    assertThat(activeSelectors("example.net")).isEmpty();
  }

  /** RFC 8463 Appendix A in dkim's test resources (dkim-rfc-vectors/SOURCE.txt), read through its test-jar. */
  private static final String RFC8463 = "dkim-rfc-vectors/rfc8463-appendix-a/";

  private static String rfcRecord(String name) throws Exception {
    for (String line : TestData.lines(RFC8463 + "dns.txt")) {
      if (line.startsWith(name + " ")) {
        return name + ". IN TXT \"" + line.substring(name.length() + 1).strip() + "\"";
      }
    }
    throw new AssertionError("no record for " + name);
  }

  @Test
  void importedOpenDkimKey_thatDnsServes_signsAtOnce_andRotatesToAnOfferedSize() throws Exception {
    // RFC 8463's RSA key: a PKCS#1 file as opendkim-genkey writes it, already published
    server.load(rfcRecord("test._domainkey.football.example.com"));
    Path source = keys.getParent().resolve("opendkim-test.private");
    Files.write(source, TestData.bytes(RFC8463 + "rsa-private.pem"));

    KeygenResult result = lifecycle.importKey("football.example.com", "test", source);

    assertThat(result).as(result.text()).isInstanceOf(KeygenResult.Imported.class);
    KeygenResult.Imported imported = (KeygenResult.Imported) result;
    assertThat(imported.exitCode()).isZero();
    assertThat(imported.key().state()).isEqualTo(KeyState.ACTIVE);
    assertThat(imported.key().algorithmLabel()).isEqualTo("rsa-1024");
    assertThat(imported.text()).contains("Imported " + source + " as rsa-1024 key test for football.example.com")
        .contains("it signs now");
    assertThat(Files.readString(imported.privateKeyFile())).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(Files.getPosixFilePermissions(imported.privateKeyFile()))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.readString(source)).as("the source is left alone").startsWith("-----BEGIN RSA PRIVATE KEY-----");
    assertThat(activeSelectors("football.example.com")).containsExactly("test");
    assertThat(verifiesThroughDns(KeyDirectory.scan(keys).activeKeys("football.example.com").get(0))).isTrue();

    KeygenResult.Created successor = created(lifecycle.rotate("football.example.com", Optional.empty(),
        Optional.empty()));
    assertThat(successor.key().algorithmLabel()).isEqualTo("rsa-2048");
    assertThat(successor.replaces().map(KeyEntry::selector)).contains("test");
  }

  @Test
  void importedKeyThatDnsDoesNotServe_isPending_andBadFilesAreUsageErrors() throws Exception {
    Path source = keys.getParent().resolve("other.pem");
    Files.writeString(source, KeyLifecycle.pem(KeyPairGenerator.getInstance("Ed25519").generateKeyPair()
        .getPrivate()));

    KeygenResult pending = lifecycle.importKey("example.com", "old", source);

    assertThat(pending).isInstanceOf(KeygenResult.Imported.class);
    assertThat(((KeygenResult.Imported) pending).key().state()).isEqualTo(KeyState.PENDING);
    assertThat(pending.text()).contains("so it is pending").contains("old._domainkey.example.com. IN TXT")
        .contains("postseal keys activate example.com");
    assertThat(activeSelectors("example.com")).isEmpty();

    Path notAKey = Files.writeString(keys.getParent().resolve("notes.txt"), "hello");
    KeygenResult bad = lifecycle.importKey("example.com", "x", notAKey);
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.text()).startsWith(notAKey + ": no private key found").contains("-----BEGIN PRIVATE KEY-----");
    KeygenResult missing = lifecycle.importKey("example.com", "x", keys.getParent().resolve("absent.pem"));
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.text()).contains("no file");
    assertThat(lifecycle.importKey("example.com", "old", source).text())
        .contains("selector old already exists for example.com");
  }
}
