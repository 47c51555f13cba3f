package org.postseal.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;
import org.postseal.dkim.internal.TagList;
import org.postseal.mail.HeaderField;
import org.postseal.mail.RawMessage;

class DkimSignerTest {

  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);
  static final String DOMAIN = "example.com";

  static final RawMessage MESSAGE = RawMessage.parse((""
      + "Received: from laptop (hotel.example [192.0.2.7]) by mail.example.com\r\n"
      + "From: Alice Example <alice@example.com>\r\n"
      + "To: Bob <bob@example.net>\r\n"
      + "Cc: carol@example.org\r\n"
      + "Cc: dave@example.org\r\n"
      + "Subject: Quarterly   numbers\r\n"
      + "\tfolded onto a second line\r\n"
      + "Date: Sun, 01 Mar 2026 12:59:00 +0100\r\n"
      + "Message-ID: <abc.123@example.com>\r\n"
      + "MIME-Version: 1.0\r\n"
      + "Content-Type: text/plain; charset=utf-8\r\n"
      + "List-Id: <numbers.example.com>\r\n"
      + "X-Mailer: something\r\n"
      + "\r\n"
      + "Hello Bob,  \r\n"
      + "\r\n"
      + "the numbers are in.\t\tGrüße\r\n"
      + "\r\n"
      + "\r\n").getBytes(StandardCharsets.UTF_8));

  static SigningKey rsaKey() {
    return new SigningKey(DOMAIN, "rsa2026", DkimAlgorithm.RSA_SHA256, TestKeys.rsa2048().getPrivate());
  }

  static SigningKey ed25519Key() {
    return new SigningKey(DOMAIN, "ed2026", DkimAlgorithm.ED25519_SHA256, TestKeys.ed25519().getPrivate());
  }

  static StaticDnsSource dns() {
    return new StaticDnsSource()
        .txt("rsa2026._domainkey.example.com", TestKeys.txtRecord(TestKeys.rsa2048().getPublic()))
        .txt("ed2026._domainkey.example.com", TestKeys.txtRecord(TestKeys.ed25519().getPublic()));
  }

  static List<HeaderField> sign(RawMessage message, List<SigningKey> keys, int chunkSize) {
    SigningSession session = new DkimSigner(CLOCK).start(message.headers(), keys);
    byte[] body = message.body();
    for (int pos = 0; pos < body.length; pos += chunkSize) {
      session.body(body, pos, Math.min(chunkSize, body.length - pos));
    }
    return session.finish();
  }

  static List<DkimResult> verify(RawMessage signed) {
    VerificationSession session = new DkimVerifier(dns(), DkimPolicy.defaults(), CLOCK).start(signed.headers());
    session.body(signed.body());
    return session.finish();
  }

  @Test
  void rsaAndEd25519SignaturesVerify() {
    List<HeaderField> signatures = sign(MESSAGE, List.of(rsaKey(), ed25519Key()), 4096);
    List<DkimResult> results = verify(MessageEdits.prepend(MESSAGE, signatures));
    assertThat(results).extracting(DkimResult::outcome).containsExactly(DkimOutcome.PASS, DkimOutcome.PASS);
    assertThat(results).extracting(DkimResult::algorithm).containsExactly("rsa-sha256", "ed25519-sha256");
  }

  @Test
  void oneSignaturePerKeyInKeyOrder() {
    SigningKey second = new SigningKey("example.org", "other", DkimAlgorithm.RSA_SHA256, TestKeys.rsa2048().getPrivate());
    List<HeaderField> signatures = sign(MESSAGE, List.of(ed25519Key(), rsaKey(), second), 100);
    assertThat(signatures).hasSize(3).allSatisfy(f -> assertThat(f.name()).isEqualTo("DKIM-Signature"));
    assertThat(signatures).extracting(f -> TagList.parse(f.value()).value("s")).containsExactly("ed2026", "rsa2026", "other");
    assertThat(signatures).extracting(f -> TagList.parse(f.value()).value("d")).containsExactly(DOMAIN, DOMAIN, "example.org");
  }

  @Test
  void signatureCarriesTheContractTags() {
    HeaderField field = sign(MESSAGE, List.of(rsaKey()), 4096).get(0);
    TagList tags = TagList.parse(field.value());
    assertThat(tags.asMap().keySet()).containsExactly("v", "a", "c", "d", "s", "t", "h", "bh", "b");
    assertThat(tags.value("v")).isEqualTo("1");
    assertThat(tags.value("a")).isEqualTo("rsa-sha256");
    assertThat(tags.value("c")).isEqualTo("relaxed/relaxed");
    assertThat(tags.value("t")).isEqualTo(Long.toString(CLOCK.instant().getEpochSecond()));
    assertThat(field.value().replace("\r\n\t", " "))
        .startsWith(" v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=rsa2026; t=");
  }

  @Test
  void headerListHasEveryPresentOccurrenceThenTheOverSigning() {
    HeaderField field = sign(MESSAGE, List.of(rsaKey()), 4096).get(0);
    String h = DkimSignatureParser.withoutWhiteSpace(TagList.parse(field.value()).value("h"));
    // Received and X-Mailer are not in the signed set; Cc occurs twice; from..message-id once more at the end
    assertThat(h).isEqualTo("from:to:cc:cc:subject:date:message-id:mime-version:content-type:list-id"
        + ":from:to:subject:date:message-id");
  }

  @Test
  void absentOverSignedFieldsAreListedAnyway() {
    RawMessage bare = RawMessage.parse("From: a@example.com\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
    HeaderField field = sign(bare, List.of(rsaKey()), 4096).get(0);
    assertThat(DkimSignatureParser.withoutWhiteSpace(TagList.parse(field.value()).value("h")))
        .isEqualTo("from:from:to:subject:date:message-id");
  }

  @Test
  void valueIsFoldedWithCrlfTabIntoShortLines() {
    for (HeaderField field : sign(MESSAGE, List.of(rsaKey(), ed25519Key()), 4096)) {
      String raw = field.raw();
      assertThat(field.value()).startsWith(" ");
      assertThat(raw.replace("\r\n\t", "")).doesNotContain("\r").doesNotContain("\n");
      for (String line : raw.split("\r\n")) {
        assertThat(line.length()).as("line %s", line).isLessThanOrEqualTo(78);
      }
      assertThat(raw.split("\r\n").length).isGreaterThan(3);
      assertThat(raw).doesNotEndWith(";").doesNotEndWith(" ").doesNotEndWith("\t");
    }
  }

  @Test
  void chunkedBodyGivesTheSameSignaturesAsTheWholeBody() {
    List<SigningKey> keys = List.of(rsaKey(), ed25519Key());
    List<HeaderField> whole = sign(MESSAGE, keys, Integer.MAX_VALUE);
    for (int size : new int[] {1, 2, 3, 7, 64, 1000}) {
      assertThat(sign(MESSAGE, keys, size)).as("chunk size %d", size).isEqualTo(whole);
    }
  }

  @Test
  void emptyBodySignsAndVerifies() {
    RawMessage empty = MessageEdits.withBody(MESSAGE, new byte[0]);
    HeaderField field = sign(empty, List.of(rsaKey()), 4096).get(0);
    // RFC 6376 section 3.4.4: the relaxed canonical form of an empty body is empty
    assertThat(DkimSignatureParser.withoutWhiteSpace(TagList.parse(field.value()).value("bh")))
        .isEqualTo("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    assertThat(verify(MessageEdits.prepend(empty, List.of(field)))).extracting(DkimResult::outcome)
        .containsExactly(DkimOutcome.PASS);
  }

  /**
   * The Ed25519 signature checked without our verifier: header data canonicalized here by plain string
   * operations (RFC 6376 section 3.4.2), hashed with SHA-256 (RFC 8463 section 3), verified by the JDK's
   * own Ed25519 provider.
   */
  @Test
  void ed25519SignatureVerifiesWithTheJdkProvider() throws Exception {
    HeaderField field = sign(MESSAGE, List.of(ed25519Key()), 4096).get(0);
    TagList tags = TagList.parse(field.value());
    List<String> names = List.of(DkimSignatureParser.withoutWhiteSpace(tags.value("h")).split(":"));
    StringBuilder data = new StringBuilder();
    List<HeaderField> remaining = new ArrayList<>(MESSAGE.headers());
    for (String name : names) {
      for (int i = remaining.size() - 1; i >= 0; i--) {
        if (remaining.get(i).name().equalsIgnoreCase(name)) {
          data.append(relaxed(remaining.remove(i))).append("\r\n");
          break;
        }
      }
    }
    String unsigned = field.value().substring(0, field.value().lastIndexOf("b=") + 2);
    data.append(relaxed(new HeaderField("DKIM-Signature", unsigned)));

    Signature jdk = Signature.getInstance("Ed25519");
    jdk.initVerify(TestKeys.ed25519().getPublic());
    jdk.update(MessageDigest.getInstance("SHA-256").digest(data.toString().getBytes(StandardCharsets.UTF_8)));
    assertThat(jdk.verify(Base64.getDecoder().decode(DkimSignatureParser.withoutWhiteSpace(tags.value("b"))))).isTrue();
  }

  private static String relaxed(HeaderField field) {
    String value = field.value().replace("\r\n", "").replaceAll("[ \t]+", " ").strip();
    return field.name().toLowerCase(Locale.ROOT).strip() + ":" + value;
  }

  @Test
  void bouncyCastleEd25519KeySignsLikeTheJdkKey() throws Exception {
    KeyPair bc = KeyPairGenerator.getInstance("Ed25519", new BouncyCastleProvider()).generateKeyPair();
    SigningKey key = new SigningKey(DOMAIN, "bc", DkimAlgorithm.ED25519_SHA256, bc.getPrivate());
    RawMessage signed = MessageEdits.prepend(MESSAGE, sign(MESSAGE, List.of(key), 4096));
    StaticDnsSource dns = new StaticDnsSource().txt("bc._domainkey.example.com", TestKeys.txtRecord(bc.getPublic()));
    VerificationSession session = new DkimVerifier(dns, DkimPolicy.defaults(), CLOCK).start(signed.headers());
    session.body(signed.body());
    assertThat(session.finish()).extracting(DkimResult::outcome).containsExactly(DkimOutcome.PASS);
  }

  @Test
  void keyOfTheWrongTypeIsRejectedAtStart() {
    SigningKey wrong = new SigningKey(DOMAIN, "x", DkimAlgorithm.ED25519_SHA256, TestKeys.rsa2048().getPrivate());
    assertThatThrownBy(() -> new DkimSigner(CLOCK).start(MESSAGE.headers(), List.of(wrong)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ed25519-sha256");
    SigningKey wrong2 = new SigningKey(DOMAIN, "x", DkimAlgorithm.RSA_SHA256, TestKeys.ed25519().getPrivate());
    assertThatThrownBy(() -> new DkimSigner(CLOCK).start(MESSAGE.headers(), List.of(wrong2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rsa-sha256");
  }

  @Test
  void noKeysGiveNoSignatures() {
    assertThat(sign(MESSAGE, List.of(), 10)).isEmpty();
  }

  @Test
  void finishTwiceIsAProgrammingError() {
    SigningSession session = new DkimSigner(CLOCK).start(MESSAGE.headers(), List.of(rsaKey()));
    session.finish();
    assertThatThrownBy(session::finish).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void signatureMadeUnderTurkishLocaleVerifies() {
    Locale saved = Locale.getDefault();
    List<HeaderField> signatures;
    Locale.setDefault(Locale.forLanguageTag("tr-TR"));
    try {
      // "MIME-Version", "Message-ID", "List-Id": capital I lower-cases to a dotless i under tr
      signatures = sign(MESSAGE, List.of(rsaKey(), ed25519Key()), 64);
      assertThat(verify(MessageEdits.prepend(MESSAGE, signatures))).extracting(DkimResult::outcome)
          .containsExactly(DkimOutcome.PASS, DkimOutcome.PASS);
    } finally {
      Locale.setDefault(saved);
    }
    assertThat(verify(MessageEdits.prepend(MESSAGE, signatures))).extracting(DkimResult::outcome)
        .containsExactly(DkimOutcome.PASS, DkimOutcome.PASS);
    assertThat(signatures).isEqualTo(sign(MESSAGE, List.of(rsaKey(), ed25519Key()), 64));
  }

  @Test
  void oneSignerServesManyThreadsWithSharedKeys() throws Exception {
    DkimSigner signer = new DkimSigner(CLOCK);
    List<SigningKey> keys = List.of(rsaKey(), ed25519Key());
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<RawMessage>> futures = new ArrayList<>();
      for (int n = 0; n < 64; n++) {
        int id = n;
        futures.add(pool.submit(() -> {
          RawMessage message = MessageEdits.withBody(MESSAGE,
              ("message " + id + "\r\n").repeat(id + 1).getBytes(StandardCharsets.US_ASCII));
          SigningSession session = signer.start(message.headers(), keys);
          session.body(message.body());
          return MessageEdits.prepend(message, session.finish());
        }));
      }
      for (Future<RawMessage> future : futures) {
        assertThat(verify(future.get())).extracting(DkimResult::outcome).containsExactly(DkimOutcome.PASS, DkimOutcome.PASS);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
