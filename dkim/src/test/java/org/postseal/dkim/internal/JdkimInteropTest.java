package org.postseal.dkim.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.james.jdkim.DKIMVerifier;
import org.apache.james.jdkim.api.PublicKeyRecordRetriever;
import org.apache.james.jdkim.api.Result;
import org.apache.james.jdkim.api.SignatureRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postseal.dkim.DkimAlgorithm;
import org.postseal.dkim.DkimSigner;
import org.postseal.dkim.SigningKey;
import org.postseal.dkim.SigningSession;
import org.postseal.mail.HeaderField;
import org.postseal.testdata.TestData;

/**
 * What our signer writes, verified by jDKIM 0.5's own verifier over the raw message bytes (its
 * InputStream path, with mime4j parsing the message): an implementation that shares none of our
 * canonicalization code. jDKIM verifies RSA only, so the Ed25519 signature beside it is expected to be
 * rejected by jDKIM while the RSA one passes. jDKIM checks t= against the system clock, so the signer's
 * clock here is the system clock an hour back.
 */
class JdkimInteropTest {

  private static KeyPair rsa;

  @BeforeAll
  static void generateKey() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    rsa = generator.generateKeyPair();
  }

  private static final String HEADERS = ""
      + "Received: from laptop (hotel.example [192.0.2.7])\r\n\tby mail.example.com with ESMTPSA\r\n"
      + "From: \"Alice Example\" <alice@example.com>\r\n"
      + "To: bob@example.net,\r\n  carol@example.org\r\n"
      + "Subject:   Numbers \t for   Q1\r\n\tand Q2  \r\n"
      + "Date: Sun, 01 Mar 2026 12:59:00 +0100\r\n"
      + "Message-ID: <abc.123@example.com>\r\n"
      + "MIME-Version: 1.0\r\n"
      + "Content-Type: text/plain; charset=utf-8\r\n"
      + "X-Mailer: something\r\n";

  private static final String BODY = "Hello Bob,  \r\n\r\nthe numbers are in.\t\tGrüße\r\n  indented\r\n\r\n\r\n";

  private static List<HeaderField> headerFields(String text) {
    List<HeaderField> fields = new ArrayList<>();
    for (String raw : text.split("\r\n(?![ \t])")) {
      int colon = raw.indexOf(':');
      fields.add(new HeaderField(raw.substring(0, colon), raw.substring(colon + 1)));
    }
    return fields;
  }

  private static byte[] signedMessage(List<SigningKey> keys) {
    List<HeaderField> headers = headerFields(HEADERS);
    SigningSession session = new DkimSigner(Clock.offset(Clock.systemUTC(), Duration.ofHours(-1))).start(headers, keys);
    byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < body.length; i += 5) {
      session.body(body, i, Math.min(5, body.length - i));
    }
    StringBuilder message = new StringBuilder();
    for (HeaderField field : session.finish()) {
      message.append(field.raw()).append("\r\n");
    }
    message.append(HEADERS).append("\r\n").append(BODY);
    return message.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static PublicKeyRecordRetriever records(Map<String, String> byName) {
    return (method, selector, domain) -> {
      String record = byName.get(selector + "._domainkey." + domain);
      return record == null ? List.of() : List.of(record);
    };
  }

  @Test
  void jdkimVerifiesOurRsaSignature() throws Exception {
    SigningKey key = new SigningKey("example.com", "rsa2026", DkimAlgorithm.RSA_SHA256, rsa.getPrivate());
    DKIMVerifier verifier = new DKIMVerifier(records(Map.of("rsa2026._domainkey.example.com",
        "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(rsa.getPublic().getEncoded()))));
    List<SignatureRecord> verified = verifier.verify(new ByteArrayInputStream(signedMessage(List.of(key))));
    assertThat(verified).singleElement().satisfies(record -> {
      assertThat(record.getDToken().toString()).isEqualTo("example.com");
      assertThat(record.getSelector().toString()).isEqualTo("rsa2026");
    });
  }

  @Test
  void jdkimVerifiesOurRsaSignatureBesideAnEd25519One() throws Exception {
    KeyPair ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    List<SigningKey> keys = List.of(
        new SigningKey("example.com", "rsa2026", DkimAlgorithm.RSA_SHA256, rsa.getPrivate()),
        new SigningKey("example.com", "ed2026", DkimAlgorithm.ED25519_SHA256, ed.getPrivate()));
    byte[] raw = ed.getPublic().getEncoded();
    DKIMVerifier verifier = new DKIMVerifier(records(Map.of(
        "rsa2026._domainkey.example.com", "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(rsa.getPublic().getEncoded()),
        "ed2026._domainkey.example.com", "v=DKIM1; k=ed25519; p="
            + Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(raw, raw.length - 32, raw.length)))));
    verifier.verify(new ByteArrayInputStream(signedMessage(keys)));
    assertThat(verifier.getResults()).hasSize(2);
    assertThat(verifier.getResults()).filteredOn(Result::isSuccess).singleElement()
        .satisfies(r -> assertThat(r.getRecord().getSelector().toString()).isEqualTo("rsa2026"));
  }

  @Test
  void harnessCheck_jdkimVerifiesTheRfc8463RsaSignature() throws Exception {
    String dir = "dkim-rfc-vectors/rfc8463-appendix-a/";
    String rsaRecord = TestData.lines(dir + "dns.txt").get(1);
    DKIMVerifier verifier = new DKIMVerifier(records(Map.of("test._domainkey.football.example.com",
        rsaRecord.substring(rsaRecord.indexOf(' ') + 1))));
    verifier.verify(new ByteArrayInputStream(TestData.bytes(dir + "signed-message.eml")));
    assertThat(verifier.getResults()).filteredOn(Result::isSuccess).singleElement()
        .satisfies(r -> assertThat(r.getRecord().getSelector().toString()).isEqualTo("test"));
  }
}
