package org.postseal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.dkim.DkimAlgorithm;
import org.postseal.dkim.SigningKey;
import org.postseal.testdata.TestData;

class KeyDirectoryTest {

  /** RFC 8463 Appendix A in dkim's test resources (dkim-rfc-vectors/SOURCE.txt), read through its test-jar. */
  private static final String RFC8463 = "dkim-rfc-vectors/rfc8463-appendix-a/";
  private static final byte[] DATA = "From: a@example.com\r\n".getBytes(StandardCharsets.US_ASCII);

  private static KeyPair rsa;
  private static KeyPair ed25519;

  @TempDir
  Path keys;

  @BeforeAll
  static void generateKeys() throws Exception {
    KeyPairGenerator rsaGenerator = KeyPairGenerator.getInstance("RSA");
    rsaGenerator.initialize(2048);
    rsa = rsaGenerator.generateKeyPair();
    ed25519 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
  }

  private static String pem(String label, byte[] der) {
    String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + label + "-----\n" + base64 + "\n-----END " + label + "-----\n";
  }

  private static String pkcs8(PrivateKey key) {
    return pem("PRIVATE KEY", key.getEncoded());
  }

  /** PKCS#8 -> PKCS#1 the way "openssl rsa -traditional" does: the RSAPrivateKey inside PrivateKeyInfo. */
  private static String pkcs1(PrivateKey key) throws Exception {
    byte[] der = PrivateKeyInfo.getInstance(key.getEncoded()).parsePrivateKey().toASN1Primitive().getEncoded();
    return pem("RSA PRIVATE KEY", der);
  }

  private Path write(String domain, String selector, String text) throws Exception {
    return write(domain, selector, text, "rw-------");
  }

  private Path write(String domain, String selector, String text, String mode) throws Exception {
    Path dir = Files.createDirectories(keys.resolve(domain));
    Path file = dir.resolve(selector + ".pem");
    // a read-only file cannot be rewritten (unless by root): replace it
    Files.deleteIfExists(file);
    Files.writeString(file, text, StandardCharsets.US_ASCII);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    return file;
  }

  private static boolean verifies(String algorithm, PrivateKey privateKey, PublicKey publicKey) throws Exception {
    Signature signer = Signature.getInstance(algorithm);
    signer.initSign(privateKey);
    signer.update(DATA);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(algorithm);
    verifier.initVerify(publicKey);
    verifier.update(DATA);
    return verifier.verify(signature);
  }

  @Test
  void missingKeysDirectory_meansNoKeysAndNoProblems() {
    KeyDirectory directory = KeyDirectory.scan(keys.resolve("absent"));

    assertThat(directory.domains()).isEmpty();
    assertThat(directory.activeKeys("example.com")).isEmpty();
    assertThat(directory.problems()).isEmpty();
  }

  @Test
  void pkcs8RsaKey_signsAsRsaSha256() throws Exception {
    write("example.com", "s2025", pkcs8(rsa.getPrivate()));

    KeyDirectory directory = KeyDirectory.scan(keys);

    assertThat(directory.problems()).isEmpty();
    List<SigningKey> active = directory.activeKeys("example.com");
    assertThat(active).hasSize(1);
    SigningKey key = active.get(0);
    assertThat(key.domain()).isEqualTo("example.com");
    assertThat(key.selector()).isEqualTo("s2025");
    assertThat(key.algorithm()).isEqualTo(DkimAlgorithm.RSA_SHA256);
    assertThat(key.privateKey().getEncoded()).isEqualTo(rsa.getPrivate().getEncoded());
    assertThat(verifies("SHA256withRSA", key.privateKey(), rsa.getPublic())).isTrue();
  }

  @Test
  void pkcs8Ed25519Key_signsAsEd25519Sha256() throws Exception {
    write("example.com", "ed", pkcs8(ed25519.getPrivate()));

    SigningKey key = KeyDirectory.scan(keys).activeKeys("example.com").get(0);

    assertThat(key.algorithm()).isEqualTo(DkimAlgorithm.ED25519_SHA256);
    assertThat(verifies("Ed25519", key.privateKey(), ed25519.getPublic())).isTrue();
  }

  @Test
  void pkcs1RsaKey_isTheSameKeyAsItsPkcs8Form() throws Exception {
    write("example.com", "legacy", pkcs1(rsa.getPrivate()));

    KeyDirectory directory = KeyDirectory.scan(keys);

    assertThat(directory.problems()).isEmpty();
    SigningKey key = directory.activeKeys("example.com").get(0);
    RSAPrivateCrtKey loaded = (RSAPrivateCrtKey) key.privateKey();
    RSAPrivateCrtKey original = (RSAPrivateCrtKey) rsa.getPrivate();
    assertThat(loaded.getModulus()).isEqualTo(original.getModulus());
    assertThat(loaded.getPrivateExponent()).isEqualTo(original.getPrivateExponent());
    assertThat(loaded.getCrtCoefficient()).isEqualTo(original.getCrtCoefficient());
    assertThat(verifies("SHA256withRSA", key.privateKey(), rsa.getPublic())).isTrue();
  }

  @Test
  void pemWithCrlfLineEnds_isRead() throws Exception {
    write("example.com", "crlf", pkcs8(ed25519.getPrivate()).replace("\n", "\r\n"));

    assertThat(KeyDirectory.scan(keys).activeKeys("example.com")).hasSize(1);
  }

  @Test
  void rfc8463Keys_matchTheirPublishedDnsRecords() throws Exception {
    // RSA: the RFC's PKCS#1 file as published; Ed25519: the RFC's raw seed wrapped in PKCS#8 (RFC 8410)
    write("football.example.com", "test", TestData.text(RFC8463 + "rsa-private.pem"));
    byte[] seed = Base64.getDecoder().decode(TestData.text(RFC8463 + "ed25519-private-seed.b64").strip());
    byte[] pkcs8 = concat(HexFormat.of().parseHex("302e020100300506032b657004220420"), seed);
    write("football.example.com", "brisbane", pem("PRIVATE KEY", pkcs8));

    KeyDirectory directory = KeyDirectory.scan(keys);

    assertThat(directory.problems()).isEmpty();
    List<SigningKey> active = directory.activeKeys("football.example.com");
    assertThat(active).extracting(SigningKey::selector).containsExactly("test", "brisbane");
    PublicKey rsaPublic = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(
        Base64.getDecoder().decode(publishedKey("test._domainkey.football.example.com"))));
    byte[] edRaw = Base64.getDecoder().decode(publishedKey("brisbane._domainkey.football.example.com"));
    PublicKey edPublic = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(
        concat(HexFormat.of().parseHex("302a300506032b6570032100"), edRaw)));
    assertThat(verifies("SHA256withRSA", active.get(0).privateKey(), rsaPublic)).isTrue();
    assertThat(verifies("Ed25519", active.get(1).privateKey(), edPublic)).isTrue();
  }

  private static String publishedKey(String name) throws Exception {
    for (String line : TestData.lines(RFC8463 + "dns.txt")) {
      if (line.startsWith(name + " ")) {
        return line.substring(line.indexOf("p=") + 2).strip();
      }
    }
    throw new AssertionError("no record for " + name);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void groupReadableKey_isRefusedWithTheChmodFix() throws Exception {
    Path file = write("example.com", "s1", pkcs8(rsa.getPrivate()), "rw-r-----");

    KeyDirectory directory = KeyDirectory.scan(keys);

    assertThat(directory.activeKeys("example.com")).isEmpty();
    assertThat(directory.domains()).isEmpty();
    assertThat(directory.problems()).singleElement().asString()
        .startsWith(file.toString())
        .contains("0640")
        .contains("chmod 600 " + file);
  }

  @Test
  void anyOtherPermissionBit_isRefused() throws Exception {
    for (String mode : List.of("rw----r--", "rw-----w-", "rw---x---", "rwx-----x", "rw-rw-rw-")) {
      write("example.com", "s1", pkcs8(rsa.getPrivate()), mode);

      assertThat(KeyDirectory.scan(keys).activeKeys("example.com")).as(mode).isEmpty();
    }
  }

  @Test
  void ownerOnlyModes_areAccepted() throws Exception {
    for (String mode : List.of("r--------", "rw-------")) {
      write("example.com", "s1", pkcs8(rsa.getPrivate()), mode);

      assertThat(KeyDirectory.scan(keys).activeKeys("example.com")).as(mode).hasSize(1);
    }
  }

  @Test
  void keyOwnedBySomeoneElse_isRefusedWithTheChownFix() throws Exception {
    Path file = write("example.com", "s1", pkcs8(rsa.getPrivate()));
    String owner = Files.getOwner(file).getName();

    KeyDirectory directory = KeyDirectory.scan(keys, "postseal-test");

    assertThat(directory.activeKeys("example.com")).isEmpty();
    assertThat(directory.problems()).singleElement().asString()
        .startsWith(file.toString())
        .contains("owned by " + owner)
        .contains("chown postseal-test " + file);
  }

  @Test
  void severalKeysOfOneAlgorithm_theGreatestSelectorSignsAndTheOthersAreNamed() throws Exception {
    write("example.com", "2024a", pkcs8(rsa.getPrivate()));
    write("example.com", "2025b", pkcs1(rsa.getPrivate()));
    write("example.com", "2025a", pkcs8(rsa.getPrivate()));
    write("example.com", "ed2024", pkcs8(ed25519.getPrivate()));

    KeyDirectory directory = KeyDirectory.scan(keys);

    assertThat(directory.activeKeys("example.com"))
        .extracting(SigningKey::selector, SigningKey::algorithm)
        .containsExactly(
            tuple("2025b", DkimAlgorithm.RSA_SHA256),
            tuple("ed2024", DkimAlgorithm.ED25519_SHA256));
    assertThat(directory.problems()).singleElement().asString()
        .contains("example.com")
        .contains("2025b")
        .contains("the greatest selector DNS serves signs (2025b, then 2025a, 2024a)");
    assertThat(directory.candidates("example.com")).extracting(SigningKey::selector)
        .containsExactly("2025b", "2025a", "2024a", "ed2024");
    assertThat(directory.keys()).extracting(SigningKey::selector)
        .containsExactly("2024a", "2025a", "2025b", "ed2024");
  }

  @Test
  void domains_compareLowerCase() throws Exception {
    write("Example.COM", "s1", pkcs8(ed25519.getPrivate()));
    write("other.example", "s1", pkcs8(ed25519.getPrivate()));

    KeyDirectory directory = KeyDirectory.scan(keys);

    assertThat(directory.domains()).containsExactly("example.com", "other.example");
    assertThat(directory.activeKeys("EXAMPLE.com")).hasSize(1);
    assertThat(directory.activeKeys("example.com.")).hasSize(1);
    assertThat(directory.activeKeys("example.com").get(0).domain()).isEqualTo("example.com");
    assertThat(directory.activeKeys("example.org")).isEmpty();
  }

  @Test
  void unparsableFile_namesTheFileAndWhatWasExpected() throws Exception {
    Path file = write("example.com", "s1", "this is not a key, SECRETSECRET\n");

    KeyDirectory directory = KeyDirectory.scan(keys);

    assertThat(directory.problems()).singleElement().asString()
        .startsWith(file.toString())
        .contains("-----BEGIN PRIVATE KEY-----")
        .contains("-----BEGIN RSA PRIVATE KEY-----")
        .doesNotContain("SECRETSECRET");
  }

  @Test
  void badFiles_eachGetTheirOwnReason() throws Exception {
    String good = pkcs8(rsa.getPrivate());
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(256);
    KeyPairGenerator small = KeyPairGenerator.getInstance("RSA");
    small.initialize(512);
    write("example.com", "a-encrypted", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n");
    write("example.com", "b-proctype", "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
        + "DEK-Info: AES-128-CBC,00\n\nMIIB\n-----END RSA PRIVATE KEY-----\n");
    write("example.com", "c-ec", pkcs8(ec.generateKeyPair().getPrivate()));
    write("example.com", "d-small", pkcs8(small.generateKeyPair().getPrivate()));
    write("example.com", "e-cut", good.substring(0, good.length() / 2));
    write("example.com", "f-base64", good.replace("MII", "M*I"));
    write("example.com", "g-der", pem("PRIVATE KEY", new byte[] {1, 2, 3, 4}));
    write("example.com", "h-pkcs1der", pem("RSA PRIVATE KEY", new byte[] {0x30, 0x03, 0x02, 0x01, 0x00}));
    write("example.com", "i-ssh", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbg==\n-----END OPENSSH PRIVATE KEY-----\n");
    write("example.com", "z-good", good);

    KeyDirectory directory = KeyDirectory.scan(keys);

    assertThat(directory.activeKeys("example.com")).extracting(SigningKey::selector).containsExactly("z-good");
    assertThat(directory.problems()).hasSize(9);
    assertThat(directory.problems().get(0)).contains("a-encrypted.pem").contains("encrypted");
    assertThat(directory.problems().get(1)).contains("b-proctype.pem").contains("encrypted");
    assertThat(directory.problems().get(2)).contains("c-ec.pem").contains("EC (ECDSA)");
    assertThat(directory.problems().get(3)).contains("d-small.pem").contains("512 bits").contains("1024");
    assertThat(directory.problems().get(4)).contains("e-cut.pem").contains("no END line");
    assertThat(directory.problems().get(5)).contains("f-base64.pem").contains("base64");
    assertThat(directory.problems().get(6)).contains("g-der.pem").contains("PKCS#8");
    assertThat(directory.problems().get(7)).contains("h-pkcs1der.pem").contains("PKCS#1");
    assertThat(directory.problems().get(8)).contains("i-ssh.pem").contains("OPENSSH PRIVATE KEY");
  }

  @Test
  void otherFilesAreIgnoredAndBadNamesReported() throws Exception {
    write("example.com", "s1", pkcs8(rsa.getPrivate()));
    Files.writeString(keys.resolve("example.com/s1.txt"), "s1._domainkey IN TXT \"v=DKIM1; ...\"");
    Files.writeString(keys.resolve("README"), "keys live here");
    Path badSelector = write("example.com", "bad selector", pkcs8(rsa.getPrivate()));
    Path badDomain = Files.createDirectories(keys.resolve("not a domain"));
    Files.createDirectories(keys.resolve("example.com/dir.pem"));

    KeyDirectory directory = KeyDirectory.scan(keys);

    assertThat(directory.activeKeys("example.com")).extracting(SigningKey::selector).containsExactly("s1");
    assertThat(directory.problems()).hasSize(3);
    assertThat(directory.problems()).anySatisfy(p -> assertThat(p).startsWith(badSelector.toString())
        .contains("selector"));
    assertThat(directory.problems()).anySatisfy(p -> assertThat(p).startsWith(badDomain.toString())
        .contains("domain"));
    assertThat(directory.problems()).anySatisfy(p -> assertThat(p).contains("dir.pem")
        .contains("not a regular file"));
  }

  @Test
  void keysPathThatIsAFile_isAProblem() throws Exception {
    Path file = Files.writeString(keys.resolve("keys"), "x");

    KeyDirectory directory = KeyDirectory.scan(file);

    assertThat(directory.problems()).singleElement().asString().startsWith(file.toString());
  }

  @Test
  void keyMaterial_isNeverInTextOutput() throws Exception {
    write("example.com", "s1", pkcs8(rsa.getPrivate()));
    write("example.com", "ed", pkcs8(ed25519.getPrivate()));
    write("example.com", "s0", pkcs8(rsa.getPrivate()));

    KeyDirectory directory = KeyDirectory.scan(keys);
    String text = directory + String.join("\n", directory.problems()) + directory.keys();

    RSAPrivateCrtKey key = (RSAPrivateCrtKey) rsa.getPrivate();
    String pkcs8Base64 = Base64.getEncoder().encodeToString(rsa.getPrivate().getEncoded());
    String edBase64 = Base64.getEncoder().encodeToString(ed25519.getPrivate().getEncoded());
    assertThat(text).doesNotContain(pkcs8Base64.substring(40, 80))
        .doesNotContain(edBase64.substring(edBase64.length() - 20))
        .doesNotContain(key.getPrivateExponent().toString().substring(0, 30))
        .doesNotContain(key.getPrivateExponent().toString(16).substring(0, 30))
        .doesNotContain(key.getModulus().toString().substring(0, 30));
    assertThat(directory.toString()).contains("3 keys").contains("1 domains");
    assertThat(Set.copyOf(directory.keys())).hasSize(3);
  }

  private void state(String domain, KeyEntry... entries) throws Exception {
    KeyStateStore.write(keys.resolve(domain), domain, List.of(entries));
  }

  private static final java.time.Instant T0 = java.time.Instant.parse("2026-10-01T09:00:00Z");
  private static final java.time.Instant T1 = java.time.Instant.parse("2026-11-01T09:00:00Z");

  private static KeyEntry entry(String selector, DkimAlgorithm algorithm, KeyState state) {
    KeyEntry pending = KeyEntry.pending(selector, algorithm, algorithm == DkimAlgorithm.RSA_SHA256 ? 2048 : 256, T0);
    return switch (state) {
      case PENDING -> pending;
      case ACTIVE -> pending.activate(T1);
      case RETIRED -> pending.activate(T0).retire(T1);
      case REVOKED -> pending.activate(T0).retire(T0).revoke(T1);
      case DELETED -> pending.activate(T0).retire(T0).revoke(T0).delete(T1);
    };
  }

  @Test
  void withAStateFile_onlyItsActiveKeysSign() throws Exception {
    write("example.com", "p", pkcs8(rsa.getPrivate()));
    write("example.com", "a", pkcs8(rsa.getPrivate()));
    write("example.com", "r", pkcs8(rsa.getPrivate()));
    write("example.com", "v", pkcs8(rsa.getPrivate()));
    write("example.com", "zz", pkcs8(rsa.getPrivate()));
    state("example.com", entry("p", DkimAlgorithm.RSA_SHA256, KeyState.PENDING),
        entry("a", DkimAlgorithm.RSA_SHA256, KeyState.ACTIVE),
        entry("r", DkimAlgorithm.RSA_SHA256, KeyState.RETIRED),
        entry("v", DkimAlgorithm.RSA_SHA256, KeyState.REVOKED),
        entry("zz", DkimAlgorithm.RSA_SHA256, KeyState.PENDING),
        entry("gone", DkimAlgorithm.RSA_SHA256, KeyState.DELETED));

    KeyDirectory directory = KeyDirectory.scan(keys);

    assertThat(directory.problems()).isEmpty();
    assertThat(directory.hasStateFile("example.com")).isTrue();
    assertThat(directory.activeKeys("example.com")).extracting(SigningKey::selector)
        .as("not the greatest selector, the active one").containsExactly("a");
    assertThat(directory.entries("example.com")).extracting(KeyEntry::selector, KeyEntry::state).containsExactly(
        tuple("a", KeyState.ACTIVE), tuple("gone", KeyState.DELETED), tuple("p", KeyState.PENDING),
        tuple("r", KeyState.RETIRED), tuple("v", KeyState.REVOKED), tuple("zz", KeyState.PENDING));
    assertThat(directory.key("example.com", "r")).isPresent();
    assertThat(directory.keys()).hasSize(5);
  }

  @Test
  void withoutAStateFile_handPlacedKeysAreListedAsTheyAreUsed() throws Exception {
    write("example.com", "2024a", pkcs8(rsa.getPrivate()));
    write("example.com", "2025a", pkcs8(rsa.getPrivate()));
    write("example.com", "ed", pkcs8(ed25519.getPrivate()));

    KeyDirectory directory = KeyDirectory.scan(keys);

    assertThat(directory.hasStateFile("example.com")).isFalse();
    assertThat(directory.entries("example.com")).extracting(KeyEntry::selector, KeyEntry::state, KeyEntry::bits)
        .containsExactly(tuple("2024a", KeyState.RETIRED, 2048), tuple("2025a", KeyState.ACTIVE, 2048),
            tuple("ed", KeyState.ACTIVE, 256));
  }

  @Test
  void keyFileMissingFromTheStateFile_doesNotSignAndIsNamedWithTheWayToAdoptIt() throws Exception {
    write("example.com", "a", pkcs8(rsa.getPrivate()));
    Path stray = write("example.com", "copied", pkcs8(ed25519.getPrivate()));
    state("example.com", entry("a", DkimAlgorithm.RSA_SHA256, KeyState.ACTIVE));

    KeyDirectory directory = KeyDirectory.scan(keys);

    assertThat(directory.activeKeys("example.com")).extracting(SigningKey::selector).containsExactly("a");
    assertThat(directory.problems()).singleElement().asString().startsWith(stray.toString())
        .contains("not listed in keys.state").contains("postseal keys import example.com copied FILE");
  }

  @Test
  void activeKeyWithoutFile_isNamedAndNothingSignsForIt() throws Exception {
    Files.createDirectories(keys.resolve("example.com"));
    state("example.com", entry("a", DkimAlgorithm.RSA_SHA256, KeyState.ACTIVE));

    KeyDirectory directory = KeyDirectory.scan(keys);

    assertThat(directory.activeKeys("example.com")).isEmpty();
    assertThat(directory.problems()).singleElement().asString().contains("a.pem: missing")
        .contains("lists a as active").contains("restore the file");
  }

  @Test
  void twoActiveKeysOfOneAlgorithm_theLaterActivatedSignsAndTheOtherIsNamed() throws Exception {
    write("example.com", "a", pkcs8(rsa.getPrivate()));
    write("example.com", "b", pkcs8(rsa.getPrivate()));
    KeyEntry earlier = KeyEntry.pending("b", DkimAlgorithm.RSA_SHA256, 2048, T0).activate(T0);
    state("example.com", entry("a", DkimAlgorithm.RSA_SHA256, KeyState.ACTIVE), earlier);

    KeyDirectory directory = KeyDirectory.scan(keys);

    assertThat(directory.activeKeys("example.com")).extracting(SigningKey::selector).containsExactly("a");
    assertThat(directory.problems()).singleElement().asString().contains("two active rsa-sha256 keys")
        .contains("signing with the later activated a, not b");
  }

  @Test
  void stateThatDisagreesWithTheKeyFile_doesNotSign() throws Exception {
    write("example.com", "a", pkcs8(ed25519.getPrivate()));
    state("example.com", entry("a", DkimAlgorithm.RSA_SHA256, KeyState.ACTIVE));

    KeyDirectory directory = KeyDirectory.scan(keys);

    assertThat(directory.activeKeys("example.com")).isEmpty();
    assertThat(directory.problems()).singleElement().asString().contains("holds an ed25519-sha256 key");
  }

  @Test
  void temporaryFilesOfInterruptedWrites_areNeverRead() throws Exception {
    write("example.com", "a", pkcs8(rsa.getPrivate()));
    state("example.com", entry("a", DkimAlgorithm.RSA_SHA256, KeyState.ACTIVE));
    Files.writeString(keys.resolve("example.com/.keys.state.123.tmp"), "# half a state\nversion 1\nb act");
    Path halfKey = keys.resolve("example.com/.b.pem.456.tmp");
    Files.writeString(halfKey, pkcs8(rsa.getPrivate()).substring(0, 100));
    Files.setPosixFilePermissions(halfKey, PosixFilePermissions.fromString("rw-------"));

    KeyDirectory directory = KeyDirectory.scan(keys);

    assertThat(directory.problems()).isEmpty();
    assertThat(directory.entries("example.com")).extracting(KeyEntry::selector).containsExactly("a");
    assertThat(directory.activeKeys("example.com")).extracting(SigningKey::selector).containsExactly("a");
  }

  @Test
  void isOutdated_turnsTrueWhenAKeyOrStateFileChanges() throws Exception {
    Path file = write("example.com", "a", pkcs8(rsa.getPrivate()));
    KeyDirectory first = KeyDirectory.scan(keys);
    assertThat(first.isOutdated()).isFalse();

    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));
    assertThat(first.isOutdated()).as("mode changed").isTrue();

    KeyDirectory second = KeyDirectory.scan(keys);
    state("example.com", entry("a", DkimAlgorithm.RSA_SHA256, KeyState.RETIRED));
    assertThat(second.isOutdated()).as("state file written").isTrue();
    assertThat(KeyDirectory.scan(keys).activeKeys("example.com")).isEmpty();
  }
}
