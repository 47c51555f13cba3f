package org.postseal.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postseal.dns.DnsResolver;
import org.postseal.dns.FakeDnsServer;
import org.postseal.dns.SettableClock;

class KeyPublicationCheckTest {

  private static FakeDnsServer server;
  private static KeyPublicationCheck check;
  private static DkimPublicKey ours;
  private static DkimPublicKey other;
  private static DkimPublicKey ed25519;

  @BeforeAll
  static void startDns() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair oursPair = generator.generateKeyPair();
    ours = DkimPublicKey.of(oursPair.getPublic());
    other = DkimPublicKey.of(generator.generateKeyPair().getPublic());
    ed25519 = DkimPublicKey.of(KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic());
    // PKCS#1 RSAPublicKey, as some old tools publish it
    byte[] pkcs1 = SubjectPublicKeyInfo.getInstance(oursPair.getPublic().getEncoded()).getPublicKeyData().getBytes();
    byte[] edSpki = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded();

    server = FakeDnsServer.start();
    server.load(String.join("\n",
        DkimTxtRecord.of("example.com", "match", ours).zoneText(),
        DkimTxtRecord.of("example.com", "ed", ed25519).zoneText(),
        DkimTxtRecord.of("example.com", "other", other).zoneText(),
        DkimTxtRecord.of("example.com", "wrongtype", ed25519).zoneText(),
        DkimTxtRecord.revoked("example.com", "revoked", ours.algorithm()).zoneText(),
        "pkcs1._domainkey.example.com. IN TXT \"k=rsa; p=" + Base64.getEncoder().encodeToString(pkcs1) + "\"",
        "badbase64._domainkey.example.com. IN TXT \"v=DKIM1; k=rsa; p=MIIB\\\"IjAN\"",
        "edspki._domainkey.example.com. IN TXT \"v=DKIM1; k=ed25519; p=" + Base64.getEncoder().encodeToString(edSpki)
            + "\"",
        "nop._domainkey.example.com. IN TXT \"v=DKIM1; k=rsa\"",
        "twice._domainkey.example.com. IN TXT \"v=DKIM1; p=MIIB; p=MIIC\"",
        "both._domainkey.example.com. IN TXT \"v=DKIM1; k=rsa; p=" + ours.base64() + "\"",
        "both._domainkey.example.com. IN TXT \"v=DKIM1; k=rsa; p=" + other.base64() + "\"",
        "spf.example.com. IN TXT \"v=spf1 -all\"",
        "broken._domainkey.example.com. IN TXT \"v=DKIM1; k=rsa; p=" + ours.base64() + "\"",
        ""));
    server.failWith("broken._domainkey.example.com", FakeDnsServer.Failure.SERVFAIL);
    DnsResolver resolver = DnsResolver.create(List.of(server.address()), Duration.ofSeconds(2),
        new SettableClock(Instant.parse("2026-11-15T10:00:00Z")));
    check = new KeyPublicationCheck(resolver);
  }

  @AfterAll
  static void stopDns() {
    server.close();
  }

  private static PublicationStatus check(String selector, DkimPublicKey expected) throws Exception {
    return check.check("Example.com.", selector, expected).get(10, TimeUnit.SECONDS);
  }

  @Test
  void ourRecord_isAMatch() throws Exception {
    PublicationStatus status = check("match", ours);

    assertThat(status.kind()).isEqualTo(PublicationStatus.Kind.MATCH);
    assertThat(status.recordName()).isEqualTo("match._domainkey.example.com");
    assertThat(status.served()).containsExactly(DkimTxtRecord.of("example.com", "match", ours).value());
    assertThat(check("ed", ed25519).isMatch()).isTrue();
  }

  @Test
  void pkcs1FormOfOurRsaKey_isAMatchToo() throws Exception {
    assertThat(((RSAPublicKey) java.security.KeyFactory.getInstance("RSA").generatePublic(
        new java.security.spec.X509EncodedKeySpec(ours.data()))).getModulus().bitLength()).isEqualTo(2048);
    assertThat(check("pkcs1", ours).kind()).isEqualTo(PublicationStatus.Kind.MATCH);
  }

  @Test
  void noRecord_isMissing() throws Exception {
    PublicationStatus status = check("absent", ours);

    assertThat(status.kind()).isEqualTo(PublicationStatus.Kind.MISSING);
    assertThat(status.detail()).contains("absent._domainkey.example.com").contains("does not exist");
  }

  @Test
  void anotherKey_isADifferentKeyNamingBoth() throws Exception {
    PublicationStatus status = check("other", ours);

    assertThat(status.kind()).isEqualTo(PublicationStatus.Kind.DIFFERENT_KEY);
    assertThat(status.detail()).contains("another rsa-2048 key")
        .contains(ours.base64().substring(ours.base64().length() - 16))
        .contains(other.base64().substring(other.base64().length() - 16));
    assertThat(check("wrongtype", ours).detail()).contains("a ed25519 key where ours is rsa");
  }

  @Test
  void emptyKey_isRevoked() throws Exception {
    PublicationStatus status = check("revoked", ours);

    assertThat(status.kind()).isEqualTo(PublicationStatus.Kind.REVOKED);
    assertThat(status.detail()).contains("revoked").contains("empty p=");
  }

  @Test
  void unusableRecords_areMalformedWithTheMistakeNamed() throws Exception {
    assertThat(check("badbase64", ours)).satisfies(s -> {
      assertThat(s.kind()).isEqualTo(PublicationStatus.Kind.MALFORMED);
      assertThat(s.detail()).contains("base64");
    });
    assertThat(check("edspki", ed25519).detail()).contains("44 bytes").contains("SubjectPublicKeyInfo");
    assertThat(check("nop", ours).detail()).contains("p= is missing");
    assertThat(check("twice", ours).detail()).contains("p= appears twice");
  }

  @Test
  void ourKeyBesideAnother_isADifferentKey_becauseVerifiersPickAnyRecord() throws Exception {
    PublicationStatus status = check("both", ours);

    assertThat(status.kind()).isEqualTo(PublicationStatus.Kind.DIFFERENT_KEY);
    assertThat(status.detail()).contains("2 TXT records").contains("remove all but ours");
    assertThat(status.served()).hasSize(2);
  }

  @Test
  void failingLookup_isADnsErrorWithTheReason() throws Exception {
    PublicationStatus status = check("broken", ours);

    assertThat(status.kind()).isEqualTo(PublicationStatus.Kind.DNS_ERROR);
    assertThat(status.detail()).contains("broken._domainkey.example.com").containsIgnoringCase("servfail");
  }

  @Test
  void verdictLabels_areWhatListingsPrint() {
    assertThat(PublicationStatus.Kind.DIFFERENT_KEY.label()).isEqualTo("different key");
    assertThat(PublicationStatus.Kind.DNS_ERROR.label()).isEqualTo("dns error");
  }

  @Test
  void checkAll_answersEverySelectorInOrder() {
    Map<String, DkimPublicKey> keys = new LinkedHashMap<>();
    keys.put("other", ours);
    keys.put("match", ours);
    keys.put("absent", ours);

    Map<String, PublicationStatus> answers = check.checkAll("example.com", keys);

    assertThat(answers.keySet()).containsExactly("other", "match", "absent");
    assertThat(answers.values()).extracting(PublicationStatus::kind).containsExactly(
        PublicationStatus.Kind.DIFFERENT_KEY, PublicationStatus.Kind.MATCH, PublicationStatus.Kind.MISSING);
  }

  @Test
  void checkAll_givesUpOnALookupThatNeverAnswers() {
    KeyPublicationCheck silent = new KeyPublicationCheck((name, type) -> new CompletableFuture<>(),
        Duration.ofMillis(50));

    PublicationStatus status = silent.checkAll("example.com", Map.of("sel", ours)).get("sel");

    assertThat(status.kind()).isEqualTo(PublicationStatus.Kind.DNS_ERROR);
    assertThat(status.recordName()).isEqualTo("sel._domainkey.example.com");
    assertThat(status.detail()).isEqualTo("no DNS answer for sel._domainkey.example.com within 50 ms");
  }
}
