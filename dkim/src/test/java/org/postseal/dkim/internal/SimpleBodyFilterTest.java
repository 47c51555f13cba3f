package org.postseal.dkim.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The streaming simple filter against RFC 6376 section 3.4.3 applied to the whole body. */
class SimpleBodyFilterTest {

  private static final long SEED = 343L;

  /** Empty lines at the end go; a body that is empty or does not end with CRLF gets one. */
  static byte[] reference(byte[] body) {
    String text = new String(body, StandardCharsets.ISO_8859_1);
    while (text.endsWith("\r\n\r\n")) {
      text = text.substring(0, text.length() - 2);
    }
    if (!text.endsWith("\r\n")) {
      text += "\r\n";
    }
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void randomBodiesInRandomChunksMatchTheReference() {
    Random random = new Random(SEED);
    String[] alphabet = {"a", " ", "\t", "\r\n", "\r\n", "\r\n\r\n", "\r", "\n", "\u00e9", "text of a line"};
    for (int n = 0; n < 3000; n++) {
      StringBuilder body = new StringBuilder();
      int pieces = random.nextInt(n % 10 == 0 ? 1000 : 30);
      for (int i = 0; i < pieces; i++) {
        body.append(alphabet[random.nextInt(alphabet.length)]);
      }
      byte[] bytes = body.toString().getBytes(StandardCharsets.ISO_8859_1);
      int[] cuts = new int[random.nextInt(8)];
      for (int i = 0; i < cuts.length; i++) {
        cuts[i] = random.nextInt(bytes.length + 1);
      }
      Arrays.sort(cuts);
      assertThat(RecordingDigest.canonicalBody(Canonicalization.SIMPLE, bytes, cuts))
          .as("body %s cut at %s", body, Arrays.toString(cuts)).isEqualTo(reference(bytes));
    }
  }

  @Test
  void everySplitOfTheEdgesGivesTheSameBytes() {
    String[] bodies = {"", "\r\n", "\r\n\r\n", "a", "a\r", "a\r\n\r\n\r", "a\r\n\r\n\r\nb\r\n\r\n", "\r\r\n\n\r\n", "a \t \r\n\r\n"};
    for (String body : bodies) {
      byte[] bytes = body.getBytes(StandardCharsets.ISO_8859_1);
      byte[] expected = reference(bytes);
      for (int i = 0; i <= bytes.length; i++) {
        for (int j = i; j <= bytes.length; j++) {
          assertThat(RecordingDigest.canonicalBody(Canonicalization.SIMPLE, bytes, i, j)).as("%s cut at %d, %d", body, i, j)
              .isEqualTo(expected);
        }
      }
    }
  }
}
