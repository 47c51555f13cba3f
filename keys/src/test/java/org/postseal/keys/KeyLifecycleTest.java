package org.postseal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postseal.dkim.DkimAlgorithm;
import org.postseal.dkim.SigningKey;
import org.postseal.dns.DnsResolver;
import org.postseal.dns.FakeDnsServer;
import org.postseal.dns.SettableClock;

/** Keygen and the refusals of every operation; the rotation as a whole is in {@link KeyLifecycleRotationTest}. */
class KeyLifecycleTest {

  private static final byte[] DATA = "From: a@example.com\r\n".getBytes(StandardCharsets.US_ASCII);

  private static FakeDnsServer server;

  @TempDir
  Path root;

  private Path keys;
  private SettableClock clock;
  private KeyLifecycle lifecycle;

  @BeforeAll
  static void startDns() {
    server = FakeDnsServer.start();
  }

  @AfterAll
  static void stopDns() {
    server.close();
  }

  @BeforeEach
  void createLifecycle() {
    keys = root.resolve("state/keys");
    clock = new SettableClock(Instant.parse("2026-11-15T10:00:00Z"));
    DnsResolver resolver = DnsResolver.create(List.of(server.address()), Duration.ofSeconds(2), clock);
    lifecycle = new KeyLifecycle(keys, resolver, clock, KeyLifecycle.DEFAULT_RETIRE_AFTER);
  }

  private static KeygenResult.Created created(KeygenResult result) {
    assertThat(result).as(result.text()).isInstanceOf(KeygenResult.Created.class);
    assertThat(result.exitCode()).isZero();
    return (KeygenResult.Created) result;
  }

  private static KeyRefusal refused(KeyCommandOutput result, KeyRefusal.Kind kind) {
    assertThat(result).as(result.text()).isInstanceOf(KeyRefusal.class);
    KeyRefusal refusal = (KeyRefusal) result;
    assertThat(refusal.kind()).isEqualTo(kind);
    assertThat(refusal.exitCode()).isEqualTo(kind == KeyRefusal.Kind.USAGE ? 2 : 1);
    return refusal;
  }

  private List<String> namesIn(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static PublicKey publicKeyOf(DkimTxtRecord record) throws Exception {
    byte[] p = Base64.getDecoder().decode(record.value().substring(record.value().indexOf("p=") + 2));
    if (record.algorithm() == DkimAlgorithm.RSA_SHA256) {
      return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(p));
    }
    byte[] spki = HexFormat.of().parseHex("302a300506032b6570032100");
    byte[] encoded = new byte[spki.length + p.length];
    System.arraycopy(spki, 0, encoded, 0, spki.length);
    System.arraycopy(p, 0, encoded, spki.length, p.length);
    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
  }

  private static boolean verifies(DkimAlgorithm algorithm, PrivateKey privateKey, PublicKey publicKey)
      throws Exception {
    String name = algorithm == DkimAlgorithm.RSA_SHA256 ? "SHA256withRSA" : "Ed25519";
    Signature signer = Signature.getInstance(name);
    signer.initSign(privateKey);
    signer.update(DATA);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(name);
    verifier.initVerify(publicKey);
    verifier.update(DATA);
    return verifier.verify(signature);
  }

  private void handPlace(String domain, String selector, PrivateKey key) throws Exception {
    Path dir = Files.createDirectories(keys.resolve(domain));
    Path file = dir.resolve(selector + ".pem");
    Files.writeString(file, KeyLifecycle.pem(key), StandardCharsets.US_ASCII);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
  }

  @ParameterizedTest
  @EnumSource(KeyAlgorithmChoice.class)
  void keygen_writesAPrivatePkcs8KeyAndTheRecordOfItsPublicKey(KeyAlgorithmChoice choice) throws Exception {
    KeygenResult.Created created = created(lifecycle.generate("Example.COM.", Optional.empty(), choice));

    Path dir = keys.resolve("example.com");
    assertThat(created.domain()).isEqualTo("example.com");
    assertThat(created.key().selector()).isEqualTo("s202611");
    assertThat(created.key().state()).isEqualTo(KeyState.PENDING);
    assertThat(created.key().created()).isEqualTo(clock.instant());
    assertThat(created.key().bits()).isEqualTo(choice.bits());
    assertThat(created.privateKeyFile()).isEqualTo(dir.resolve("s202611.pem"));
    assertThat(Files.getPosixFilePermissions(created.privateKeyFile()))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    assertThat(Files.getPosixFilePermissions(keys)).isEqualTo(PosixFilePermissions.fromString("rwx------"));

    String pem = Files.readString(created.privateKeyFile());
    assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
    PrivateKeyPemParser.Key parsed = (PrivateKeyPemParser.Key) PrivateKeyPemParser.parse(pem);
    assertThat(parsed.algorithm()).isEqualTo(choice.algorithm());
    assertThat(KeyDirectory.bitsOf(parsed.privateKey())).isEqualTo(choice.bits());
    assertThat(verifies(choice.algorithm(), parsed.privateKey(), publicKeyOf(created.record()))).isTrue();

    String keyType = choice == KeyAlgorithmChoice.ED25519 ? "ed25519" : "rsa";
    assertThat(created.record().value()).startsWith("v=DKIM1; k=" + keyType + "; p=");
    assertThat(created.record().characterStrings()).allSatisfy(s -> assertThat(s.length()).isLessThanOrEqualTo(255));
    assertThat(Files.readString(created.recordFile())).isEqualTo(created.record().zoneText() + "\n");
    assertThat(Files.getPosixFilePermissions(created.recordFile()))
        .isEqualTo(PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(created.text())
        .contains("Created " + choice.label() + " key s202611 for example.com (pending)")
        .contains(created.record().zoneText())
        .contains("postseal keys activate example.com");
    assertThat(namesIn(dir)).containsExactly(".lock", "keys.state", "s202611.pem", "s202611.txt");

    KeyDirectory directory = KeyDirectory.scan(keys);
    assertThat(directory.problems()).isEmpty();
    assertThat(directory.activeKeys("example.com")).as("a pending key never signs").isEmpty();
    assertThat(directory.entries("example.com")).containsExactly(created.key());
    assertThat(directory.key("example.com", "s202611")).isPresent();
  }

  @Test
  void defaultSelector_isDatedAndSkipsEveryTakenName() throws Exception {
    KeygenResult.Created rsa = created(lifecycle.generate("example.com", Optional.empty(), KeyAlgorithmChoice.RSA_2048));
    KeygenResult.Created ed = created(lifecycle.generate("example.com", Optional.empty(), KeyAlgorithmChoice.ED25519));
    Files.writeString(keys.resolve("example.com/s202611c.txt"), "a record someone left here");
    assertThat(lifecycle.delete("example.com", "s202611").exitCode()).isZero();

    KeygenResult.Created next = created(lifecycle.generate("example.com", Optional.empty(), KeyAlgorithmChoice.RSA_2048));

    assertThat(rsa.key().selector()).isEqualTo("s202611");
    assertThat(ed.key().selector()).isEqualTo("s202611b");
    assertThat(next.key().selector()).as("deleted selectors are never reused").isEqualTo("s202611d");
    clock.advance(Duration.ofDays(30));
    assertThat(lifecycle.delete("example.com", "s202611b").exitCode()).isZero();
    KeygenResult.Created december = created(lifecycle.generate("example.com", Optional.empty(),
        KeyAlgorithmChoice.ED25519));
    assertThat(december.key().selector()).isEqualTo("s202612");
  }

  @Test
  void existingSelector_isRefusedAndTheKeyIsNotTouched() throws Exception {
    KeygenResult.Created first = created(lifecycle.generate("example.com", Optional.of("Mail"),
        KeyAlgorithmChoice.ED25519));
    String pem = Files.readString(first.privateKeyFile());

    KeyRefusal again = refused(lifecycle.generate("example.com", Optional.of("mail"), KeyAlgorithmChoice.RSA_2048),
        KeyRefusal.Kind.CONFLICT);

    assertThat(first.key().selector()).isEqualTo("mail");
    assertThat(again.message()).isEqualTo("selector mail already exists for example.com (a pending key); a key"
        + " is never overwritten: choose another --selector, or leave it out for a new dated one");
    assertThat(Files.readString(first.privateKeyFile())).isEqualTo(pem);
    assertThat(KeyDirectory.scan(keys).entries("example.com")).hasSize(1);
  }

  @Test
  void handPlacedKeyFile_isNeverOverwritten() throws Exception {
    handPlace("example.com", "hand", KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate());
    String before = Files.readString(keys.resolve("example.com/hand.pem"));

    KeyRefusal refusal = refused(lifecycle.generate("example.com", Optional.of("hand"), KeyAlgorithmChoice.RSA_2048),
        KeyRefusal.Kind.CONFLICT);

    assertThat(refusal.message()).contains("selector hand already exists").contains("(an active key)");
    assertThat(Files.readString(keys.resolve("example.com/hand.pem"))).isEqualTo(before);
    assertThat(Files.exists(keys.resolve("example.com/keys.state"))).isFalse();
  }

  @Test
  void secondPendingKeyOfOneAlgorithm_isRefusedNamingTheFirstAndTheWayOut() {
    created(lifecycle.generate("example.com", Optional.empty(), KeyAlgorithmChoice.RSA_2048));

    KeyRefusal refusal = refused(lifecycle.generate("example.com", Optional.empty(), KeyAlgorithmChoice.RSA_4096),
        KeyRefusal.Kind.CONFLICT);

    assertThat(refusal.message())
        .contains("example.com already has a pending rsa key, s202611, waiting for DNS")
        .contains(keys.resolve("example.com/s202611.txt").toString())
        .contains("postseal keys activate example.com")
        .contains("postseal keys delete example.com s202611");
  }

  @Test
  void invalidDomainOrSelector_isAUsageErrorAndCreatesNothing() {
    KeyRefusal domain = refused(lifecycle.generate("exa_mple.com", Optional.empty(), KeyAlgorithmChoice.RSA_2048),
        KeyRefusal.Kind.USAGE);
    KeyRefusal selector = refused(lifecycle.generate("example.com", Optional.of("bad_sel"), KeyAlgorithmChoice.ED25519),
        KeyRefusal.Kind.USAGE);

    assertThat(domain.message()).startsWith("invalid domain \"exa_mple.com\"").contains("e.g. example.com");
    assertThat(domain.text()).isEqualTo(domain.message() + "\n");
    assertThat(selector.message()).startsWith("invalid selector \"bad_sel\"").contains("RFC 6376");
    assertThat(refused(lifecycle.activate("not a domain", false), KeyRefusal.Kind.USAGE).message())
        .contains("not a domain");
    assertThat(refused(lifecycle.check("localhost"), KeyRefusal.Kind.USAGE).message()).contains("two labels");
    assertThat(refused(lifecycle.rotate("-x.example", Optional.empty(), Optional.empty()), KeyRefusal.Kind.USAGE)
        .message()).contains("-x.example");
    assertThat(Files.exists(keys)).isFalse();
  }

  @Test
  void keysDirectoryThatIsAFile_isRefusedNamingThePathAndTheFix() throws Exception {
    Files.createDirectories(keys.getParent());
    Files.writeString(keys, "not a directory");

    KeyRefusal refusal = refused(lifecycle.generate("example.com", Optional.empty(), KeyAlgorithmChoice.ED25519),
        KeyRefusal.Kind.IO);

    assertThat(refusal.message()).isEqualTo("cannot create the key directory of example.com: " + keys + " is not a"
        + " directory; the keys directory (state-dir/keys) holds one directory per domain: move that file away, or"
        + " set state-dir to another place");
    assertThat(KeyDirectory.scan(keys).problems()).singleElement().asString().contains("is not a directory");
  }

  @Test
  void domainPathThatIsAFile_isRefused() throws Exception {
    Files.createDirectories(keys);
    Files.writeString(keys.resolve("example.com"), "x");

    KeyRefusal refusal = refused(lifecycle.generate("example.com", Optional.empty(), KeyAlgorithmChoice.ED25519),
        KeyRefusal.Kind.IO);

    assertThat(refusal.message()).contains(keys.resolve("example.com") + " is not a directory");
  }

  @Test
  void unreadableStateFile_isRefusedAndSignsNothing() throws Exception {
    handPlace("example.com", "hand", KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate());
    // a directory where the state file should be: reading it fails as an unreadable file does
    Files.createDirectories(keys.resolve("example.com/keys.state"));

    KeyRefusal refusal = refused(lifecycle.generate("example.com", Optional.empty(), KeyAlgorithmChoice.ED25519),
        KeyRefusal.Kind.IO);
    KeyDirectory directory = KeyDirectory.scan(keys);

    assertThat(refusal.message()).startsWith("cannot read " + keys.resolve("example.com/keys.state"));
    assertThat(directory.activeKeys("example.com")).as("unknown states: nothing signs").isEmpty();
    assertThat(directory.problems()).singleElement().asString()
        .contains("keys.state: cannot be read").contains("no key of example.com signs").contains("chmod 600");
  }

  @Test
  void damagedStateFile_isNotRewritten_soNoKeyStateIsLost() throws Exception {
    created(lifecycle.generate("example.com", Optional.empty(), KeyAlgorithmChoice.ED25519));
    Path state = keys.resolve("example.com/keys.state");
    Files.writeString(state, Files.readString(state) + "typo actve rsa-sha256 2048 2026-01-01T00:00:00Z - - - -\n");
    String before = Files.readString(state);

    KeyRefusal refusal = refused(lifecycle.generate("example.com", Optional.empty(), KeyAlgorithmChoice.RSA_2048),
        KeyRefusal.Kind.CONFLICT);

    assertThat(refusal.message()).contains("has lines postseal cannot read").contains("unknown state \"actve\"");
    assertThat(Files.readString(state)).isEqualTo(before);
  }

  @Test
  void rotation_needsAnActiveKey_andDualAlgorithmDomainsMustSayWhichToRotate() throws Exception {
    KeyRefusal none = refused(lifecycle.rotate("example.com", Optional.empty(), Optional.empty()),
        KeyRefusal.Kind.CONFLICT);
    handPlace("example.com", "r1", KeyPairGenerator.getInstance("RSA").generateKeyPair().getPrivate());
    handPlace("example.com", "e1", KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate());

    KeyRefusal ambiguous = refused(lifecycle.rotate("example.com", Optional.empty(), Optional.empty()),
        KeyRefusal.Kind.USAGE);

    assertThat(none.message()).isEqualTo("example.com has no active key to rotate; create its first key with:"
        + " postseal keygen example.com");
    assertThat(ambiguous.message()).contains("signs with e1 (ed25519) and r1 (rsa-2048)")
        .contains("--algorithm ed25519 or --algorithm rsa-2048");
  }

  @Test
  void handPlacedKeys_areRecordedOnTheFirstChange_andKeepSigning() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(3072);
    handPlace("example.com", "2025a", rsa.generateKeyPair().getPrivate());
    handPlace("example.com", "2025b", rsa.generateKeyPair().getPrivate());
    handPlace("example.com", "ed", KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate());
    KeyDirectory before = KeyDirectory.scan(keys);
    assertThat(before.hasStateFile("example.com")).isFalse();
    assertThat(before.activeKeys("example.com")).extracting(SigningKey::selector).containsExactly("2025b", "ed");

    KeygenResult.Created successor = created(lifecycle.rotate("example.com", Optional.of(KeyAlgorithmChoice.RSA_2048),
        Optional.empty()));
    KeyDirectory after = KeyDirectory.scan(keys);

    assertThat(successor.replaces().map(KeyEntry::selector)).contains("2025b");
    assertThat(successor.text()).contains("Once active it replaces 2025b");
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
    handPlace("example.com", "old", rsa.generateKeyPair().getPrivate());

    KeygenResult.Created successor = created(lifecycle.rotate("example.com", Optional.empty(), Optional.of("new")));

    assertThat(successor.key().algorithmLabel()).isEqualTo("rsa-3072");
    assertThat(successor.key().selector()).isEqualTo("new");
  }

  @Test
  void interruptedKeygen_leavesAPendingEntryThatNeverSigns_andTheNextKeygenCleansUp() throws Exception {
    Path dir = Files.createDirectories(keys.resolve("example.com"));
    KeyStateStore.write(dir, "example.com",
        List.of(KeyEntry.pending("s202611", DkimAlgorithm.RSA_SHA256, 2048, clock.instant())));
    KeyDirectory directory = KeyDirectory.scan(keys);
    assertThat(directory.activeKeys("example.com")).isEmpty();
    assertThat(directory.problems()).singleElement().asString().contains("s202611.pem: missing")
        .contains("interrupted keygen").contains("postseal keys delete example.com s202611");

    KeygenResult.Created created = created(lifecycle.generate("example.com", Optional.empty(),
        KeyAlgorithmChoice.RSA_2048));

    assertThat(created.key().selector()).isEqualTo("s202611");
    assertThat(created.notes()).singleElement().asString().contains("removed pending key s202611");
    assertThat(KeyDirectory.scan(keys).problems()).isEmpty();
  }

  @Test
  void activatingWhereThereIsNothingToActivate_isRefusedWithTheNextStep() {
    assertThat(refused(lifecycle.activate("example.com", false), KeyRefusal.Kind.CONFLICT).message())
        .isEqualTo("no keys for example.com in " + keys + "; create one with: postseal keygen example.com");
    KeygenResult.Created created = created(lifecycle.generate("example.com", Optional.empty(),
        KeyAlgorithmChoice.ED25519));
    assertThat(refused(lifecycle.activate("example.com", Optional.of("nope"), false), KeyRefusal.Kind.CONFLICT)
        .message()).contains("has no key nope");
    assertThat(lifecycle.delete("example.com", created.key().selector()).exitCode()).isZero();
    assertThat(refused(lifecycle.activate("example.com", false), KeyRefusal.Kind.CONFLICT).message())
        .contains("has no pending key to activate").contains("postseal keygen --rotate example.com");
  }

  @Test
  void keyFileWithGroupAccess_cannotBeActivated_andTheReasonSaysHowToFixIt() throws Exception {
    KeygenResult.Created created = created(lifecycle.generate("example.com", Optional.empty(),
        KeyAlgorithmChoice.ED25519));
    Files.setPosixFilePermissions(created.privateKeyFile(), PosixFilePermissions.fromString("rw-r-----"));

    ActivationResult result = lifecycle.activate("example.com", true);

    assertThat(result.exitCode()).isEqualTo(1);
    ActivationResult.Activation activation = ((ActivationResult.Activations) result).activations().get(0);
    assertThat(activation.outcome()).isEqualTo(ActivationResult.Outcome.UNUSABLE);
    assertThat(result.text()).contains("Not activating s202611").contains("chmod 600 " + created.privateKeyFile());
  }

  @Test
  void filesCreated_belongToTheOwnerOfTheKeysDirectory_soServeAcceptsKeysMadeWithSudo() throws Exception {
    Files.createDirectories(keys);
    try {
      // as root (sudo postseal keygen) the keys directory belongs to the service user; as anyone else it stays ours
      Files.setOwner(keys, keys.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
    } catch (java.io.IOException e) {
      // not root: every file is ours anyway, and the assertions below still hold
    }
    String owner = Files.getOwner(keys).getName();
    KeyLifecycle sudo = new KeyLifecycle(keys, DnsResolver.create(List.of(server.address()), Duration.ofSeconds(2),
        clock), clock, KeyLifecycle.DEFAULT_RETIRE_AFTER);

    KeygenResult.Created created = created(sudo.generate("example.com", Optional.empty(), KeyAlgorithmChoice.ED25519));

    Path dir = keys.resolve("example.com");
    for (Path p : List.of(dir, dir.resolve(".lock"), dir.resolve("keys.state"), created.privateKeyFile(),
        created.recordFile())) {
      assertThat(Files.getOwner(p).getName()).as(p.toString()).isEqualTo(owner);
    }
    assertThat(sudo.keyOwner()).isEqualTo(owner);
    KeyDirectory asServe = KeyDirectory.scan(keys, owner);
    assertThat(asServe.problems()).isEmpty();
    assertThat(asServe.key("example.com", created.key().selector())).isPresent();
    assertThat(sudo.list().rows()).singleElement().satisfies(r -> assertThat(r.dns()).isPresent());
  }
}
