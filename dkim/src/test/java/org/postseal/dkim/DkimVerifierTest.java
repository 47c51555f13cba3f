package org.postseal.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.postseal.dns.DnsAnswer;
import org.postseal.mail.HeaderField;
import org.postseal.mail.RawMessage;

class DkimVerifierTest {

  static final Clock CLOCK = DkimSignerTest.CLOCK;
  static final long NOW = CLOCK.instant().getEpochSecond();
  static final RawMessage MESSAGE = DkimSignerTest.MESSAGE;
  static final String RSA_NAME = "rsa2026._domainkey.example.com";
  static final String ED_NAME = "ed2026._domainkey.example.com";

  private static RawMessage signed(SigningKey... keys) {
    return MessageEdits.prepend(MESSAGE, DkimSignerTest.sign(MESSAGE, List.of(keys), 4096));
  }

  private static List<DkimResult> verify(StaticDnsSource dns, RawMessage message) {
    return verify(dns, DkimPolicy.defaults(), CLOCK, message);
  }

  private static List<DkimResult> verify(StaticDnsSource dns, DkimPolicy policy, Clock clock, RawMessage message) {
    VerificationSession session = new DkimVerifier(dns, policy, clock).start(message.headers());
    session.body(message.body());
    return session.finish();
  }

  private static DkimResult only(List<DkimResult> results) {
    assertThat(results).hasSize(1);
    return results.get(0);
  }

  /** A signature with tags of the test's choosing, by the RFC 8463 RSA key published at test._domainkey. */
  private static RawMessage crafted(RawMessage message, String template, PrivateKey key) {
    return MessageEdits.prepend(message,
        List.of(TestSignatures.sign(message.headers(), message.body(), template, key)));
  }

  private static StaticDnsSource rfc8463Dns() {
    return new StaticDnsSource().txt("test._domainkey.example.com",
        "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx"
            + "/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB");
  }

  private static final String TEST_TAGS = "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=test; t=" + NOW
      + "; h=from:to:subject;";

  // --- the basics -------------------------------------------------------------------------------

  @Test
  void verify_ourSignatures_pass() {
    List<DkimResult> results = verify(DkimSignerTest.dns(), signed(DkimSignerTest.rsaKey(), DkimSignerTest.ed25519Key()));
    assertThat(results).extracting(DkimResult::outcome).containsExactly(DkimOutcome.PASS, DkimOutcome.PASS);
    assertThat(results).extracting(DkimResult::cause).containsExactly(DkimCause.VERIFIED, DkimCause.VERIFIED);
  }

  @Test
  void verify_resultCarriesTagsAsWritten() {
    String template = "v=1; a=RSA-SHA256; c=relaxed/relaxed; d=Example.COM; s=test; i=joe=40x@Mail.example.com;"
        + " t=" + NOW + "; h=from:to; bh=; b=";
    RawMessage message = crafted(MESSAGE, template, TestKeys.rfc8463Rsa());
    DkimResult result = only(verify(rfc8463Dns(), message));
    assertThat(result.outcome()).isEqualTo(DkimOutcome.PASS);
    assertThat(result.domain()).isEqualTo("Example.COM");
    assertThat(result.selector()).isEqualTo("test");
    assertThat(result.algorithm()).isEqualTo("RSA-SHA256");
    assertThat(result.identity()).isEqualTo("joe@x@Mail.example.com");
    assertThat(result.signature()).doesNotContain(" ", "\t", "\r", "\n")
        .isEqualTo(DkimSignatureParser.withoutWhiteSpace(message.headers().get(0).value()
            .substring(message.headers().get(0).value().lastIndexOf("b=") + 2)));
  }

  @Test
  void verify_unsignedMessage_hasNoSignaturesAndNoResults() {
    StaticDnsSource dns = new StaticDnsSource();
    VerificationSession session = new DkimVerifier(dns, DkimPolicy.defaults(), CLOCK).start(MESSAGE.headers());
    assertThat(session.hasNoSignatures()).isTrue();
    assertThat(session.keysLookedUp()).isDone();
    session.body(MESSAGE.body());
    assertThat(session.finish()).isEmpty();
    assertThat(dns.lookups()).isEmpty();
  }

  @Test
  void session_exposesTheSigningDomainsItParsed_forDmarcToStartWith() {
    String template = "v=1; a=rsa-sha256; c=relaxed/relaxed; d=Other.Example; s=test; t=" + NOW + "; h=from:to;"
        + " bh=; b=";
    RawMessage message = MessageEdits.prepend(crafted(signed(DkimSignerTest.rsaKey()), template, TestKeys.rfc8463Rsa()),
        List.of(new HeaderField("DKIM-Signature", " v=1; garbage")));

    VerificationSession session = new DkimVerifier(DkimSignerTest.dns(), DkimPolicy.defaults(), CLOCK)
        .start(message.headers());

    // the unparseable field has no d=; the others in header order, as written
    assertThat(session.signingDomains()).containsExactly("Other.Example", "example.com");
  }

  @Test
  void verify_finishTwice_givesTheSameResults() {
    RawMessage message = signed(DkimSignerTest.rsaKey());
    VerificationSession session = new DkimVerifier(DkimSignerTest.dns(), DkimPolicy.defaults(), CLOCK).start(message.headers());
    session.body(message.body());
    assertThat(session.finish()).isSameAs(session.finish());
  }

  // --- tampering ---------------------------------------------------------------------------------

  @Test
  void verify_tamperedBody_isFail() {
    RawMessage message = signed(DkimSignerTest.rsaKey(), DkimSignerTest.ed25519Key());
    RawMessage tampered = MessageEdits.withBody(message,
        "Hello Bob,\r\n\r\nsend bitcoin.\r\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(verify(DkimSignerTest.dns(), tampered)).allSatisfy(r -> {
      assertThat(r.outcome()).isEqualTo(DkimOutcome.FAIL);
      assertThat(r.cause()).isEqualTo(DkimCause.BODY_HASH_MISMATCH);
    });
  }

  @Test
  void verify_whiteSpaceChangesInTheBody_passUnderRelaxed() {
    RawMessage message = signed(DkimSignerTest.rsaKey());
    String body = new String(message.body(), StandardCharsets.UTF_8).replace("the numbers", "the \t numbers") + "\r\n\r\n";
    assertThat(verify(DkimSignerTest.dns(), MessageEdits.withBody(message, body.getBytes(StandardCharsets.UTF_8))))
        .extracting(DkimResult::outcome).containsExactly(DkimOutcome.PASS);
  }

  @Test
  void verify_tamperedSignedHeader_isFail() {
    RawMessage message = signed(DkimSignerTest.rsaKey(), DkimSignerTest.ed25519Key());
    List<HeaderField> headers = new ArrayList<>(message.headers());
    headers.replaceAll(f -> f.hasName("Subject") ? new HeaderField("Subject", " Send bitcoin") : f);
    assertThat(verify(DkimSignerTest.dns(), MessageEdits.withHeaders(message, headers))).allSatisfy(r -> {
      assertThat(r.outcome()).isEqualTo(DkimOutcome.FAIL);
      assertThat(r.cause()).isEqualTo(DkimCause.SIGNATURE_MISMATCH);
    });
  }

  @Test
  void verify_unsignedHeaderAdded_stillPasses() {
    RawMessage message = signed(DkimSignerTest.rsaKey());
    List<HeaderField> headers = new ArrayList<>(message.headers());
    headers.add(0, new HeaderField("Received", " from mx.example.net by mx2.example.net"));
    headers.add(new HeaderField("X-Spam-Score", " 0.1"));
    assertThat(verify(DkimSignerTest.dns(), MessageEdits.withHeaders(message, headers)))
        .extracting(DkimResult::outcome).containsExactly(DkimOutcome.PASS);
  }

  @Test
  void verify_addedFrom_isFailBecauseFromIsOverSigned() {
    RawMessage message = signed(DkimSignerTest.rsaKey(), DkimSignerTest.ed25519Key());
    HeaderField forged = new HeaderField("From", " Boss <boss@example.com>");
    List<HeaderField> below = new ArrayList<>(message.headers());
    below.add(forged);
    List<HeaderField> above = new ArrayList<>(message.headers());
    above.add(2, forged);
    for (RawMessage tampered : List.of(MessageEdits.withHeaders(message, below),
        MessageEdits.withHeaders(message, above))) {
      assertThat(verify(DkimSignerTest.dns(), tampered)).allSatisfy(r -> {
        assertThat(r.outcome()).isEqualTo(DkimOutcome.FAIL);
        assertThat(r.cause()).isEqualTo(DkimCause.SIGNATURE_MISMATCH);
      });
    }
  }

  @Test
  void verify_addedTo_isFailEvenThoughItWasOverSignedWhenAbsent() {
    RawMessage noTo = MessageEdits.withHeaders(MESSAGE,
        MESSAGE.headers().stream().filter(f -> !f.hasName("To")).toList());
    RawMessage message = MessageEdits.prepend(noTo, DkimSignerTest.sign(noTo, List.of(DkimSignerTest.rsaKey()), 4096));
    assertThat(verify(DkimSignerTest.dns(), message)).extracting(DkimResult::outcome).containsExactly(DkimOutcome.PASS);
    List<HeaderField> headers = new ArrayList<>(message.headers());
    headers.add(new HeaderField("To", " victim@example.net"));
    assertThat(verify(DkimSignerTest.dns(), MessageEdits.withHeaders(message, headers)))
        .extracting(DkimResult::outcome).containsExactly(DkimOutcome.FAIL);
  }

  // --- keys and DNS ------------------------------------------------------------------------------

  @Test
  void verify_unknownSelector_isPermerror() {
    DkimResult result = only(verify(new StaticDnsSource(), signed(DkimSignerTest.rsaKey())));
    assertThat(result.outcome()).isEqualTo(DkimOutcome.PERMERROR);
    assertThat(result.cause()).isEqualTo(DkimCause.KEY_NOT_FOUND);
    assertThat(result.detail()).isEqualTo(RSA_NAME + " does not exist");
    assertThat(result.selector()).isEqualTo("rsa2026");
  }

  @Test
  void verify_nameWithoutTxtRecord_isPermerror() {
    StaticDnsSource dns = new StaticDnsSource().answer(RSA_NAME, new DnsAnswer.NotFound(false));
    DkimResult result = only(verify(dns, signed(DkimSignerTest.rsaKey())));
    assertThat(result.outcome()).isEqualTo(DkimOutcome.PERMERROR);
    assertThat(result.cause()).isEqualTo(DkimCause.KEY_NOT_FOUND);
    assertThat(result.detail()).isEqualTo("no TXT record at " + RSA_NAME);
  }

  @Test
  void verify_dnsFailure_isTemperror() {
    StaticDnsSource dns = new StaticDnsSource().answer(RSA_NAME, new DnsAnswer.Failed("SERVFAIL", false));
    DkimResult result = only(verify(dns, signed(DkimSignerTest.rsaKey())));
    assertThat(result.outcome()).isEqualTo(DkimOutcome.TEMPERROR);
    assertThat(result.cause()).isEqualTo(DkimCause.DNS_FAILURE);
  }

  @Test
  void verify_dnsTimeout_isTemperrorSayingTimeout() {
    StaticDnsSource dns = new StaticDnsSource().answer(RSA_NAME, new DnsAnswer.Failed("no answer in 5s", true));
    DkimResult result = only(verify(dns, signed(DkimSignerTest.rsaKey())));
    assertThat(result.outcome()).isEqualTo(DkimOutcome.TEMPERROR);
    assertThat(result.cause()).isEqualTo(DkimCause.DNS_TIMEOUT);
  }

  @Test
  void verify_lookupNeverAnswering_isTemperrorAtFinish() {
    StaticDnsSource dns = DkimSignerTest.dns();
    dns.hold(ED_NAME);
    RawMessage message = signed(DkimSignerTest.rsaKey(), DkimSignerTest.ed25519Key());
    VerificationSession session = new DkimVerifier(dns, DkimPolicy.defaults(), CLOCK).start(message.headers());
    assertThat(session.keysLookedUp()).isNotDone();
    session.body(message.body());
    List<DkimResult> results = session.finish();
    assertThat(results).extracting(DkimResult::outcome).containsExactly(DkimOutcome.PASS, DkimOutcome.TEMPERROR);
    assertThat(results.get(1).cause()).isEqualTo(DkimCause.KEY_LOOKUP_UNFINISHED);
  }

  @Test
  void verify_bodyIsHashedWhileTheKeyIsStillBeingLookedUp() {
    StaticDnsSource dns = new StaticDnsSource();
    CompletableFuture<DnsAnswer> answer = dns.hold(RSA_NAME);
    RawMessage message = signed(DkimSignerTest.rsaKey());
    VerificationSession session = new DkimVerifier(dns, DkimPolicy.defaults(), CLOCK).start(message.headers());
    assertThat(dns.lookups()).containsExactly(RSA_NAME);
    session.body(message.body(), 0, 10);
    session.body(message.body(), 10, message.body().length - 10);
    assertThat(session.keysLookedUp()).isNotDone();
    // the answer arrives on another thread
    CompletableFuture.runAsync(() -> answer.complete(new DnsAnswer.Found(
        List.of(TestKeys.txtRecord(TestKeys.rsa2048().getPublic())), Duration.ofMinutes(5)))).join();
    assertThat(session.keysLookedUp()).isCompleted();
    assertThat(session.finish()).extracting(DkimResult::outcome).containsExactly(DkimOutcome.PASS);
  }

  @Test
  void verify_keysLookedUpNeverFailsEvenWhenTheDnsFutureDoes() {
    StaticDnsSource dns = new StaticDnsSource();
    CompletableFuture<DnsAnswer> answer = dns.hold(RSA_NAME);
    RawMessage message = signed(DkimSignerTest.rsaKey());
    VerificationSession session = new DkimVerifier(dns, DkimPolicy.defaults(), CLOCK).start(message.headers());
    answer.completeExceptionally(new IllegalStateException("resolver shut down"));
    assertThat(session.keysLookedUp()).isCompleted();
    session.body(message.body());
    assertThat(only(session.finish()).cause()).isEqualTo(DkimCause.DNS_FAILURE);
  }

  @Test
  void verify_oneLookupPerDistinctName() {
    RawMessage once = signed(DkimSignerTest.rsaKey(), DkimSignerTest.ed25519Key());
    // the same two signatures again (as after a re-injection): four fields, two names
    RawMessage twice = MessageEdits.prepend(once, once.headers().subList(0, 2));
    StaticDnsSource dns = DkimSignerTest.dns();
    List<DkimResult> results = verify(dns, twice);
    assertThat(results).hasSize(4).extracting(DkimResult::outcome).containsOnly(DkimOutcome.PASS);
    assertThat(dns.lookups()).containsExactlyInAnyOrder(RSA_NAME, ED_NAME);
  }

  @Test
  void verify_revokedKey_isPermerror() {
    StaticDnsSource dns = new StaticDnsSource().txt(RSA_NAME, "v=DKIM1; k=rsa; p=");
    DkimResult result = only(verify(dns, signed(DkimSignerTest.rsaKey())));
    assertThat(result.outcome()).isEqualTo(DkimOutcome.PERMERROR);
    assertThat(result.cause()).isEqualTo(DkimCause.KEY_REVOKED);
  }

  @Test
  void verify_keyTypeNotMatchingTheAlgorithm_isPermerror() {
    StaticDnsSource dns = new StaticDnsSource().txt(ED_NAME, TestKeys.txtRecord(TestKeys.rsa2048().getPublic()));
    DkimResult result = only(verify(dns, signed(DkimSignerTest.ed25519Key())));
    assertThat(result.outcome()).isEqualTo(DkimOutcome.PERMERROR);
    assertThat(result.cause()).isEqualTo(DkimCause.KEY_TYPE_MISMATCH);
  }

  @Test
  void verify_keyHashListExcludingSha256_isPermerror() {
    String record = TestKeys.txtRecord(TestKeys.rsa2048().getPublic()).replace("k=rsa;", "k=rsa; h=sha1;");
    DkimResult result = only(verify(new StaticDnsSource().txt(RSA_NAME, record), signed(DkimSignerTest.rsaKey())));
    assertThat(result.outcome()).isEqualTo(DkimOutcome.PERMERROR);
    assertThat(result.cause()).isEqualTo(DkimCause.KEY_HASH_NOT_ALLOWED);
  }

  @Test
  void verify_keyHashListIncludingSha256_passes() {
    String record = TestKeys.txtRecord(TestKeys.rsa2048().getPublic()).replace("k=rsa;", "k=rsa; h=sha1:SHA256;");
    assertThat(only(verify(new StaticDnsSource().txt(RSA_NAME, record), signed(DkimSignerTest.rsaKey()))).outcome())
        .isEqualTo(DkimOutcome.PASS);
  }

  @Test
  void verify_keyRecordSyntaxError_isPermerror() {
    StaticDnsSource dns = new StaticDnsSource().txt(RSA_NAME, "v=DKIM1; p=abc; p=def");
    DkimResult result = only(verify(dns, signed(DkimSignerTest.rsaKey())));
    assertThat(result.outcome()).isEqualTo(DkimOutcome.PERMERROR);
    assertThat(result.cause()).isEqualTo(DkimCause.KEY_SYNTAX);
    assertThat(result.detail()).endsWith("(at " + RSA_NAME + ")");
  }

  @Test
  void verify_keyRecordWithVersionNotFirst_isPermerror() {
    String record = TestKeys.txtRecord(TestKeys.rsa2048().getPublic()).replace("v=DKIM1; k=rsa;", "k=rsa; v=DKIM1;");
    DkimResult result = only(verify(new StaticDnsSource().txt(RSA_NAME, record), signed(DkimSignerTest.rsaKey())));
    assertThat(result.outcome()).isEqualTo(DkimOutcome.PERMERROR);
    assertThat(result.cause()).isEqualTo(DkimCause.KEY_SYNTAX);
  }

  @Test
  void verify_keyRecordWithoutPublicKey_isPermerror() {
    DkimResult result = only(verify(new StaticDnsSource().txt(RSA_NAME, "v=DKIM1; k=rsa"), signed(DkimSignerTest.rsaKey())));
    assertThat(result.cause()).isEqualTo(DkimCause.KEY_SYNTAX);
  }

  @Test
  void verify_keyRecordOfAnotherVersion_isPermerror() {
    String record = TestKeys.txtRecord(TestKeys.rsa2048().getPublic()).replace("v=DKIM1", "v=DKIM2");
    DkimResult result = only(verify(new StaticDnsSource().txt(RSA_NAME, record), signed(DkimSignerTest.rsaKey())));
    assertThat(result.outcome()).isEqualTo(DkimOutcome.PERMERROR);
    assertThat(result.cause()).isEqualTo(DkimCause.KEY_UNSUPPORTED_VERSION);
  }

  @Test
  void verify_keyThatIsNotBase64_isPermerror() {
    DkimResult result = only(verify(new StaticDnsSource().txt(RSA_NAME, "v=DKIM1; k=rsa; p=ab!d"), signed(DkimSignerTest.rsaKey())));
    assertThat(result.cause()).isEqualTo(DkimCause.KEY_MALFORMED);
  }

  @Test
  void verify_nameWithAnEmptyTxtAnswer_isKeyNotFound() {
    StaticDnsSource dns = new StaticDnsSource().answer(RSA_NAME, new DnsAnswer.Found(List.of(), Duration.ofMinutes(5)));
    assertThat(only(verify(dns, signed(DkimSignerTest.rsaKey()))).cause()).isEqualTo(DkimCause.KEY_NOT_FOUND);
  }

  @Test
  void verify_undecodableKey_isPermerror() {
    StaticDnsSource dns = new StaticDnsSource().txt(RSA_NAME, "v=DKIM1; k=rsa; p=bm90IGEga2V5");
    DkimResult result = only(verify(dns, signed(DkimSignerTest.rsaKey())));
    assertThat(result.outcome()).isEqualTo(DkimOutcome.PERMERROR);
    assertThat(result.cause()).isEqualTo(DkimCause.KEY_MALFORMED);
  }

  @Test
  void verify_ed25519KeyThatIsNotACurvePoint_isPermerror() {
    byte[] notAPoint = new byte[32];
    java.util.Arrays.fill(notAPoint, (byte) 0xff);
    StaticDnsSource dns = new StaticDnsSource().txt(ED_NAME, "v=DKIM1; k=ed25519; p=" + Base64.getEncoder().encodeToString(notAPoint));
    DkimResult result = only(verify(dns, signed(DkimSignerTest.ed25519Key())));
    assertThat(result.outcome()).isEqualTo(DkimOutcome.PERMERROR);
    assertThat(result.cause()).isEqualTo(DkimCause.KEY_MALFORMED);
  }

  @Test
  void verify_ed25519KeyOfTheWrongLength_isPermerror() {
    StaticDnsSource dns = new StaticDnsSource().txt(ED_NAME, "v=DKIM1; k=ed25519; p=" + Base64.getEncoder().encodeToString(new byte[31]));
    DkimResult result = only(verify(dns, signed(DkimSignerTest.ed25519Key())));
    assertThat(result.outcome()).isEqualTo(DkimOutcome.PERMERROR);
    assertThat(result.cause()).isEqualTo(DkimCause.KEY_MALFORMED);
    assertThat(result.detail()).startsWith("31 bytes, an Ed25519 key is 32");
  }

  @Test
  void verify_severalTxtRecords_theFirstThatParsesIsTheKey() {
    StaticDnsSource dns = new StaticDnsSource().txt(RSA_NAME, "v=spf1 -all", "not a tag list at all",
        TestKeys.txtRecord(TestKeys.rsa2048().getPublic()), "v=DKIM1; k=rsa; p=");
    assertThat(only(verify(dns, signed(DkimSignerTest.rsaKey()))).outcome()).isEqualTo(DkimOutcome.PASS);
  }

  @Test
  void verify_pkcs1RsaKeyRecordIsAccepted() throws Exception {
    // some publishers put the bare RSAPublicKey in p= instead of the SubjectPublicKeyInfo
    byte[] spki = TestKeys.rsa2048().getPublic().getEncoded();
    byte[] pkcs1 = org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(spki).getPublicKeyData().getOctets();
    StaticDnsSource dns = new StaticDnsSource().txt(RSA_NAME, "v=DKIM1; p=" + Base64.getEncoder().encodeToString(pkcs1));
    assertThat(only(verify(dns, signed(DkimSignerTest.rsaKey()))).outcome()).isEqualTo(DkimOutcome.PASS);
  }

  @Test
  void verify_keyInTestMode_passesAndSaysSo() {
    String record = TestKeys.txtRecord(TestKeys.rsa2048().getPublic()) + "; t=y";
    DkimResult result = only(verify(new StaticDnsSource().txt(RSA_NAME, record), signed(DkimSignerTest.rsaKey())));
    assertThat(result.outcome()).isEqualTo(DkimOutcome.PASS);
    assertThat(result.cause()).isEqualTo(DkimCause.VERIFIED_TEST_MODE);
  }

  @Test
  void verify_strictKeyWithIdentityInSubdomain_isPermerror() {
    StaticDnsSource dns = rfc8463Dns();
    dns.txt("test._domainkey.example.com", TestKeys.txtRecord(TestKeys.rfc8463RsaPublic()) + "; t=s");
    String template = TEST_TAGS + " i=joe@sub.example.com; bh=; b=";
    DkimResult result = only(verify(dns, crafted(MESSAGE, template, TestKeys.rfc8463Rsa())));
    assertThat(result.outcome()).isEqualTo(DkimOutcome.PERMERROR);
    assertThat(result.cause()).isEqualTo(DkimCause.KEY_STRICT_SUBDOMAIN);
  }

  @Test
  void verify_keyForAnotherService_isPermerror() {
    String record = TestKeys.txtRecord(TestKeys.rsa2048().getPublic()) + "; s=other";
    DkimResult result = only(verify(new StaticDnsSource().txt(RSA_NAME, record), signed(DkimSignerTest.rsaKey())));
    assertThat(result.outcome()).isEqualTo(DkimOutcome.PERMERROR);
    assertThat(result.cause()).isEqualTo(DkimCause.KEY_SERVICE_NOT_EMAIL);
  }

  // --- signature syntax --------------------------------------------------------------------------

  private static DkimResult verifyField(String value) {
    RawMessage message = MessageEdits.prepend(MESSAGE, List.of(new HeaderField("DKIM-Signature", value)));
    return only(verify(rfc8463Dns(), message));
  }

  @Test
  void verify_signatureSyntaxError_isPermerrorWithWhatCouldBeRead() {
    DkimResult result = verifyField(" v=1; a=rsa-sha256; d=example.com; s=sel; b=abc\r\n def; this is not a tag");
    assertThat(result.outcome()).isEqualTo(DkimOutcome.PERMERROR);
    assertThat(result.cause()).isEqualTo(DkimCause.SIGNATURE_SYNTAX);
    assertThat(result.domain()).isEqualTo("example.com");
    assertThat(result.selector()).isEqualTo("sel");
    assertThat(result.signature()).isEqualTo("abcdef");
  }

  @Test
  void verify_missingRequiredTag_isPermerror() {
    DkimResult result = verifyField(" v=1; a=rsa-sha256; d=example.com; s=test; h=from; b=abcd");
    assertThat(result.outcome()).isEqualTo(DkimOutcome.PERMERROR);
    assertThat(result.cause()).isEqualTo(DkimCause.MISSING_TAG);
    assertThat(result.detail()).isEqualTo("bh=");
  }

  @Test
  void verify_headerListWithoutFrom_isPermerror() {
    DkimResult result = verifyField(" v=1; a=rsa-sha256; d=example.com; s=test; h=to:subject; bh=abcd; b=abcd");
    assertThat(result.outcome()).isEqualTo(DkimOutcome.PERMERROR);
    assertThat(result.cause()).isEqualTo(DkimCause.FROM_NOT_SIGNED);
  }

  @Test
  void verify_identityOutsideTheDomain_isPermerror() {
    DkimResult result = verifyField(" v=1; a=rsa-sha256; d=example.com; s=test; i=joe@example.com.evil.net;"
        + " h=from; bh=abcd; b=abcd");
    assertThat(result.outcome()).isEqualTo(DkimOutcome.PERMERROR);
    assertThat(result.cause()).isEqualTo(DkimCause.IDENTITY_OUTSIDE_DOMAIN);
  }

  @Test
  void verify_identityInASubdomain_isAccepted() {
    String template = TEST_TAGS + " i=joe@mail.example.com; bh=; b=";
    assertThat(only(verify(rfc8463Dns(), crafted(MESSAGE, template, TestKeys.rfc8463Rsa()))).outcome())
        .isEqualTo(DkimOutcome.PASS);
  }

  @Test
  void verify_unknownAlgorithm_isPermerror() {
    DkimResult result = verifyField(" v=1; a=rsa-sha512; d=example.com; s=test; h=from; bh=abcd; b=abcd");
    assertThat(result.outcome()).isEqualTo(DkimOutcome.PERMERROR);
    assertThat(result.cause()).isEqualTo(DkimCause.UNSUPPORTED_ALGORITHM);
    assertThat(result.algorithm()).isEqualTo("rsa-sha512");
  }

  @Test
  void verify_otherSyntaxProblems_arePermerrors() {
    String rest = " d=example.com; s=test; h=from; bh=abcd; b=abcd";
    assertThat(verifyField(" v=2; a=rsa-sha256;" + rest).cause()).isEqualTo(DkimCause.UNSUPPORTED_VERSION);
    assertThat(verifyField(" v=1; a=rsa-sha256; c=fancy/simple;" + rest).cause())
        .isEqualTo(DkimCause.UNSUPPORTED_CANONICALIZATION);
    assertThat(verifyField(" v=1; a=rsa-sha256; q=http/well-known;" + rest).cause())
        .isEqualTo(DkimCause.UNSUPPORTED_QUERY_METHOD);
    // one cause for every tag whose value is not of its kind; the detail says which tag
    List<String> malformed = List.of(
        " v=1; a=rsa-sha256; l=12x;" + rest,
        " v=1; a=rsa-sha256; t=20; x=10;" + rest,
        " v=1; a=rsa-sha256; d=exa mple.com; s=test; h=from; bh=abcd; b=abcd",
        " v=1; a=rsa-sha256; d=example.com; s=test; h=from; bh=abcd; b=ab!d",
        " v=1; a=rsa-sha256; d=example.com; s=test; h=from::to; bh=abcd; b=abcd");
    assertThat(malformed).extracting(DkimVerifierTest::verifyField).allSatisfy(r -> {
      assertThat(r.cause()).isEqualTo(DkimCause.MALFORMED_TAG);
      assertThat(r.outcome()).isEqualTo(DkimOutcome.PERMERROR);
    }).extracting(r -> r.detail().substring(0, r.detail().indexOf('=') + 1))
        .containsExactly("l=", "x=", "d=", "b=", "h=");
  }

  @Test
  void verify_signatureSyntaxErrorsCauseNoLookup() {
    StaticDnsSource dns = new StaticDnsSource();
    RawMessage message = MessageEdits.prepend(MESSAGE,
        List.of(new HeaderField("DKIM-Signature", " v=1; a=rsa-sha256; d=example.com; s=test")));
    verify(dns, message);
    assertThat(dns.lookups()).isEmpty();
  }

  /** Message content and DNS content are never exceptions: random tag soup in both places. */
  @Test
  void verify_arbitraryFieldAndRecordContent_neverThrows() {
    Random random = new Random(6376);
    String[] pieces = {"v=1", "v=DKIM1", "a=rsa-sha256", "a=ed25519-sha256", "a=rsa-sha1", "d=example.com", "s=test",
        "h=from", "h=from:to", "bh=abcd", "b=", "b=ab cd", "p=", "p=MIGfMA0G", "k=ed25519", "k=rsa", "l=5",
        "l=99999999999999999999999", "t=1", "x=0", "i=@example.com", "i==ZZ", "c=relaxed", "c=simple/x", "q=dns/txt",
        "t=y:s", "h=sha256", ";", " ", "\r\n ", "=", "==", "é", "\u0000"};
    for (int n = 0; n < 500; n++) {
      StringBuilder field = new StringBuilder();
      StringBuilder record = new StringBuilder();
      for (int i = random.nextInt(12); i > 0; i--) {
        field.append(pieces[random.nextInt(pieces.length)]).append(random.nextBoolean() ? "; " : "");
        record.append(pieces[random.nextInt(pieces.length)]).append(random.nextBoolean() ? "; " : "");
      }
      StaticDnsSource dns = new StaticDnsSource().txt("test._domainkey.example.com", record.toString());
      RawMessage message = MessageEdits.prepend(MESSAGE, List.of(new HeaderField("DKIM-Signature", field.toString()),
          TestSignatures.sign(MESSAGE.headers(), MESSAGE.body(), TEST_TAGS + " bh=; b=", TestKeys.rfc8463Rsa())));
      List<DkimResult> results = verify(dns, message);
      assertThat(results).as("field %s, record %s", field, record).hasSize(2);
      // the random record is never the right key
      assertThat(results.get(1).outcome()).isNotEqualTo(DkimOutcome.PASS);
      // and no exception was swallowed on the way
      assertThat(results).extracting(DkimResult::cause).doesNotContain(DkimCause.INTERNAL_ERROR);
    }
  }

  // --- RFC 8301 and our policy -------------------------------------------------------------------

  @Test
  void verify_rsaSha1_isPolicyWithoutALookup() {
    StaticDnsSource dns = rfc8463Dns();
    String template = TEST_TAGS.replace("rsa-sha256", "rsa-sha1") + " bh=; b=";
    DkimResult result = only(verify(dns, crafted(MESSAGE, template, TestKeys.rfc8463Rsa())));
    assertThat(result.outcome()).isEqualTo(DkimOutcome.POLICY);
    assertThat(result.cause()).isEqualTo(DkimCause.RSA_SHA1_REFUSED);
    assertThat(result.algorithm()).isEqualTo("rsa-sha1");
    assertThat(dns.lookups()).isEmpty();
  }

  @Test
  void verify_rsaKeyOf512Bits_isPolicy() {
    SigningKey weak = new SigningKey("example.com", "weak", DkimAlgorithm.RSA_SHA256, TestKeys.rsa512().getPrivate());
    StaticDnsSource dns = new StaticDnsSource().txt("weak._domainkey.example.com", TestKeys.txtRecord(TestKeys.rsa512().getPublic()));
    DkimResult result = only(verify(dns, signed(weak)));
    assertThat(result.outcome()).isEqualTo(DkimOutcome.POLICY);
    assertThat(result.cause()).isEqualTo(DkimCause.KEY_TOO_SHORT);
    assertThat(result.detail()).isEqualTo("512 bits, the minimum is 1024");
  }

  @Test
  void verify_minRsaBitsComesFromThePolicy() {
    DkimPolicy strict = new DkimPolicy(4096, 8192, 5, 4096, Duration.ofMinutes(5));
    DkimResult result = only(verify(DkimSignerTest.dns(), strict, CLOCK, signed(DkimSignerTest.rsaKey())));
    assertThat(result.cause()).isEqualTo(DkimCause.KEY_TOO_SHORT);
    assertThat(result.detail()).isEqualTo("2048 bits, the minimum is 4096");
  }

  @Test
  void verify_rsaKeyLongerThanTheMaximum_isPolicy_andNeverVerified() {
    DkimPolicy small = new DkimPolicy(1024, 1024, 5, 4096, Duration.ofMinutes(5));
    DkimResult result = only(verify(DkimSignerTest.dns(), small, CLOCK, signed(DkimSignerTest.rsaKey())));
    assertThat(result.outcome()).isEqualTo(DkimOutcome.POLICY);
    assertThat(result.cause()).isEqualTo(DkimCause.KEY_TOO_LONG);
    assertThat(result.detail()).isEqualTo("2048 bits, the maximum is 1024");
  }

  @Test
  void verify_keyRecordLongerThanTheMaximum_isNotParsed() {
    String record = TestKeys.txtRecord(TestKeys.rsa512().getPublic()) + "; n=" + "x".repeat(5000);
    SigningKey weak = new SigningKey("example.com", "weak", DkimAlgorithm.RSA_SHA256, TestKeys.rsa512().getPrivate());
    StaticDnsSource dns = new StaticDnsSource().txt("weak._domainkey.example.com", record);
    DkimResult result = only(verify(dns, signed(weak)));
    assertThat(result.outcome()).isEqualTo(DkimOutcome.PERMERROR);
    assertThat(result.cause()).isEqualTo(DkimCause.KEY_RECORD_TOO_LONG);
    assertThat(result.detail()).startsWith(record.length() + " characters, the maximum is 4096");
  }

  @Test
  void verify_signaturesPastTheMaximum_getNoResult_andAreCounted() {
    RawMessage message = signed(DkimSignerTest.rsaKey(), DkimSignerTest.ed25519Key());
    DkimPolicy one = new DkimPolicy(1024, 8192, 1, 4096, Duration.ofMinutes(5));
    VerificationSession session = new DkimVerifier(DkimSignerTest.dns(), one, CLOCK).start(message.headers());
    session.body(message.body());
    assertThat(session.finish()).hasSize(1);
    assertThat(session.ignoredSignatures()).isEqualTo(1);
    assertThat(new DkimVerifier(DkimSignerTest.dns(), DkimPolicy.defaults(), CLOCK).start(message.headers())
        .ignoredSignatures()).isZero();
  }

  @Test
  void verify_partialBodyLength_isPolicy() {
    byte[] body = "line one\r\nline two\r\n".getBytes(StandardCharsets.US_ASCII);
    RawMessage message = MessageEdits.withBody(MESSAGE, body);
    RawMessage signed = crafted(message, TEST_TAGS + " l=10; bh=; b=", TestKeys.rfc8463Rsa());
    DkimResult result = only(verify(rfc8463Dns(), signed));
    assertThat(result.outcome()).isEqualTo(DkimOutcome.POLICY);
    assertThat(result.cause()).isEqualTo(DkimCause.BODY_LENGTH_PARTIAL);
    assertThat(result.detail()).isEqualTo("10 of 20");
  }

  @Test
  void verify_appendedTrailerBeyondBodyLength_isPolicyNotFail() {
    byte[] body = "line one\r\nline two\r\n".getBytes(StandardCharsets.US_ASCII);
    RawMessage signed = crafted(MessageEdits.withBody(MESSAGE, body), TEST_TAGS + " l=20; bh=; b=",
        TestKeys.rfc8463Rsa());
    RawMessage withTrailer = MessageEdits.withBody(signed,
        "line one\r\nline two\r\n--\r\nunsubscribe\r\n".getBytes(StandardCharsets.US_ASCII));
    DkimResult result = only(verify(rfc8463Dns(), withTrailer));
    assertThat(result.outcome()).isEqualTo(DkimOutcome.POLICY);
    assertThat(result.cause()).isEqualTo(DkimCause.BODY_LENGTH_PARTIAL);
    assertThat(result.detail()).isEqualTo("17 of 37");
  }

  @Test
  void verify_bodyLengthCoveringTheWholeBody_passes() {
    byte[] body = "line one\r\nline two\r\n\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    RawMessage signed = crafted(MessageEdits.withBody(MESSAGE, body), TEST_TAGS + " l=20; bh=; b=",
        TestKeys.rfc8463Rsa());
    assertThat(only(verify(rfc8463Dns(), signed)).outcome()).isEqualTo(DkimOutcome.PASS);
  }

  @Test
  void verify_bodyLengthLongerThanTheBody_isFail() {
    byte[] body = "line one\r\nline two\r\n".getBytes(StandardCharsets.US_ASCII);
    RawMessage signed = crafted(MessageEdits.withBody(MESSAGE, body), TEST_TAGS + " l=20; bh=; b=",
        TestKeys.rfc8463Rsa());
    RawMessage truncated = MessageEdits.withBody(signed, "line one\r\n".getBytes(StandardCharsets.US_ASCII));
    DkimResult result = only(verify(rfc8463Dns(), truncated));
    assertThat(result.outcome()).isEqualTo(DkimOutcome.FAIL);
    assertThat(result.cause()).isEqualTo(DkimCause.BODY_LENGTH_EXCEEDS);
    assertThat(result.detail()).isEqualTo("l=20, the canonical body has 10 bytes");
  }

  @Test
  void verify_expiredSignature_isNeutral() {
    String template = "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=test; t=" + (NOW - 86_400)
        + "; x=" + (NOW - 3600) + "; h=from:to:subject; bh=; b=";
    StaticDnsSource dns = rfc8463Dns();
    DkimResult result = only(verify(dns, crafted(MESSAGE, template, TestKeys.rfc8463Rsa())));
    assertThat(result.outcome()).isEqualTo(DkimOutcome.NEUTRAL);
    assertThat(result.cause()).isEqualTo(DkimCause.SIGNATURE_EXPIRED);
    assertThat(dns.lookups()).isEmpty();
  }

  @Test
  void verify_expiryWithinTheClockSkew_passes() {
    String template = "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=test; t=" + (NOW - 86_400)
        + "; x=" + (NOW - 60) + "; h=from:to:subject; bh=; b=";
    assertThat(only(verify(rfc8463Dns(), crafted(MESSAGE, template, TestKeys.rfc8463Rsa()))).outcome())
        .isEqualTo(DkimOutcome.PASS);
  }

  @Test
  void verify_timestampInTheFuture_isNeutral() {
    String future = "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=test; t=" + (NOW + 3600)
        + "; h=from:to:subject; bh=; b=";
    DkimResult result = only(verify(rfc8463Dns(), crafted(MESSAGE, future, TestKeys.rfc8463Rsa())));
    assertThat(result.outcome()).isEqualTo(DkimOutcome.NEUTRAL);
    assertThat(result.cause()).isEqualTo(DkimCause.SIGNATURE_IN_FUTURE);
    assertThat(result.detail()).isEqualTo("t=" + (NOW + 3600) + " is 3600 s ahead");
    String nearFuture = future.replace("t=" + (NOW + 3600), "t=" + (NOW + 60));
    assertThat(only(verify(rfc8463Dns(), crafted(MESSAGE, nearFuture, TestKeys.rfc8463Rsa()))).outcome())
        .isEqualTo(DkimOutcome.PASS);
  }

  @Test
  void verify_moreSignaturesThanTheCap_onlyTheFirstAreEvaluated() {
    List<HeaderField> fields = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      SigningKey key = new SigningKey("example.com", "s" + i, DkimAlgorithm.ED25519_SHA256, TestKeys.ed25519().getPrivate());
      fields.addAll(DkimSignerTest.sign(MESSAGE, List.of(key), 4096));
    }
    StaticDnsSource dns = new StaticDnsSource();
    for (int i = 0; i < 7; i++) {
      dns.txt("s" + i + "._domainkey.example.com", TestKeys.txtRecord(TestKeys.ed25519().getPublic()));
    }
    List<DkimResult> results = verify(dns, DkimPolicy.defaults(), CLOCK, MessageEdits.prepend(MESSAGE, fields));
    assertThat(results).hasSize(DkimPolicy.DEFAULT_MAX_SIGNATURES)
        .extracting(DkimResult::selector).containsExactly("s0", "s1", "s2", "s3", "s4");
    assertThat(results).extracting(DkimResult::outcome).containsOnly(DkimOutcome.PASS);
    assertThat(dns.lookups()).hasSize(5).doesNotContain("s5._domainkey.example.com", "s6._domainkey.example.com");
  }

  @Test
  void verify_severalSignatures_eachGetAResultInHeaderOrder() {
    RawMessage ours = signed(DkimSignerTest.rsaKey(), DkimSignerTest.ed25519Key());
    SigningKey unknown = new SigningKey("example.com", "gone", DkimAlgorithm.RSA_SHA256, TestKeys.rsa2048().getPrivate());
    HeaderField broken = new HeaderField("DKIM-Signature", " v=1; a=rsa-sha256; d=example.org; s=x");
    List<HeaderField> headers = new ArrayList<>();
    headers.add(ours.headers().get(1));
    headers.add(broken);
    headers.addAll(DkimSignerTest.sign(MESSAGE, List.of(unknown), 4096));
    headers.add(ours.headers().get(0));
    headers.addAll(MESSAGE.headers());
    List<DkimResult> results = verify(DkimSignerTest.dns(), MessageEdits.withHeaders(MESSAGE, headers));
    assertThat(results).extracting(DkimResult::outcome)
        .containsExactly(DkimOutcome.PASS, DkimOutcome.PERMERROR, DkimOutcome.PERMERROR, DkimOutcome.PASS);
    assertThat(results).extracting(DkimResult::selector).containsExactly("ed2026", "x", "gone", "rsa2026");
  }

  // --- streaming, locale, threads ----------------------------------------------------------------

  /** docs/conventions.md, item 7: the streaming result equals the whole-message result, for every canonicalization. */
  @Test
  void verify_chunkedBody_givesTheWholeBodyResults() {
    byte[] body = ("First line  \r\n\tindented\t\tline \r\n\r\n" + "x".repeat(70_000) + "\r\n  \r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    RawMessage base = MessageEdits.withBody(MESSAGE, body);
    List<HeaderField> fields = new ArrayList<>(DkimSignerTest.sign(base, List.of(DkimSignerTest.ed25519Key()), 4096));
    for (String c : List.of("simple/simple", "relaxed/simple", "simple/relaxed")) {
      fields.add(TestSignatures.sign(base.headers(), body, TEST_TAGS.replace("relaxed/relaxed", c) + " bh=; b=", TestKeys.rfc8463Rsa()));
    }
    fields.add(TestSignatures.sign(base.headers(), body, TEST_TAGS + " l=30; bh=; b=", TestKeys.rfc8463Rsa()));
    RawMessage message = MessageEdits.prepend(base, fields);
    StaticDnsSource dns = DkimSignerTest.dns().txt("test._domainkey.example.com", TestKeys.txtRecord(TestKeys.rfc8463RsaPublic()));
    DkimPolicy policy = new DkimPolicy(1024, 8192, 10, 4096, Duration.ofMinutes(5));
    List<DkimResult> whole = verify(dns, policy, CLOCK, message);
    assertThat(whole).extracting(DkimResult::outcome).containsExactly(DkimOutcome.PASS, DkimOutcome.PASS,
        DkimOutcome.PASS, DkimOutcome.PASS, DkimOutcome.POLICY);

    Random random = new Random(8463);
    List<Integer> sizes = new ArrayList<>(List.of(1, 2, 3, 7, 64, 1000, 4096, 65535, 65536));
    for (int i = 0; i < 10; i++) {
      sizes.add(-1 - i);
    }
    for (int size : sizes) {
      VerificationSession session = new DkimVerifier(dns, policy, CLOCK).start(message.headers());
      int pos = 0;
      while (pos < body.length) {
        int n = Math.min(size > 0 ? size : 1 + random.nextInt(9000), body.length - pos);
        session.body(body, pos, n);
        pos += n;
      }
      assertThat(session.finish()).as("chunk size %d", size).isEqualTo(whole);
    }
  }

  @Test
  void verify_underTurkishLocale_passes() {
    RawMessage message = signed(DkimSignerTest.rsaKey(), DkimSignerTest.ed25519Key());
    Locale saved = Locale.getDefault();
    Locale.setDefault(Locale.forLanguageTag("tr-TR"));
    try {
      assertThat(verify(DkimSignerTest.dns(), message)).extracting(DkimResult::outcome)
          .containsExactly(DkimOutcome.PASS, DkimOutcome.PASS);
    } finally {
      Locale.setDefault(saved);
    }
  }

  @Test
  void verify_manySessionsOnManyThreads() throws Exception {
    DkimVerifier verifier = new DkimVerifier(DkimSignerTest.dns(), DkimPolicy.defaults(), CLOCK);
    List<RawMessage> messages = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      RawMessage m = MessageEdits.withBody(MESSAGE,
          ("body " + i + "\r\n").repeat(i + 1).getBytes(StandardCharsets.US_ASCII));
      RawMessage s = MessageEdits.prepend(m,
          DkimSignerTest.sign(m, List.of(DkimSignerTest.rsaKey(), DkimSignerTest.ed25519Key()), 4096));
      // every other message is tampered, so the threads do not all compute the same answer
      messages.add(i % 2 == 0 ? s : MessageEdits.withBody(s, "tampered\r\n".getBytes(StandardCharsets.US_ASCII)));
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<List<DkimResult>>> futures = new ArrayList<>();
      for (int round = 0; round < 8; round++) {
        for (RawMessage m : messages) {
          futures.add(pool.submit(() -> {
            VerificationSession session = verifier.start(m.headers());
            session.body(m.body());
            return session.finish();
          }));
        }
      }
      for (int i = 0; i < futures.size(); i++) {
        DkimOutcome expected = (i % messages.size()) % 2 == 0 ? DkimOutcome.PASS : DkimOutcome.FAIL;
        assertThat(futures.get(i).get()).extracting(DkimResult::outcome).containsOnly(expected);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void verifier_rejectsANegativePolicy() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() ->
            new DkimVerifier(new StaticDnsSource(), new DkimPolicy(1024, 8192, -1, 4096, Duration.ZERO), CLOCK))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxSignatures");
    org.assertj.core.api.Assertions.assertThatThrownBy(() ->
            new DkimVerifier(new StaticDnsSource(), new DkimPolicy(2048, 1024, 5, 4096, Duration.ZERO), CLOCK))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxRsaBits");
  }

  @Test
  void clockInstantsAreUsedNotTheSystemTime() {
    // a signature made "now" per the system clock is 5 years in the future for a verifier in 2021
    Clock past = Clock.fixed(Instant.parse("2021-01-01T00:00:00Z"), ZoneOffset.UTC);
    DkimResult result = only(verify(DkimSignerTest.dns(), DkimPolicy.defaults(), past, signed(DkimSignerTest.rsaKey())));
    assertThat(result.outcome()).isEqualTo(DkimOutcome.NEUTRAL);
  }
}
