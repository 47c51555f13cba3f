package org.postseal.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postseal.dkim.DkimAlgorithm;
import org.postseal.dkim.KeyRecordParser;
import org.postseal.dns.DnsAnswer;
import org.postseal.dns.DnsResolver;
import org.postseal.dns.FakeDnsServer;
import org.postseal.dns.RecordType;
import org.postseal.dns.SettableClock;
import org.postseal.testdata.TestData;

class DkimTxtRecordTest {

  /** RFC 8463 Appendix A in dkim's test resources (dkim-rfc-vectors/SOURCE.txt), read through its test-jar. */
  private static final String RFC8463 = "dkim-rfc-vectors/rfc8463-appendix-a/";

  private static PublicKey rsa2048;
  private static PublicKey rsa4096;

  @BeforeAll
  static void generateKeys() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    rsa2048 = generator.generateKeyPair().getPublic();
    generator.initialize(4096);
    rsa4096 = generator.generateKeyPair().getPublic();
  }

  private static String publishedValue(String name) throws Exception {
    for (String line : TestData.lines(RFC8463 + "dns.txt")) {
      if (line.startsWith(name + " ")) {
        return line.substring(name.length() + 1).strip();
      }
    }
    throw new AssertionError("no record for " + name);
  }

  @Test
  void rsa2048Record_isSplitIntoStringsOfAtMost255CharactersThatJoinBack() {
    DkimTxtRecord record = DkimTxtRecord.of("example.com", "s202611", DkimPublicKey.of(rsa2048));

    assertThat(record.value()).startsWith("v=DKIM1; k=rsa; p=MII")
        .endsWith(Base64.getEncoder().encodeToString(rsa2048.getEncoded()));
    assertThat(record.value().length()).isGreaterThan(255);
    assertThat(record.characterStrings()).hasSize(2).allSatisfy(s -> assertThat(s.length()).isLessThanOrEqualTo(255));
    assertThat(record.characterStrings().get(0)).hasSize(255);
    assertThat(String.join("", record.characterStrings())).isEqualTo(record.value());
    assertThat(record.zoneText()).startsWith("s202611._domainkey.example.com. IN TXT ( \"v=DKIM1; k=rsa; p=MII")
        .endsWith("\" )").contains("\"\n\t\"");
    assertThat(record.name()).isEqualTo("s202611._domainkey.example.com");
  }

  @Test
  void rsa4096Record_isSplitInThreeAndReJoinedByTheZoneParser() {
    DkimTxtRecord record = DkimTxtRecord.of("example.com", "big", DkimPublicKey.of(rsa4096));

    List<String> strings = record.characterStrings();
    assertThat(record.value()).hasSize("v=DKIM1; k=rsa; p=".length() + 736);
    assertThat(strings).hasSize(3).allSatisfy(s -> assertThat(s.length()).isLessThanOrEqualTo(255));
    assertThat(record.zoneText().lines()).hasSize(3);

    ZoneTxtParser.Txt parsed = (ZoneTxtParser.Txt) ZoneTxtParser.parse(record.zoneText());
    assertThat(parsed.owner()).contains("big._domainkey.example.com.");
    assertThat(parsed.strings()).isEqualTo(strings);
    assertThat(parsed.joined()).isEqualTo(record.value());
    KeyRecordParser.Parse served = KeyRecordParser.parse(parsed.joined());
    assertThat(served).isInstanceOfSatisfying(KeyRecordParser.Parsed.class, p ->
        assertThat(DkimPublicKey.of(p.record().publicKey().orElseThrow())).isEqualTo(DkimPublicKey.of(rsa4096)));
  }

  @Test
  void zoneText_loadedIntoARealDnsServer_isServedAsTheJoinedValue() throws Exception {
    DkimTxtRecord big = DkimTxtRecord.of("example.com", "big", DkimPublicKey.of(rsa4096));
    DkimTxtRecord small = DkimTxtRecord.of("example.com", "small", DkimPublicKey.of(rsa2048));
    try (FakeDnsServer server = FakeDnsServer.start()) {
      server.load(big.zoneText() + "\n" + small.zoneText() + "\n");
      DnsResolver resolver = DnsResolver.create(List.of(server.address()), Duration.ofSeconds(5),
          new SettableClock(Instant.parse("2026-11-15T10:00:00Z")));

      for (DkimTxtRecord record : List.of(big, small)) {
        DnsAnswer answer = resolver.lookup(record.name(), RecordType.TXT).get(10, TimeUnit.SECONDS);
        assertThat(answer).isInstanceOf(DnsAnswer.Found.class);
        assertThat(((DnsAnswer.Found) answer).records()).containsExactly(record.value());
      }
    }
  }

  @Test
  void ed25519Record_publishesTheRaw32ByteKeyAsInRfc8463() throws Exception {
    byte[] raw = Base64.getDecoder().decode(TestData.text(RFC8463 + "ed25519-public.b64").strip());
    byte[] seed = Base64.getDecoder().decode(TestData.text(RFC8463 + "ed25519-private-seed.b64").strip());
    byte[] pkcs8 = concat(HexFormat.of().parseHex("302e020100300506032b657004220420"), seed);
    DkimPublicKey fromPrivate = DkimPublicKey.of(KeyFactory.getInstance("Ed25519")
        .generatePrivate(new PKCS8EncodedKeySpec(pkcs8)));

    DkimTxtRecord record = DkimTxtRecord.of("football.example.com", "brisbane", fromPrivate);

    assertThat(fromPrivate).isEqualTo(DkimPublicKey.ed25519(raw));
    assertThat(fromPrivate.data()).hasSize(32);
    assertThat(record.value()).isEqualTo(publishedValue("brisbane._domainkey.football.example.com"))
        .isEqualTo("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
    assertThat(record.characterStrings()).hasSize(1);
    assertThat(record.zoneText()).isEqualTo("brisbane._domainkey.football.example.com. IN TXT ( \"v=DKIM1; k=ed25519;"
        + " p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\" )");
  }

  @Test
  void rsaRecord_ofTheRfc8463Key_isThePublishedOne() throws Exception {
    PrivateKeyPemParser.Key key = (PrivateKeyPemParser.Key) PrivateKeyPemParser.parse(
        TestData.text(RFC8463 + "rsa-private.pem"));

    DkimTxtRecord record = DkimTxtRecord.of("football.example.com", "test", DkimPublicKey.of(key.privateKey()));

    assertThat(record.value()).isEqualTo(publishedValue("test._domainkey.football.example.com"));
  }

  @Test
  void revokedRecord_hasAnEmptyKey() {
    DkimTxtRecord rsa = DkimTxtRecord.revoked("example.com", "old", DkimAlgorithm.RSA_SHA256);
    DkimTxtRecord ed = DkimTxtRecord.revoked("example.com", "old", DkimAlgorithm.ED25519_SHA256);

    assertThat(rsa.value()).isEqualTo("v=DKIM1; k=rsa; p=");
    assertThat(ed.value()).isEqualTo("v=DKIM1; k=ed25519; p=");
    assertThat(rsa.zoneText()).isEqualTo("old._domainkey.example.com. IN TXT ( \"v=DKIM1; k=rsa; p=\" )");
    assertThat(KeyRecordParser.parse(rsa.value())).isInstanceOfSatisfying(KeyRecordParser.Parsed.class, p -> {
      assertThat(p.record().isRevoked()).isTrue();
      assertThat(p.record().keyType()).isEqualTo("rsa");
    });
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
