package org.postseal.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postseal.dkim.internal.BodyHash;
import org.postseal.dkim.internal.Canonicalization;
import org.postseal.dns.DnsResolver;
import org.postseal.dns.FakeDnsServer;
import org.postseal.mail.HeaderField;
import org.postseal.mail.RawMessage;

/**
 * The DKIM cases of issue 11's hostile input list, each with the result it must get: DKIM-Signature fields
 * (duplicate tags, bad base64, huge values, l= and x= edge cases, missing and unsupported tags) and key records
 * (k=, h=, s=, t=, oversize, several strings, several records). Each message goes through {@link DkimVerifier} as
 * the milter starts and finishes it, its keys served by a real DNS server on loopback. The case name says what is
 * hostile; the expected cause fixes the dkim= result.
 */
class HostileDkimInputTest {

  private static final Clock CLOCK = DkimVerifierTest.CLOCK;
  private static final long NOW = DkimVerifierTest.NOW;
  private static final RawMessage MESSAGE = DkimSignerTest.MESSAGE;
  /** The RFC 8463 appendix A RSA key (1024 bits), which signs every RSA case. */
  private static final PrivateKey RSA = TestKeys.rfc8463Rsa();
  private static final String RSA_P = Base64.getEncoder().encodeToString(TestKeys.rfc8463RsaPublic().getEncoded());
  private static final KeyPair ED25519 = TestKeys.ed25519();
  private static final String ED25519_P = Base64.getEncoder().encodeToString(TestKeys.rawEd25519(ED25519.getPublic()));
  private static final String OTHER_RSA_P = Base64.getEncoder().encodeToString(TestKeys.rsa2048().getPublic().getEncoded());
  private static final KeyPair RSA_512 = TestKeys.rsa512();
  /** Well-formed base64 that is no signature: parses, then fails the cryptography. */
  private static final String NOT_A_SIGNATURE = Base64.getEncoder().encodeToString(new byte[128]);
  private static final String SOME_BODY_HASH = Base64.getEncoder().encodeToString(new byte[32]);

  private static FakeDnsServer dns;
  private static DkimVerifier verifier;

  @BeforeAll
  static void start() {
    dns = FakeDnsServer.start();
    StringBuilder zone = new StringBuilder("test._domainkey.example.com. TXT \"v=DKIM1; k=rsa; p=" + RSA_P + "\"\n");
    keyRecordCases().forEach(arguments -> {
      Object[] values = arguments.get();
      KeyCase keyCase = (KeyCase) values[1];
      for (String txt : keyCase.records()) {
        zone.append(keyCase.selector()).append("._domainkey.example.com. TXT ").append(txt).append('\n');
      }
    });
    dns.load(zone.toString());
    verifier = new DkimVerifier(DnsResolver.create(List.of(dns.address()), Duration.ofSeconds(2), Clock.systemUTC()),
        DkimPolicy.defaults(), CLOCK);
  }

  @AfterAll
  static void stop() {
    dns.close();
  }

  /** The message through the verifier as the milter runs it: headers, keys looked up, body, finish. */
  private static DkimResult verify(RawMessage message) throws Exception {
    VerificationSession session = verifier.start(message.headers());
    session.keysLookedUp().get(10, TimeUnit.SECONDS);
    session.body(message.body());
    List<DkimResult> results = session.finish();
    assertThat(results).hasSize(1);
    return results.get(0);
  }

  // --- DKIM-Signature fields ------------------------------------------------------------------------

  /** Tags of a good rsa-sha256 signature by the "test" key; {@code extra} goes before h=. */
  private static String tags(String extra) {
    return "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=test; t=" + NOW + "; " + extra + "h=from:to:subject;"
        + " bh=; b=";
  }

  /** The message signed with {@code template} (see {@link TestSignatures}) by {@code key}. */
  private static RawMessage signed(RawMessage message, String template, PrivateKey key) {
    return MessageEdits.prepend(message, List.of(TestSignatures.sign(message.headers(), message.body(), template, key)));
  }

  private static Supplier<RawMessage> signed(String template) {
    return () -> signed(MESSAGE, template, RSA);
  }

  /** A DKIM-Signature written as it is, not signed: for what is decided before the cryptography. */
  private static Supplier<RawMessage> written(String value) {
    return () -> MessageEdits.prepend(MESSAGE, List.of(new HeaderField("DKIM-Signature", " " + value)));
  }

  /** The signed message's DKIM-Signature value changed after signing. */
  private static Supplier<RawMessage> signedThenEdited(String template, java.util.function.UnaryOperator<String> edit) {
    return () -> {
      RawMessage message = signed(MESSAGE, template, RSA);
      HeaderField field = message.headers().get(0);
      return MessageEdits.prepend(MessageEdits.withHeaders(message, message.headers().subList(1, message.headers().size())),
          List.of(new HeaderField(field.name(), edit.apply(field.value()))));
    };
  }

  /** A message made some other way. */
  private static Supplier<RawMessage> edited(Supplier<RawMessage> message) {
    return message;
  }

  private static long canonicalBodyLength() {
    BodyHash hash = BodyHash.start(Canonicalization.RELAXED, "SHA-256", -1);
    hash.update(MESSAGE.body(), 0, MESSAGE.body().length);
    return hash.finish().canonicalLength();
  }

  private static byte[] appended(String text) {
    return (new String(MESSAGE.body(), StandardCharsets.UTF_8) + text).getBytes(StandardCharsets.UTF_8);
  }

  static Stream<Arguments> signatureCases() {
    long bodyLength = canonicalBodyLength();
    String rest = "s=test; h=from; bh=" + SOME_BODY_HASH + "; b=" + NOT_A_SIGNATURE;
    return Stream.of(
        arguments("well-formed, for comparison", signed(tags("")), DkimCause.VERIFIED),
        // duplicate tags: the tag-list is invalid as a whole (RFC 6376 section 3.2)
        arguments("d= twice", written("v=1; a=rsa-sha256; d=example.com; d=evil.example; " + rest),
            DkimCause.SIGNATURE_SYNTAX),
        arguments("b= twice", written("v=1; a=rsa-sha256; d=example.com; " + rest + "; b=" + NOT_A_SIGNATURE),
            DkimCause.SIGNATURE_SYNTAX),
        arguments("h= twice, the second without From",
            written("v=1; a=rsa-sha256; d=example.com; " + rest + "; h=subject"), DkimCause.SIGNATURE_SYNTAX),
        arguments("tag name with '-'", written("v=1; a=rsa-sha256; d=example.com; x-y=1; " + rest),
            DkimCause.SIGNATURE_SYNTAX),
        arguments("not a tag-list", written("v=1; a=rsa-sha256; d"), DkimCause.SIGNATURE_SYNTAX),
        arguments("a control character (0x01) in a value", written("v=1; a=rsa-sha256; d=example.com; z=a\u0001b; "
            + rest), DkimCause.SIGNATURE_SYNTAX),
        // bad base64
        arguments("b= not base64", written("v=1; a=rsa-sha256; d=example.com; s=test; h=from; bh=" + SOME_BODY_HASH
            + "; b=!!not*base64"), DkimCause.MALFORMED_TAG),
        arguments("b= cut inside a quantum",
            signedThenEdited(tags(""), v -> v.substring(0, v.length() - 3)), DkimCause.MALFORMED_TAG),
        arguments("b= empty", written("v=1; a=rsa-sha256; d=example.com; s=test; h=from; bh=" + SOME_BODY_HASH + "; b="),
            DkimCause.MALFORMED_TAG),
        arguments("bh= not base64", written("v=1; a=rsa-sha256; d=example.com; s=test; h=from; bh=#; b="
            + NOT_A_SIGNATURE), DkimCause.MALFORMED_TAG),
        arguments("b= well-formed but not the signature",
            signedThenEdited(tags(""), v -> v.substring(0, v.lastIndexOf("b=") + 2) + NOT_A_SIGNATURE),
            DkimCause.SIGNATURE_MISMATCH),
        arguments("body changed after signing (bh= of another body)",
            edited(() -> MessageEdits.withBody(signed(MESSAGE, tags(""), RSA), appended("P.S. pay me\r\n"))),
            DkimCause.BODY_HASH_MISMATCH),
        // huge values
        arguments("b= of 200,000 base64 characters",
            signedThenEdited(tags(""), v -> v.substring(0, v.lastIndexOf("b=") + 2) + "QUFB".repeat(50_000)),
            DkimCause.SIGNATURE_MISMATCH),
        arguments("an unknown tag of 100,000 characters with folding white space, signed",
            signed(tags("z=" + "a\r\n b ".repeat(20_000) + "c; ")), DkimCause.VERIFIED),
        arguments("h= naming From 5,000 times, signed",
            signed(tags("").replace("h=from:to:subject", "h=" + "from:".repeat(5_000) + "to")), DkimCause.VERIFIED),
        arguments("d= of 300 characters", written("v=1; a=rsa-sha256; d=" + "a".repeat(296) + ".com; " + rest),
            DkimCause.MALFORMED_TAG),
        arguments("s= with a 64-character label", written("v=1; a=rsa-sha256; d=example.com; s=" + "s".repeat(64)
            + "; h=from; bh=" + SOME_BODY_HASH + "; b=" + NOT_A_SIGNATURE), DkimCause.MALFORMED_TAG),
        // missing and unsupported tags
        arguments("no v=", written("a=rsa-sha256; d=example.com; " + rest), DkimCause.MISSING_TAG),
        arguments("no a=", written("v=1; d=example.com; " + rest), DkimCause.MISSING_TAG),
        arguments("no b=", written("v=1; a=rsa-sha256; d=example.com; s=test; h=from; bh=" + SOME_BODY_HASH),
            DkimCause.MISSING_TAG),
        arguments("no bh=", written("v=1; a=rsa-sha256; d=example.com; s=test; h=from; b=" + NOT_A_SIGNATURE),
            DkimCause.MISSING_TAG),
        arguments("no d=", written("v=1; a=rsa-sha256; " + rest), DkimCause.MISSING_TAG),
        arguments("no h=", written("v=1; a=rsa-sha256; d=example.com; s=test; bh=" + SOME_BODY_HASH + "; b="
            + NOT_A_SIGNATURE), DkimCause.MISSING_TAG),
        arguments("no s=", written("v=1; a=rsa-sha256; d=example.com; h=from; bh=" + SOME_BODY_HASH + "; b="
            + NOT_A_SIGNATURE), DkimCause.MISSING_TAG),
        arguments("v=2", written("v=2; a=rsa-sha256; d=example.com; " + rest), DkimCause.UNSUPPORTED_VERSION),
        arguments("a=rsa-md5", written("v=1; a=rsa-md5; d=example.com; " + rest), DkimCause.UNSUPPORTED_ALGORITHM),
        arguments("a=rsa-sha1 (RFC 8301)", signed(tags("").replace("rsa-sha256", "rsa-sha1")),
            DkimCause.RSA_SHA1_REFUSED),
        arguments("c=fancy/relaxed", written("v=1; a=rsa-sha256; c=fancy/relaxed; d=example.com; " + rest),
            DkimCause.UNSUPPORTED_CANONICALIZATION),
        arguments("q=dns/foo", written("v=1; a=rsa-sha256; q=dns/foo; d=example.com; " + rest),
            DkimCause.UNSUPPORTED_QUERY_METHOD),
        arguments("h= without From", signed(tags("").replace("h=from:to:subject", "h=to:subject")),
            DkimCause.FROM_NOT_SIGNED),
        arguments("i= outside d=", signed(tags("i=alice@evil.example; ")), DkimCause.IDENTITY_OUTSIDE_DOMAIN),
        // l=
        arguments("l= the whole body", signed(tags("l=" + bodyLength + "; ")), DkimCause.VERIFIED),
        arguments("l= longer than the body", signed(tags("l=" + (bodyLength + 100) + "; ")),
            DkimCause.BODY_LENGTH_EXCEEDS),
        arguments("l=0 on a body that is not empty", signed(tags("l=0; ")), DkimCause.BODY_LENGTH_PARTIAL),
        arguments("l= the whole body, then content appended",
            edited(() -> MessageEdits.withBody(signed(MESSAGE, tags("l=" + bodyLength + "; "), RSA),
                appended("Click here: https://evil.example/\r\n"))), DkimCause.BODY_LENGTH_PARTIAL),
        arguments("l= of 76 digits", written("v=1; a=rsa-sha256; d=example.com; l=" + "9".repeat(76) + "; " + rest),
            DkimCause.BODY_LENGTH_EXCEEDS),
        arguments("l= of 77 digits", written("v=1; a=rsa-sha256; d=example.com; l=" + "9".repeat(77) + "; " + rest),
            DkimCause.MALFORMED_TAG),
        arguments("l=-1", written("v=1; a=rsa-sha256; d=example.com; l=-1; " + rest), DkimCause.MALFORMED_TAG),
        // x= and t=
        arguments("x= an hour ago", signed(tags("x=" + (NOW - 3600) + "; ").replace("t=" + NOW, "t=" + (NOW - 7200))),
            DkimCause.SIGNATURE_EXPIRED),
        arguments("x= a minute ago (within the clock skew)", signed(tags("t=" + (NOW - 120) + "; x=" + (NOW - 60) + "; ")
            .replace("t=" + NOW + "; ", "")), DkimCause.VERIFIED),
        arguments("x= before t=", signed(tags("x=" + (NOW - 1) + "; ")), DkimCause.MALFORMED_TAG),
        arguments("x= equal to t= (x MUST be greater, RFC 6376 section 3.5)", signed(tags("x=" + NOW + "; ")),
            DkimCause.MALFORMED_TAG),
        arguments("x= in 3000 years", signed(tags("x=99999999999; ")), DkimCause.VERIFIED),
        arguments("x= of 13 digits", written("v=1; a=rsa-sha256; d=example.com; x=9999999999999; " + rest),
            DkimCause.MALFORMED_TAG),
        arguments("t= an hour ahead", signed(tags("").replace("t=" + NOW, "t=" + (NOW + 3600))),
            DkimCause.SIGNATURE_IN_FUTURE));
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @MethodSource("signatureCases")
  void aHostileSignatureGetsItsResult(String what, Supplier<RawMessage> message, DkimCause expected) throws Exception {
    DkimResult result = verify(message.get());

    assertThat(result.cause()).as("%s: %s", what, result.reason()).isEqualTo(expected);
  }

  // --- key records -----------------------------------------------------------------------------------

  /**
   * @param selector  where the records are published (below _domainkey.example.com)
   * @param records   the TXT records, as zone-file text (each one or more quoted strings)
   * @param algorithm the signature's a=
   * @param identity  the signature's i=, or empty
   */
  record KeyCase(String selector, List<String> records, String algorithm, String identity) {
  }

  private static KeyCase rsa(String selector, String... records) {
    return new KeyCase(selector, List.of(records), "rsa-sha256", "");
  }

  private static String quoted(String text) {
    return "\"" + text + "\"";
  }

  static Stream<Arguments> keyRecordCases() {
    String key = "p=" + RSA_P;
    byte[] spki = ED25519.getPublic().getEncoded();
    byte[] pkcs1 = java.util.Arrays.copyOfRange(TestKeys.rfc8463RsaPublic().getEncoded(), 22,
        TestKeys.rfc8463RsaPublic().getEncoded().length);
    return Stream.of(
        arguments("well-formed, for comparison", rsa("k1", quoted("v=DKIM1; k=rsa; " + key)), DkimCause.VERIFIED),
        arguments("no v=", rsa("k2", quoted("k=rsa; " + key)), DkimCause.VERIFIED),
        arguments("only p= (k= defaults to rsa)", rsa("k3", quoted(key)), DkimCause.VERIFIED),
        arguments("v= not first", rsa("k4", quoted(key + "; v=DKIM1")), DkimCause.KEY_SYNTAX),
        arguments("v=DKIM2", rsa("k5", quoted("v=DKIM2; " + key)), DkimCause.KEY_UNSUPPORTED_VERSION),
        arguments("p= twice", rsa("k6", quoted("v=DKIM1; " + key + "; " + key)), DkimCause.KEY_SYNTAX),
        arguments("no p=", rsa("k7", quoted("v=DKIM1; k=rsa")), DkimCause.KEY_SYNTAX),
        arguments("not a tag-list", rsa("k8", quoted("v=DKIM1; k=rsa; " + key + "; garbage")), DkimCause.KEY_SYNTAX),
        arguments("a control character (0x01) in a value", rsa("k14", quoted("v=DKIM1; n=a\\001b; " + key)),
            DkimCause.KEY_SYNTAX),
        // k=
        arguments("k=RSA (upper case)", rsa("k9", quoted("v=DKIM1; k=RSA; " + key)), DkimCause.VERIFIED),
        arguments("k=ed25519 under an RSA key and signature", rsa("k10", quoted("v=DKIM1; k=ed25519; " + key)),
            DkimCause.KEY_TYPE_MISMATCH),
        arguments("k=dsa", rsa("k11", quoted("v=DKIM1; k=dsa; " + key)), DkimCause.KEY_TYPE_MISMATCH),
        arguments("k=ed25519 with a 44-byte SubjectPublicKeyInfo in p=",
            new KeyCase("k12", List.of(quoted("v=DKIM1; k=ed25519; p=" + Base64.getEncoder().encodeToString(spki))),
                "ed25519-sha256", ""), DkimCause.KEY_MALFORMED),
        arguments("k=ed25519, well-formed", new KeyCase("k13", List.of(quoted("v=DKIM1; k=ed25519; p=" + ED25519_P)),
            "ed25519-sha256", ""), DkimCause.VERIFIED),
        // h=
        arguments("h=sha1 under rsa-sha256", rsa("h1", quoted("v=DKIM1; h=sha1; " + key)),
            DkimCause.KEY_HASH_NOT_ALLOWED),
        arguments("h=sha1:SHA256", rsa("h2", quoted("v=DKIM1; h=sha1:SHA256; " + key)), DkimCause.VERIFIED),
        arguments("h=md5", rsa("h3", quoted("v=DKIM1; h=md5; " + key)), DkimCause.KEY_HASH_NOT_ALLOWED),
        // s=
        arguments("s=email", rsa("s1", quoted("v=DKIM1; s=email; " + key)), DkimCause.VERIFIED),
        arguments("s=*", rsa("s2", quoted("v=DKIM1; s=*; " + key)), DkimCause.VERIFIED),
        arguments("s=tlsrpt", rsa("s3", quoted("v=DKIM1; s=tlsrpt; " + key)), DkimCause.KEY_SERVICE_NOT_EMAIL),
        arguments("s=tlsrpt:EMAIL", rsa("s4", quoted("v=DKIM1; s=tlsrpt:EMAIL; " + key)), DkimCause.VERIFIED),
        // t=
        arguments("t=y", rsa("t1", quoted("v=DKIM1; t=y; " + key)), DkimCause.VERIFIED_TEST_MODE),
        arguments("t=s, i= in a subdomain of d=", new KeyCase("t2", List.of(quoted("v=DKIM1; t=s; " + key)),
            "rsa-sha256", "alice@mail.example.com"), DkimCause.KEY_STRICT_SUBDOMAIN),
        arguments("t=s, i= in d=", new KeyCase("t3", List.of(quoted("v=DKIM1; t=s; " + key)), "rsa-sha256",
            "alice@example.com"), DkimCause.VERIFIED),
        arguments("t=y:s", rsa("t4", quoted("v=DKIM1; t=y:s; " + key)), DkimCause.VERIFIED_TEST_MODE),
        arguments("t=x (unknown flags are ignored)", rsa("t5", quoted("v=DKIM1; t=x; " + key)), DkimCause.VERIFIED),
        // p=
        arguments("p= empty (revoked)", rsa("p1", quoted("v=DKIM1; k=rsa; p=")), DkimCause.KEY_REVOKED),
        arguments("p= not base64 (quotes inside)", rsa("p2", quoted("v=DKIM1; p=\\\"" + RSA_P + "\\\"")),
            DkimCause.KEY_MALFORMED),
        arguments("p= base64 but no key", rsa("p3", quoted("v=DKIM1; p=" + NOT_A_SIGNATURE)), DkimCause.KEY_MALFORMED),
        arguments("p= a bare PKCS#1 RSAPublicKey", rsa("p4", quoted("v=DKIM1; p="
            + Base64.getEncoder().encodeToString(pkcs1))), DkimCause.VERIFIED),
        arguments("p= a 512-bit RSA key (RFC 8301)", new KeyCase("p5", List.of(quoted("v=DKIM1; p="
            + Base64.getEncoder().encodeToString(RSA_512.getPublic().getEncoded()))), "rsa-sha256", ""),
            DkimCause.KEY_TOO_SHORT),
        // size and strings
        arguments("oversize: 5,000 characters (verify.max-key-record-bytes 4096)",
            rsa("o1", quoted("v=DKIM1; n=" + "x".repeat(5_000) + "; " + key)), DkimCause.KEY_RECORD_TOO_LONG),
        arguments("several strings, split inside the base64",
            rsa("m1", quoted("v=DKIM1; k=rsa; ") + " " + quoted(key.substring(0, 60)) + " " + quoted(key.substring(60))),
            DkimCause.VERIFIED),
        arguments("several strings with white space at the joins",
            rsa("m2", quoted("v=DKIM1; k=rsa;") + " " + quoted(" " + key.substring(0, 60) + " ") + " "
                + quoted(key.substring(60))), DkimCause.VERIFIED),
        // several records at the name: the first that parses is the key (RFC 6376 section 6.1.2 lets the
        // verifier choose one)
        arguments("several records: an SPF record, then the key",
            rsa("r1", quoted("v=spf1 -all"), quoted("v=DKIM1; " + key)), DkimCause.VERIFIED),
        arguments("several records: the key, then another key", rsa("r2", quoted("v=DKIM1; " + key),
            quoted("v=DKIM1; p=" + OTHER_RSA_P)), DkimCause.VERIFIED),
        arguments("several records: another key, then the key", rsa("r3", quoted("v=DKIM1; p=" + OTHER_RSA_P),
            quoted("v=DKIM1; " + key)), DkimCause.SIGNATURE_MISMATCH),
        arguments("several records, none a key", rsa("r4", quoted("v=DKIM1; p"), quoted("v=DKIM2; " + key)),
            DkimCause.KEY_SYNTAX),
        arguments("no record at the name", rsa("r5"), DkimCause.KEY_NOT_FOUND));
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @MethodSource("keyRecordCases")
  void aHostileKeyRecordGetsItsResult(String what, KeyCase keyCase, DkimCause expected) throws Exception {
    String identity = keyCase.identity().isEmpty() ? "" : "i=" + keyCase.identity() + "; ";
    String template = "v=1; a=" + keyCase.algorithm() + "; c=relaxed/relaxed; d=example.com; s=" + keyCase.selector()
        + "; t=" + NOW + "; " + identity + "h=from:to:subject; bh=; b=";
    PrivateKey signingKey = keyCase.algorithm().startsWith("ed25519") ? ED25519.getPrivate()
        : keyCase.selector().equals("p5") ? RSA_512.getPrivate() : RSA;

    DkimResult result = verify(signed(MESSAGE, template, signingKey));

    assertThat(result.cause()).as("%s: %s", what, result.reason()).isEqualTo(expected);
  }
}
