package org.postseal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postseal.keys.KeyStoreFixtures.created;
import static org.postseal.keys.KeyStoreFixtures.handPlace;
import static org.postseal.keys.KeyStoreFixtures.refused;

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
import org.postseal.dns.DnsResolver;
import org.postseal.dns.FakeDnsServer;
import org.postseal.dns.SettableClock;

/** Keygen: the files it writes, the selectors it picks, and what it refuses; rotation is in {@link KeyRotationTest}. */
class KeygenTest {

  private static final byte[] DATA = "From: a@example.com\r\n".getBytes(StandardCharsets.US_ASCII);

  private static FakeDnsServer server;

  @TempDir
  Path root;

  private Path keys;
  private SettableClock clock;
  private SigningKeyStore store;
  private Keygen keygen;

  @BeforeAll
  static void startDns() {
    server = FakeDnsServer.start();
  }

  @AfterAll
  static void stopDns() {
    server.close();
  }

  @BeforeEach
  void createStore() {
    keys = root.resolve("state/keys");
    clock = new SettableClock(Instant.parse("2026-11-15T10:00:00Z"));
    store = new SigningKeyStore(keys, clock, Duration.ofDays(7));
    keygen = new Keygen(store);
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

  @ParameterizedTest
  @EnumSource(KeyAlgorithmChoice.class)
  void keygen_writesAPrivatePkcs8KeyAndTheRecordOfItsPublicKey(KeyAlgorithmChoice choice) throws Exception {
    KeygenResult.Created created = created(keygen.generate("Example.COM.", Optional.empty(), choice));

    Path dir = keys.resolve("example.com");
    assertThat(created.domain()).isEqualTo("example.com");
    assertThat(created.key().selector()).isEqualTo("s202611");
    assertThat(created.key().state()).isEqualTo(KeyState.PENDING);
    assertThat(created.key().created()).isEqualTo(clock.instant());
    assertThat(created.key().bits()).isEqualTo(choice.bits());
    assertThat(created.key().algorithmLabel()).isEqualTo(choice.label());
    assertThat(created.replaces()).isEmpty();
    assertThat(created.notes()).isEmpty();
    assertThat(created.privateKeyFile()).isEqualTo(dir.resolve("s202611.pem"));
    assertThat(created.recordFile()).isEqualTo(dir.resolve("s202611.txt"));
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
    assertThat(created.record().name()).isEqualTo("s202611._domainkey.example.com");
    assertThat(created.record().characterStrings()).allSatisfy(s -> assertThat(s.length()).isLessThanOrEqualTo(255));
    assertThat(Files.readString(created.recordFile())).isEqualTo(created.record().zoneText() + "\n");
    assertThat(Files.getPosixFilePermissions(created.recordFile()))
        .isEqualTo(PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(namesIn(dir)).containsExactly(".lock", "keys.state", "s202611.pem", "s202611.txt");

    KeyDirectory directory = KeyDirectory.scan(keys);
    assertThat(directory.problems()).isEmpty();
    assertThat(directory.activeKeys("example.com")).as("a pending key never signs").isEmpty();
    assertThat(directory.entries("example.com")).containsExactly(created.key());
    assertThat(directory.key("example.com", "s202611")).isPresent();
  }

  @Test
  void defaultSelector_isDatedAndSkipsEveryTakenName() throws Exception {
    KeyDeletion deletion = new KeyDeletion(store);
    KeygenResult.Created rsa = created(keygen.generate("example.com", Optional.empty(), KeyAlgorithmChoice.RSA_2048));
    KeygenResult.Created ed = created(keygen.generate("example.com", Optional.empty(), KeyAlgorithmChoice.ED25519));
    Files.writeString(keys.resolve("example.com/s202611c.txt"), "a record someone left here");
    assertThat(deletion.delete("example.com", "s202611")).isInstanceOf(KeyUpdateResult.Updated.class);

    KeygenResult.Created next = created(keygen.generate("example.com", Optional.empty(), KeyAlgorithmChoice.RSA_2048));

    assertThat(rsa.key().selector()).isEqualTo("s202611");
    assertThat(ed.key().selector()).isEqualTo("s202611b");
    assertThat(next.key().selector()).as("deleted selectors are never reused").isEqualTo("s202611d");
    clock.advance(Duration.ofDays(30));
    assertThat(deletion.delete("example.com", "s202611b")).isInstanceOf(KeyUpdateResult.Updated.class);
    KeygenResult.Created december = created(keygen.generate("example.com", Optional.empty(),
        KeyAlgorithmChoice.ED25519));
    assertThat(december.key().selector()).isEqualTo("s202612");
  }

  @Test
  void existingSelector_isRefusedAndTheKeyIsNotTouched() throws Exception {
    KeygenResult.Created first = created(keygen.generate("example.com", Optional.of("Mail"),
        KeyAlgorithmChoice.ED25519));
    String pem = Files.readString(first.privateKeyFile());

    KeyRefusal again = refused(keygen.generate("example.com", Optional.of("mail"), KeyAlgorithmChoice.RSA_2048),
        KeyRefusal.Kind.CONFLICT);

    assertThat(first.key().selector()).isEqualTo("mail");
    assertThat(again.message()).isEqualTo("selector mail already exists for example.com (a pending key); a key"
        + " is never overwritten: choose another --selector, or leave it out for a new dated one");
    assertThat(Files.readString(first.privateKeyFile())).isEqualTo(pem);
    assertThat(KeyDirectory.scan(keys).entries("example.com")).hasSize(1);
  }

  @Test
  void handPlacedKeyFile_isNeverOverwritten() throws Exception {
    handPlace(keys, "example.com", "hand", KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate());
    String before = Files.readString(keys.resolve("example.com/hand.pem"));

    KeyRefusal refusal = refused(keygen.generate("example.com", Optional.of("hand"), KeyAlgorithmChoice.RSA_2048),
        KeyRefusal.Kind.CONFLICT);

    assertThat(refusal.message()).contains("selector hand already exists").contains("(an active key)");
    assertThat(Files.readString(keys.resolve("example.com/hand.pem"))).isEqualTo(before);
    assertThat(Files.exists(keys.resolve("example.com/keys.state"))).isFalse();
  }

  @Test
  void secondPendingKeyOfOneAlgorithm_isRefusedNamingTheFirstAndTheWayOut() {
    created(keygen.generate("example.com", Optional.empty(), KeyAlgorithmChoice.RSA_2048));

    KeyRefusal refusal = refused(keygen.generate("example.com", Optional.empty(), KeyAlgorithmChoice.RSA_4096),
        KeyRefusal.Kind.CONFLICT);

    assertThat(refusal.message())
        .contains("example.com already has a pending rsa key, s202611, waiting for DNS")
        .contains(keys.resolve("example.com/s202611.txt").toString())
        .contains("postseal keys activate example.com")
        .contains("postseal keys delete example.com s202611");
  }

  @Test
  void invalidDomainOrSelector_isAUsageErrorAndCreatesNothing() {
    KeyRefusal domain = refused(keygen.generate("exa_mple.com", Optional.empty(), KeyAlgorithmChoice.RSA_2048),
        KeyRefusal.Kind.USAGE);
    KeyRefusal selector = refused(keygen.generate("example.com", Optional.of("bad_sel"), KeyAlgorithmChoice.ED25519),
        KeyRefusal.Kind.USAGE);

    assertThat(domain.message()).startsWith("invalid domain \"exa_mple.com\"").contains("e.g. example.com");
    assertThat(selector.message()).startsWith("invalid selector \"bad_sel\"").contains("RFC 6376");
    assertThat(Files.exists(keys)).isFalse();
  }

  @Test
  void keysDirectoryThatIsAFile_isRefusedNamingThePathAndTheFix() throws Exception {
    Files.createDirectories(keys.getParent());
    Files.writeString(keys, "not a directory");

    KeyRefusal refusal = refused(keygen.generate("example.com", Optional.empty(), KeyAlgorithmChoice.ED25519),
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

    KeyRefusal refusal = refused(keygen.generate("example.com", Optional.empty(), KeyAlgorithmChoice.ED25519),
        KeyRefusal.Kind.IO);

    assertThat(refusal.message()).contains(keys.resolve("example.com") + " is not a directory");
  }

  @Test
  void unreadableStateFile_isRefusedAndSignsNothing() throws Exception {
    handPlace(keys, "example.com", "hand", KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate());
    // a directory where the state file should be: reading it fails as an unreadable file does
    Files.createDirectories(keys.resolve("example.com/keys.state"));

    KeyRefusal refusal = refused(keygen.generate("example.com", Optional.empty(), KeyAlgorithmChoice.ED25519),
        KeyRefusal.Kind.IO);
    KeyDirectory directory = KeyDirectory.scan(keys);

    assertThat(refusal.message()).startsWith("cannot read " + keys.resolve("example.com/keys.state"));
    assertThat(directory.activeKeys("example.com")).as("unknown states: nothing signs").isEmpty();
    assertThat(directory.problems()).singleElement().asString()
        .contains("keys.state: cannot be read: it is a directory").contains("no key of example.com signs")
        .doesNotContain("chmod").doesNotContain("chown");
  }

  @Test
  void damagedStateFile_isNotRewritten_soNoKeyStateIsLost() throws Exception {
    created(keygen.generate("example.com", Optional.empty(), KeyAlgorithmChoice.ED25519));
    Path state = keys.resolve("example.com/keys.state");
    Files.writeString(state, Files.readString(state) + "typo actve rsa-sha256 2048 2026-01-01T00:00:00Z - - - -\n");
    String before = Files.readString(state);

    KeyRefusal refusal = refused(keygen.generate("example.com", Optional.empty(), KeyAlgorithmChoice.RSA_2048),
        KeyRefusal.Kind.CONFLICT);

    assertThat(refusal.message()).contains("has lines postseal cannot read").contains("unknown state \"actve\"");
    assertThat(Files.readString(state)).isEqualTo(before);
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

    KeygenResult.Created created = created(keygen.generate("example.com", Optional.empty(),
        KeyAlgorithmChoice.RSA_2048));

    assertThat(created.key().selector()).isEqualTo("s202611");
    assertThat(created.notes()).singleElement().asString().contains("removed pending key s202611");
    assertThat(KeyDirectory.scan(keys).problems()).isEmpty();
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
    SigningKeyStore sudo = new SigningKeyStore(keys, clock, Duration.ofDays(7));

    KeygenResult.Created created = created(new Keygen(sudo).generate("example.com", Optional.empty(),
        KeyAlgorithmChoice.ED25519));

    Path dir = keys.resolve("example.com");
    for (Path p : List.of(dir, dir.resolve(".lock"), dir.resolve("keys.state"), created.privateKeyFile(),
        created.recordFile())) {
      assertThat(Files.getOwner(p).getName()).as(p.toString()).isEqualTo(owner);
    }
    assertThat(sudo.keyOwner()).isEqualTo(owner);
    KeyDirectory asServe = KeyDirectory.scan(keys, owner);
    assertThat(asServe.problems()).isEmpty();
    assertThat(asServe.key("example.com", created.key().selector())).isPresent();
    DnsResolver resolver = DnsResolver.create(List.of(server.address()), Duration.ofSeconds(2), clock);
    assertThat(new KeyInventory(sudo, resolver).list().rows()).singleElement()
        .satisfies(r -> assertThat(r.dns()).isPresent());
  }
}
