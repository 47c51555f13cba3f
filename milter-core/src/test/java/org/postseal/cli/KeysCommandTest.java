package org.postseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.dns.FakeDnsServer;

/**
 * {@code postseal keygen} and {@code postseal keys ...} in process, as a newcomer runs them: the printed record is
 * pasted into a real DNS server on loopback, then checked and activated. Exit codes and which stream gets the text
 * are part of the contract (0 stdout; 1 and 2 stderr).
 */
class KeysCommandTest {

  /** A record as keygen prints it: "NAME. IN TXT ( "..." ... )", possibly over several lines. */
  private static final Pattern ZONE_TEXT = Pattern.compile("(?s)(\\S+\\._domainkey\\.\\S+\\. IN TXT \\(.*?\" \\))");
  private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");

  @TempDir
  Path dir;

  private FakeDnsServer dns;
  private Path config;

  private record Run(int exitCode, String out, String err) {
  }

  @BeforeEach
  void start() throws IOException {
    dns = FakeDnsServer.start();
    config = dir.resolve("postseal.toml");
    Files.writeString(config, "state-dir = \"" + dir.resolve("state") + "\"\n[dns]\nservers = [\"" + dns.address()
        + "\"]\ntimeout = \"1s\"\n");
  }

  @AfterEach
  void stop() {
    dns.close();
  }

  private Run run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--config");
    all.add(config.toString());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  private static String zoneText(String output) {
    Matcher m = ZONE_TEXT.matcher(output);
    assertThat(m.find()).as("a record in: %s", output).isTrue();
    return m.group(1);
  }

  private static String selectorOf(String zoneText) {
    return zoneText.substring(0, zoneText.indexOf("._domainkey."));
  }

  /** The character-strings of a printed record, in order. */
  private static List<String> strings(String zoneText) {
    List<String> strings = new ArrayList<>();
    Matcher m = QUOTED.matcher(zoneText);
    while (m.find()) {
      strings.add(m.group(1));
    }
    return strings;
  }

  @Test
  void aNewcomersKeyIsPublishedCheckedAndActivated() throws IOException {
    Run keygen = run("keygen", "example.com");
    assertThat(keygen.exitCode()).as(keygen.err()).isZero();
    assertThat(keygen.err()).isEmpty();
    String record = zoneText(keygen.out());
    String selector = selectorOf(record);
    assertThat(selector).matches("s\\d{6}");
    assertThat(keygen.out()).startsWith("Created rsa-2048 key " + selector + " for example.com (pending): ")
        .contains("Then run: postseal keys activate example.com");
    Path pem = dir.resolve("state/keys/example.com/" + selector + ".pem");
    assertThat(Files.getPosixFilePermissions(pem)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.readString(pem)).startsWith("-----BEGIN PRIVATE KEY-----\n");
    assertThat(strings(record)).allSatisfy(s -> assertThat(s.length()).isLessThanOrEqualTo(255));
    assertThat(String.join("", strings(record))).startsWith("v=DKIM1; k=rsa; p=MIIBIjAN");

    Run before = run("keys", "check", "example.com");
    assertThat(before.exitCode()).isEqualTo(1);
    assertThat(before.out()).isEmpty();
    assertThat(before.err()).contains("FAIL  " + selector + " (rsa-2048, pending): DNS has no TXT record at "
        + selector + "._domainkey.example.com");

    dns.load(record);
    Run check = run("keys", "check", "example.com");
    assertThat(check.exitCode()).as(check.err()).isZero();
    assertThat(check.out()).contains("ok    " + selector + " (rsa-2048, pending): DNS serves our rsa key at "
        + selector + "._domainkey.example.com").contains("Every active and pending key of example.com is published"
        + " correctly.");

    Run activate = run("keys", "activate", "example.com");
    assertThat(activate.exitCode()).as(activate.err()).isZero();
    assertThat(activate.out()).startsWith("Activated " + selector + " for example.com (rsa-2048)");

    Run list = run("keys", "list");
    assertThat(list.exitCode()).isZero();
    assertThat(list.out().lines().toList()).hasSize(2);
    assertThat(list.out().lines().skip(1).findFirst().orElseThrow().split("\\s+"))
        .containsExactly("example.com", selector, "rsa", "2048", "active", todayOf(list), todayOf(list), "match");

    JsonNode json = new ObjectMapper().readTree(run("keys", "list", "--json").out());
    JsonNode key = json.get("keys").get(0);
    assertThat(key.get("selector").asText()).isEqualTo(selector);
    assertThat(key.get("state").asText()).isEqualTo("active");
    assertThat(key.get("dns").get("status").asText()).isEqualTo("match");
    assertThat(json.get("problems")).isEmpty();
  }

  /** keys list ends with the signing domains that sign nothing yet, and where each comes from. */
  @Test
  void keysListNamesTheSigningDomainsWithoutAnActiveKey() throws Exception {
    try (org.postseal.dmarc.store.TestDatabase db = org.postseal.dmarc.store.TestDatabase.postgres(
        java.time.Clock.systemUTC())) {
      try (java.sql.Connection c = java.sql.DriverManager.getConnection(db.url);
           java.sql.Statement s = c.createStatement()) {
        s.execute("CREATE TABLE virtual_domains (domain TEXT)");
        s.execute("INSERT INTO virtual_domains VALUES ('queried.example'), ('example.com')");
      }
      Files.writeString(config, Files.readString(config) + "[signing]\ndomains = [\"example.com\", \"pending.example\"]\n"
          + "domains-query = \"SELECT domain FROM virtual_domains\"\n[database]\nurl = \"" + db.url + "\"\n");
      assertThat(run("keygen", "example.com").exitCode()).isZero();
      assertThat(run("keys", "activate", "example.com", "--force").exitCode()).isZero();
      assertThat(run("keygen", "pending.example").exitCode()).isZero();

      Run list = run("keys", "list");
      assertThat(list.exitCode()).as(list.err()).isZero();
      assertThat(list.out()).endsWith("\nSigning domains without an active key (their mail goes out unsigned):\n"
          + "  pending.example: pending key only; publish it, then postseal keys activate pending.example\n"
          + "  queried.example (from domains-query): no key; create one with postseal keygen queried.example\n");
      JsonNode json = new ObjectMapper().readTree(run("keys", "list", "--json").out());
      assertThat(json.get("signing_domains_without_key")).hasSize(2);
      assertThat(json.get("signing_domains_without_key").get(1).get("from_query").asBoolean()).isTrue();
      assertThat(json.get("domains_query_failure").isNull()).isTrue();

      try (java.sql.Connection c = java.sql.DriverManager.getConnection(db.url);
           java.sql.Statement s = c.createStatement()) {
        s.execute("DROP TABLE virtual_domains");
      }
      assertThat(run("keys", "list").out()).contains("\nsigning.domains-query failed: ")
          .contains("virtual_domains");
    }
  }

  /** The created date the listing printed (the CLI runs on the real clock). */
  private static String todayOf(Run list) {
    return java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
  }

  @Test
  void a4096BitRecordIsSplitIntoStringsOfAtMost255CharactersThatJoinBackToTheKey() {
    Run keygen = run("keygen", "example.org", "--algorithm", "rsa-4096", "--selector", "big");
    assertThat(keygen.exitCode()).as(keygen.err()).isZero();
    String record = zoneText(keygen.out());
    List<String> strings = strings(record);
    assertThat(strings).hasSizeGreaterThanOrEqualTo(3);
    assertThat(strings.subList(0, strings.size() - 1)).allSatisfy(s -> assertThat(s).hasSize(255));
    assertThat(strings.get(strings.size() - 1).length()).isBetween(1, 255);
    assertThat(record).startsWith("big._domainkey.example.org. IN TXT ( \"v=DKIM1; k=rsa; p=MIICIjAN");
    byte[] der = Base64.getDecoder().decode(String.join("", strings).substring("v=DKIM1; k=rsa; p=".length()));
    assertThat(der.length).isGreaterThan(512);

    dns.load(record);
    Run check = run("keys", "check", "example.org");
    assertThat(check.exitCode()).as(check.err()).isZero();
    assertThat(check.out()).contains("ok    big (rsa-4096, pending)");
  }

  @Test
  void anEd25519RecordCarriesTheRawPublicKeyOfRfc8463() {
    Run keygen = run("keygen", "example.net", "--algorithm", "ed25519", "--selector", "ed");
    assertThat(keygen.exitCode()).as(keygen.err()).isZero();
    String record = zoneText(keygen.out());
    assertThat(record).matches("ed\\._domainkey\\.example\\.net\\. IN TXT \\( \"v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}=\" \\)");
    dns.load(record);
    assertThat(run("keys", "check", "example.net").exitCode()).isZero();
  }

  @Test
  void rotationKeepsTheActiveKeyUntilTheSuccessorIsPublished() {
    String first = zoneText(run("keygen", "example.com", "--selector", "one").out());
    dns.load(first);
    assertThat(run("keys", "activate", "example.com").exitCode()).isZero();

    Run rotate = run("keygen", "--rotate", "example.com", "--selector", "two");
    assertThat(rotate.exitCode()).as(rotate.err()).isZero();
    assertThat(rotate.out()).contains("Created rsa-2048 key two for example.com (pending)")
        .contains("Once active it replaces one");

    Run refused = run("keys", "activate", "example.com");
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.out()).isEmpty();
    assertThat(refused.err()).startsWith("Not activating two for example.com (rsa-2048): DNS has no TXT record at"
        + " two._domainkey.example.com").contains("Publish this record:").contains("two._domainkey.example.com. IN TXT");

    dns.load(zoneText(rotate.out()));
    Run activated = run("keys", "activate", "example.com");
    assertThat(activated.exitCode()).as(activated.err()).isZero();
    assertThat(activated.out()).contains("Activated two for example.com").contains("Retired one: it no longer signs");
    assertThat(run("keys", "list").out()).containsPattern("example\\.com\\s+one\\s+rsa\\s+2048\\s+retired")
        .containsPattern("example\\.com\\s+two\\s+rsa\\s+2048\\s+active");
  }

  @Test
  void forcingAnUnpublishedKeyWarnsLoudly() {
    run("keygen", "example.com", "--selector", "early");
    Run forced = run("keys", "activate", "example.com", "--force");
    assertThat(forced.exitCode()).isZero();
    assertThat(forced.out()).startsWith("WARNING: activated early for example.com (rsa-2048) although DNS does not"
        + " serve its key");
  }

  @Test
  void aPublishedRecordWithAnotherKeyIsReportedWithTheRecordToPublish() {
    String ours = zoneText(run("keygen", "example.com", "--selector", "sel").out());
    run("keygen", "other.example", "--selector", "sel");
    String theirs = zoneText(run("keys", "check", "other.example").err())
        .replace("other.example", "example.com");
    dns.load(theirs);
    Run check = run("keys", "check", "example.com");
    assertThat(check.exitCode()).isEqualTo(1);
    assertThat(check.err()).contains("FAIL  sel (rsa-2048, pending): DNS serves another rsa-2048 key (ours is")
        .contains(ours.substring(0, 60));
  }

  @Test
  void importAdoptsAnExistingKeyAsPendingUntilDnsServesIt() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    PrivateKey key = generator.generateKeyPair().getPrivate();
    Path file = dir.resolve("opendkim.private");
    Files.writeString(file, "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
        .encodeToString(key.getEncoded()) + "\n-----END PRIVATE KEY-----\n", StandardCharsets.US_ASCII);
    Run imported = run("keys", "import", "example.com", "mail", file.toString());
    assertThat(imported.exitCode()).as(imported.err()).isZero();
    assertThat(imported.out()).startsWith("Imported " + file + " as rsa-2048 key mail for example.com")
        .contains("so it is pending");
    assertThat(Files.getPosixFilePermissions(dir.resolve("state/keys/example.com/mail.pem")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void badInputIsAUsageErrorWithAMessage() {
    Run algorithm = run("keygen", "example.com", "--algorithm", "rsa-1024");
    assertThat(algorithm.exitCode()).isEqualTo(2);
    assertThat(algorithm.err()).startsWith("Invalid value for option '--algorithm': unknown key algorithm"
        + " \"rsa-1024\"; use one of rsa-2048, rsa-3072, rsa-4096, ed25519");

    Run domain = run("keygen", "not a domain");
    assertThat(domain.exitCode()).isEqualTo(2);
    assertThat(domain.err()).contains("not a domain").doesNotContain("Exception");
    assertThat(domain.out()).isEmpty();

    assertThat(run("keygen").exitCode()).isEqualTo(2);
    assertThat(run("keys").exitCode()).isEqualTo(2);
    assertThat(run("keys", "import", "example.com", "sel").exitCode()).isEqualTo(2);
    assertThat(run("keys", "import", "example.com", "sel", dir.resolve("missing.pem").toString()).exitCode())
        .isEqualTo(2);
  }

  @Test
  void anExistingSelectorIsRefusedWithExitOne() {
    assertThat(run("keygen", "example.com", "--selector", "taken").exitCode()).isZero();
    Run again = run("keygen", "example.com", "--selector", "taken", "--algorithm", "ed25519");
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err()).startsWith("selector taken already exists for example.com (a pending key); a key is"
        + " never overwritten");
  }

  @Test
  void aKeysDirectoryThatIsNotADirectoryFailsWithExitOne() throws IOException {
    Files.createDirectories(dir.resolve("state"));
    Files.writeString(dir.resolve("state/keys"), "not a directory");
    Run keygen = run("keygen", "example.com");
    assertThat(keygen.exitCode()).isEqualTo(1);
    assertThat(keygen.err()).contains(dir.resolve("state/keys") + " is not a directory");
  }

  @Test
  void anInvalidConfigurationIsReportedWithExitOne() throws IOException {
    Files.writeString(config, "[keys]\nretire-after = \"soon\"\n");
    Run keygen = run("keygen", "example.com");
    assertThat(keygen.exitCode()).isEqualTo(1);
    assertThat(keygen.err()).contains(config + ":2: keys.retire-after: ");
  }
}
