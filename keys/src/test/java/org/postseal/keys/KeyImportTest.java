package org.postseal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postseal.keys.KeyStoreFixtures.activeSelectors;
import static org.postseal.keys.KeyStoreFixtures.created;
import static org.postseal.keys.KeyStoreFixtures.refused;
import static org.postseal.keys.KeyStoreFixtures.verifiesThroughDns;

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
import org.postseal.testdata.TestData;

/** keys import, as an OpenDKIM user migrates: the key is copied in safely and signs at once when DNS serves it. */
class KeyImportTest {

  /** RFC 8463 Appendix A in dkim's test resources (dkim-rfc-vectors/SOURCE.txt), read through its test-jar. */
  private static final String RFC8463 = "dkim-rfc-vectors/rfc8463-appendix-a/";

  @TempDir
  Path root;

  private TestKeyStore test;
  private Path keys;
  private KeyImport keyImport;

  @BeforeEach
  void start() {
    test = TestKeyStore.start(root.resolve("keys"), Duration.ofDays(7));
    keys = test.keys();
    keyImport = new KeyImport(test.store(), test.resolver());
  }

  @AfterEach
  void stop() {
    test.close();
  }

  private static String rfcRecord(String name) {
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
    test.dns().load(rfcRecord("test._domainkey.football.example.com"));
    Path source = root.resolve("opendkim-test.private");
    Files.write(source, TestData.bytes(RFC8463 + "rsa-private.pem"));

    KeygenResult result = keyImport.importKey("football.example.com", "test", source);

    assertThat(result).as("%s", result).isInstanceOf(KeygenResult.Imported.class);
    KeygenResult.Imported imported = (KeygenResult.Imported) result;
    assertThat(imported.domain()).isEqualTo("football.example.com");
    assertThat(imported.source()).isEqualTo(source);
    assertThat(imported.key().state()).isEqualTo(KeyState.ACTIVE);
    assertThat(imported.key().algorithmLabel()).isEqualTo("rsa-1024");
    assertThat(imported.dns().isMatch()).isTrue();
    assertThat(imported.retired()).isEmpty();
    assertThat(Files.readString(imported.privateKeyFile())).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(Files.getPosixFilePermissions(imported.privateKeyFile()))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.readString(source)).as("the source is left alone").startsWith("-----BEGIN RSA PRIVATE KEY-----");
    assertThat(activeSelectors(keys, "football.example.com")).containsExactly("test");
    assertThat(verifiesThroughDns(test.resolver(), KeyDirectory.scan(keys).activeKeys("football.example.com").get(0))).isTrue();

    KeygenResult.Created successor = created(new KeyRotation(test.store()).rotate("football.example.com", Optional.empty(),
        Optional.empty()));
    assertThat(successor.key().algorithmLabel()).isEqualTo("rsa-2048");
    assertThat(successor.replaces().map(KeyEntry::selector)).contains("test");
  }

  @Test
  void importedKeyThatDnsDoesNotServe_isPending_andBadFilesAreUsageErrors() throws Exception {
    Path source = root.resolve("other.pem");
    Files.writeString(source, SigningKeyStore.pem(KeyPairGenerator.getInstance("Ed25519").generateKeyPair()
        .getPrivate()));

    KeygenResult pending = keyImport.importKey("example.com", "old", source);

    assertThat(pending).isInstanceOf(KeygenResult.Imported.class);
    KeygenResult.Imported imported = (KeygenResult.Imported) pending;
    assertThat(imported.key().state()).isEqualTo(KeyState.PENDING);
    assertThat(imported.dns().kind()).isEqualTo(PublicationStatus.Kind.MISSING);
    assertThat(imported.record().name()).isEqualTo("old._domainkey.example.com");
    assertThat(activeSelectors(keys, "example.com")).isEmpty();

    Path notAKey = Files.writeString(root.resolve("notes.txt"), "hello");
    assertThat(refused(keyImport.importKey("example.com", "x", notAKey), KeyRefusal.Kind.USAGE).message())
        .startsWith(notAKey + ": no private key found").contains("-----BEGIN PRIVATE KEY-----");
    assertThat(refused(keyImport.importKey("example.com", "x", root.resolve("absent.pem")), KeyRefusal.Kind.USAGE)
        .message()).contains("no file");
    assertThat(refused(keyImport.importKey("example.com", "old", source), KeyRefusal.Kind.CONFLICT).message())
        .contains("selector old already exists for example.com");
  }
}
