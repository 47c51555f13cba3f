package org.postseal.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.postseal.dkim.internal.TagList;
import org.postseal.dns.DnsAnswer;
import org.postseal.dns.DnsSource;
import org.postseal.mail.HeaderField;

/**
 * Fuzzes a DKIM-Signature field value (any text, as the milter hands it over) through the parser and the
 * verifier as the milter starts and finishes it. Properties: the parser gives a signature or a permerror of
 * the signature (never an exception, never internal_error); a tag-list written back out from what was read
 * reads the same and parses to the same result, and without its b= value it is the same tag-list with b=
 * empty; the verifier gives exactly one result for the field, which is never a pass and never internal_error.
 *
 * <p>{@code mvn verify} runs it over the seeds in {@code DkimSignatureFuzzTestInputs/} (regression mode);
 * {@code bench/fuzz.sh dkim-signature SECONDS} fuzzes it. A finding is written next to the seeds.
 */
class DkimSignatureFuzzTest {

  /** The RFC 8463 RSA key at test._domainkey.example.com, so that fuzzed signatures reach the cryptography. */
  private static final String KEY_NAME = "test._domainkey.example.com";
  private static final DnsAnswer KEY = new DnsAnswer.Found(List.of("v=DKIM1; k=rsa; p="
      + java.util.Base64.getEncoder().encodeToString(TestKeys.rfc8463RsaPublic().getEncoded())), Duration.ofMinutes(5));
  /** Answers at once from memory: the key above, NXDOMAIN for every other name. */
  private static final DnsSource DNS = (name, type) -> CompletableFuture.completedFuture(
      name.equalsIgnoreCase(KEY_NAME) ? KEY : new DnsAnswer.NotFound(true));
  private static final DkimVerifier VERIFIER = new DkimVerifier(DNS, DkimPolicy.defaults(), DkimVerifierTest.CLOCK);
  private static final HeaderField FROM = new HeaderField("From", " someone@example.com");
  private static final byte[] BODY = "Hello\r\n".getBytes(StandardCharsets.US_ASCII);

  @FuzzTest(maxDuration = "10s")
  void aSignatureFieldIsASignatureOrAPermerrorAndVerifiesToOneResult(byte[] input) {
    String value = new String(input, StandardCharsets.UTF_8);
    HeaderField field = new HeaderField("DKIM-Signature", value);

    DkimSignatureParser.Parse parse = DkimSignatureParser.parse(field);
    if (parse instanceof DkimSignatureParser.Unusable unusable) {
      assertThat(unusable.result().outcome()).as("%s", unusable.result()).isEqualTo(DkimOutcome.PERMERROR);
      assertThat(unusable.result().cause()).isNotEqualTo(DkimCause.INTERNAL_ERROR);
    } else {
      DkimSignature signature = ((DkimSignatureParser.Parsed) parse).signature();
      assertThat(DkimSignatureParser.isDomainName(signature.domain())).isTrue();
      assertThat(DkimSignatureParser.isDomainName(signature.selector())).isTrue();
      assertThat(signature.signedHeaders()).anyMatch(name -> name.equalsIgnoreCase("from"));
      assertThat(signature.bodyLength()).isGreaterThanOrEqualTo(-1);
    }

    TagList tags = TagList.parse(value);
    if (tags.isValid()) {
      String written = write(tags.asMap());
      assertThat(TagList.parse(written).asMap()).as("written back: %s", written).isEqualTo(tags.asMap());
      assertThat(summary(DkimSignatureParser.parse(new HeaderField("DKIM-Signature", written))))
          .as("written back: %s", written).isEqualTo(summary(parse));
      if (tags.has("b")) {
        // what the signature covers (RFC 6376 section 3.7): the same tags, b= empty
        TagList unsigned = TagList.parse(DkimSignatureParser.withoutSignatureData(value));
        assertThat(unsigned.isValid()).as("without b=: %s", unsigned.error()).isTrue();
        assertThat(unsigned.value("b")).isEmpty();
        assertThat(unsigned.asMap().keySet()).isEqualTo(tags.asMap().keySet());
      }
    }

    VerificationSession session = VERIFIER.start(List.of(field, FROM));
    assertThat(session.keysLookedUp()).as("keys from memory are looked up at once").isDone();
    session.body(BODY);
    List<DkimResult> results = session.finish();
    assertThat(results).hasSize(1);
    assertThat(results.get(0).cause()).as("%s", results.get(0)).isNotEqualTo(DkimCause.INTERNAL_ERROR);
    assertThat(results.get(0).isPass()).as("%s", results.get(0)).isFalse();
  }

  /** The tags as "name=value" joined by ';', values as read (inner folding kept). */
  static String write(Map<String, String> tags) {
    StringBuilder out = new StringBuilder();
    tags.forEach((name, tagValue) -> out.append(out.length() == 0 ? "" : "; ").append(name).append('=')
        .append(tagValue));
    return out.toString();
  }

  /** What a parse concluded, comparable across texts: the cause, or the signature's values. */
  private static String summary(DkimSignatureParser.Parse parse) {
    if (parse instanceof DkimSignatureParser.Unusable unusable) {
      return unusable.result().cause() + " " + unusable.result().detail();
    }
    DkimSignature s = ((DkimSignatureParser.Parsed) parse).signature();
    return "parsed " + s.algorithm() + " " + s.headerCanonicalization() + "/" + s.bodyCanonicalization() + " d="
        + s.domain() + " s=" + s.selector() + " h=" + s.signedHeaders() + " bh=" + java.util.Arrays.toString(s.bodyHash())
        + " b=" + s.signatureText() + " i=" + s.identity() + " l=" + s.bodyLength() + " t=" + s.timestamp() + " x="
        + s.expiration();
  }
}
