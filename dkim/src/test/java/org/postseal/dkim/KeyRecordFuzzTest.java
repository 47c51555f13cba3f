package org.postseal.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.postseal.dkim.internal.TagList;
import org.postseal.dns.DnsAnswer;

/**
 * Fuzzes DKIM key record text (any TXT content) through {@link KeyRecordParser} and the verifier's reading of a
 * DNS answer ({@link DkimKeySource#fromAnswer}). Properties: the parser gives a record or a key-record syntax
 * error, never an exception; a record is exactly one of revoked, a decoded key, or a key problem; written back
 * out from its tags, the text parses to the same record; an answer holding the text gives a key or a key-record
 * cause, never internal_error.
 *
 * <p>{@code mvn verify} runs it over the seeds in {@code KeyRecordFuzzTestInputs/} (regression mode);
 * {@code bench/fuzz.sh key-record SECONDS} fuzzes it. A finding is written next to the seeds.
 */
class KeyRecordFuzzTest {

  private static final Set<DkimCause> SYNTAX_CAUSES = Set.of(DkimCause.KEY_SYNTAX, DkimCause.KEY_UNSUPPORTED_VERSION);
  private static final Set<DkimCause> ANSWER_CAUSES = Set.of(DkimCause.KEY_SYNTAX, DkimCause.KEY_UNSUPPORTED_VERSION,
      DkimCause.KEY_RECORD_TOO_LONG);
  private static final String NAME = "sel._domainkey.example.com";
  /** Never asked: fromAnswer reads the answer it is given. */
  private static final DkimKeySource SOURCE = new DkimKeySource((name, type) -> new CompletableFuture<>(),
      DkimPolicy.DEFAULT_MAX_KEY_RECORD_BYTES);

  @FuzzTest(maxDuration = "10s")
  void aKeyRecordIsAKeyARevocationOrASyntaxError(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);

    KeyRecordParser.Parse parse = KeyRecordParser.parse(text);
    if (parse instanceof KeyRecordParser.SyntaxError error) {
      assertThat(error.cause()).as("%s", error).isIn(SYNTAX_CAUSES);
    } else {
      KeyRecord record = ((KeyRecordParser.Parsed) parse).record();
      int kinds = (record.isRevoked() ? 1 : 0) + (record.key() != null ? 1 : 0) + (record.keyProblem() != null ? 1 : 0);
      assertThat(kinds).as("revoked, key or problem: %s", record).isEqualTo(1);
      assertThat(record.publicKey().isPresent()).isEqualTo(record.key() != null);
      assertThat(record.keyType()).isLowerCase();
    }

    TagList tags = TagList.parse(text);
    if (tags.isValid()) {
      String written = DkimSignatureFuzzTest.write(tags.asMap());
      assertThat(summary(KeyRecordParser.parse(written))).as("written back: %s", written).isEqualTo(summary(parse));
    }

    DkimKeySource.KeyLookup lookup = SOURCE.fromAnswer(NAME, new DnsAnswer.Found(List.of(text), Duration.ofMinutes(5)));
    if (lookup instanceof DkimKeySource.Unusable unusable) {
      assertThat(unusable.cause()).as("%s", unusable).isIn(ANSWER_CAUSES);
      assertThat(parse instanceof KeyRecordParser.Parsed && text.length() <= DkimPolicy.DEFAULT_MAX_KEY_RECORD_BYTES)
          .as("a record that parses and fits is a key: %s", unusable).isFalse();
    } else {
      assertThat(parse).isInstanceOf(KeyRecordParser.Parsed.class);
    }
  }

  private static String summary(KeyRecordParser.Parse parse) {
    if (parse instanceof KeyRecordParser.SyntaxError error) {
      return error.cause() + " " + error.detail();
    }
    KeyRecord r = ((KeyRecordParser.Parsed) parse).record();
    return "k=" + r.keyType() + " h=" + r.hashNames() + " s=" + r.serviceTypes() + " testing=" + r.isTesting()
        + " strict=" + r.isStrict() + " revoked=" + r.isRevoked() + " problem=" + r.keyProblem() + " key="
        + r.publicKey().map(k -> java.util.Arrays.toString(k.getEncoded())).orElse("-");
  }
}
