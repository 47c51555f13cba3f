package org.postseal.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.postseal.mail.RawMessage;

/**
 * Every file under src/test/resources/dkim/: comment lines (";"), DNS TXT records ({@code name value}),
 * a blank line, then the raw message (docs/conventions.md, item 8). The expected outcome of every signature in
 * the message is the file name's prefix, and its cause is in {@link #CAUSES}. The RFC 8463 and RFC 6376 cases are the published vectors
 * (some deliberately damaged); the "jdkim" cases were signed by jDKIM 0.5's own signer, an implementation
 * independent of ours, once, with the keys in their DNS lines.
 */
class FixtureMessagesTest {

  /** After every fixture's t=, and after neutral-jdkim-expired's x=1900000000. */
  private static final Clock FIXTURE_CLOCK = Clock.fixed(Instant.parse("2031-01-01T00:00:00Z"), ZoneOffset.UTC);
  private static final Path FIXTURES = Path.of("src/test/resources/dkim");
  /** The cause of every signature in each fixture; a new fixture must say its cause here. */
  private static final Map<String, DkimCause> CAUSES = Map.ofEntries(
      Map.entry("fail-rfc6376-appendix-a-key-moved.eml", DkimCause.BODY_HASH_MISMATCH),
      Map.entry("fail-rfc8463-body-tampered.eml", DkimCause.BODY_HASH_MISMATCH),
      Map.entry("fail-rfc8463-from-added.eml", DkimCause.SIGNATURE_MISMATCH),
      Map.entry("fail-rfc8463-subject-tampered.eml", DkimCause.SIGNATURE_MISMATCH),
      Map.entry("neutral-jdkim-expired.eml", DkimCause.SIGNATURE_EXPIRED),
      Map.entry("pass-dkimpy-simple-simple.eml", DkimCause.VERIFIED),
      Map.entry("pass-jdkim-l-whole-body.eml", DkimCause.VERIFIED),
      Map.entry("pass-jdkim-relaxed-folded-headers.eml", DkimCause.VERIFIED),
      Map.entry("pass-jdkim-rsa-simple-simple.eml", DkimCause.VERIFIED),
      Map.entry("pass-rfc8463-appendix-a.eml", DkimCause.VERIFIED),
      Map.entry("permerror-rfc6376-appendix-a-as-published.eml", DkimCause.KEY_NOT_FOUND),
      Map.entry("permerror-rfc8463-key-revoked.eml", DkimCause.KEY_REVOKED),
      Map.entry("permerror-rfc8463-unknown-selector.eml", DkimCause.KEY_NOT_FOUND),
      Map.entry("policy-jdkim-l-partial.eml", DkimCause.BODY_LENGTH_PARTIAL),
      Map.entry("policy-jdkim-rsa-512.eml", DkimCause.KEY_TOO_SHORT),
      Map.entry("policy-jdkim-rsa-sha1.eml", DkimCause.RSA_SHA1_REFUSED));

  record Fixture(StaticDnsSource dns, RawMessage message) {

    static Fixture read(Path path) throws IOException {
      byte[] bytes = Files.readAllBytes(path);
      int split = indexOf(bytes, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String dnsPart = new String(bytes, 0, split, StandardCharsets.US_ASCII);
      byte[] message = Arrays.copyOfRange(bytes, split + 4, bytes.length);
      return new Fixture(StaticDnsSource.fromLines(dnsPart.lines().toList()), RawMessage.parse(message));
    }

    private static int indexOf(byte[] data, byte[] needle) {
      outer:
      for (int i = 0; i + needle.length <= data.length; i++) {
        for (int j = 0; j < needle.length; j++) {
          if (data[i + j] != needle[j]) {
            continue outer;
          }
        }
        return i;
      }
      throw new IllegalArgumentException("fixture has no blank line between DNS records and message");
    }
  }

  static Stream<Path> fixtures() throws IOException {
    try (Stream<Path> files = Files.list(FIXTURES)) {
      List<Path> list = files.filter(p -> p.toString().endsWith(".eml")).sorted().toList();
      assertThat(list).hasSizeGreaterThanOrEqualTo(15);
      return list.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void everySignatureHasTheOutcomeInTheFileName(Path path) throws IOException {
    Fixture fixture = Fixture.read(path);
    String name = path.getFileName().toString();
    DkimOutcome expected = DkimOutcome.valueOf(name.substring(0, name.indexOf('-')).toUpperCase(java.util.Locale.ROOT));
    assertThat(CAUSES).as("expected cause of %s", name).containsKey(name);

    VerificationSession session = new DkimVerifier(fixture.dns(), DkimPolicy.defaults(), FIXTURE_CLOCK)
        .start(fixture.message().headers());
    assertThat(session.keysLookedUp()).isDone();
    session.body(fixture.message().body());
    List<DkimResult> results = session.finish();

    assertThat(results).isNotEmpty().allSatisfy(result -> {
      assertThat(result.outcome()).as("%s: %s", name, result.reason()).isEqualTo(expected);
      assertThat(result.cause()).as("%s: %s", name, result.reason()).isEqualTo(CAUSES.get(name));
    });
  }
}
