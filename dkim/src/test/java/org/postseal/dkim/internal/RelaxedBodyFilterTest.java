package org.postseal.dkim.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The streaming relaxed filter, which scans eight bytes at a time and keeps state across chunks,
 * against {@link #reference}: RFC 6376 section 3.4.4 applied line by line to the whole body, too
 * simple to be wrong. Bodies are cut at every offset or at random, so every CR, LF and WSP falls on a
 * chunk boundary and on every position of the eight-byte window.
 */
class RelaxedBodyFilterTest {

  private static final long SEED = 344L;

  /**
   * Lines end with CRLF only (a bare CR or LF is content, as in jDKIM); in each line WSP runs become
   * one SP and WSP at its end goes; empty lines at the end go; what is left ends with CRLF; nothing
   * left is the empty string.
   */
  static byte[] reference(byte[] body) {
    String text = new String(body, StandardCharsets.ISO_8859_1);
    List<String> lines = new ArrayList<>(Arrays.asList(text.split("\r\n", -1)));
    if (lines.get(lines.size() - 1).isEmpty()) {
      // the body ended with CRLF (or was empty): no unterminated last line
      lines.remove(lines.size() - 1);
    }
    List<String> canonical = new ArrayList<>();
    for (String line : lines) {
      // \z, not $: $ also matches before a last (bare) LF, which is content here
      canonical.add(line.replaceAll("[ \t]+", " ").replaceAll(" \\z", ""));
    }
    while (!canonical.isEmpty() && canonical.get(canonical.size() - 1).isEmpty()) {
      canonical.remove(canonical.size() - 1);
    }
    StringBuilder out = new StringBuilder();
    for (String line : canonical) {
      out.append(line).append("\r\n");
    }
    return out.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String relaxed(String body, int... cuts) {
    return new String(RecordingDigest.canonicalBody(Canonicalization.RELAXED, bytes(body), cuts), StandardCharsets.ISO_8859_1);
  }

  @Test
  void referenceAgreesWithTheRfcExample() {
    // RFC 6376 section 3.4.5
    assertThat(new String(reference(bytes(" C \r\nD \t E\r\n\r\n\r\n")), StandardCharsets.ISO_8859_1)).isEqualTo(" C\r\nD E\r\n");
  }

  @Test
  void edgesGiveTheExpectedBytes() {
    assertThat(relaxed("")).isEmpty();
    assertThat(relaxed("\r\n\r\n \t\r\n\r\n")).isEmpty();
    assertThat(relaxed("a")).isEqualTo("a\r\n");
    assertThat(relaxed("a \t ")).isEqualTo("a\r\n");
    assertThat(relaxed("a  \t\r\nb")).isEqualTo("a\r\nb\r\n");
    assertThat(relaxed("a\r\n\r\n\r\nb \r\n\r\n")).isEqualTo("a\r\n\r\n\r\nb\r\n");
    assertThat(relaxed("a\r\n \r\n\t\r\nb\r\n")).isEqualTo("a\r\n\r\n\r\nb\r\n");
    assertThat(relaxed("  a  b\t\tc \r\n")).isEqualTo(" a b c\r\n");
    // bare CR and bare LF are content: they keep a WSP run before them as one SP
    assertThat(relaxed("a \r b\r\n")).isEqualTo("a \r b\r\n");
    assertThat(relaxed("a \n b\r\n")).isEqualTo("a \n b\r\n");
    assertThat(relaxed("a\r")).isEqualTo("a\r\r\n");
    assertThat(relaxed("\r")).isEqualTo("\r\r\n");
    assertThat(relaxed("a\r\r\nb\r\n")).isEqualTo("a\r\r\nb\r\n");
    assertThat(relaxed("\n\r\n")).isEqualTo("\n\r\n");
    // non-ASCII bytes are content, also to the eight-byte scan (they are negative as Java bytes)
    assertThat(relaxed("\u00fc\u00fc \u00fc\u00fc\u00fc\u00fc\u00fc\u00fc\u00fc  \u00fc\r\n")).isEqualTo("\u00fc\u00fc \u00fc\u00fc\u00fc\u00fc\u00fc\u00fc\u00fc \u00fc\r\n");
  }

  @Test
  void everySplitOfTheEdgesGivesTheSameBytes() {
    String[] bodies = {
        "a \t \r\n", "a\r\n\r\n", "a\r\n \r\n\r\nb", " \t\r\n x", "a\rb\r\n\r", "a \r\n\r\n \r\nb  c \t", "\r\n\r\n",
        "ab  \r\r\n\r\n\n", "word word  word\t\r\nline two\r\n\r\n\r\nend \r\n \r\n",
    };
    for (String body : bodies) {
      String expected = new String(reference(bytes(body)), StandardCharsets.ISO_8859_1);
      for (int i = 0; i <= body.length(); i++) {
        assertThat(relaxed(body, i)).as("%s cut at %d", body, i).isEqualTo(expected);
        for (int j = i; j <= body.length(); j++) {
          assertThat(relaxed(body, i, j)).as("%s cut at %d, %d", body, i, j).isEqualTo(expected);
        }
      }
    }
  }

  /** Each awkward piece at every position of the eight-byte window, inside a longer canonical run. */
  @Test
  void awkwardBytesAtEveryWordPosition() {
    String[] pieces = {"  ", " \t", "\t", " \r\n", "\r\n\r\n", "\r\n ", "\r\n\r\n ", "\r", "\n", " \r", "\r\r\n", " \n", "\r\n",
        " ", "\u00ff", "\u0000", "\u001f", "!"};
    for (String piece : pieces) {
      for (int before = 0; before < 20; before++) {
        for (int after = 0; after < 20; after += 3) {
          String body = "x y".repeat(before / 3) + "abc".substring(0, before % 3) + piece + "pq rs tuvw".substring(0, after % 10)
              + "Z".repeat(after) + "\r\n";
          String expected = new String(reference(bytes(body)), StandardCharsets.ISO_8859_1);
          assertThat(relaxed(body)).as("%s", body).isEqualTo(expected);
          int mid = body.length() / 2;
          assertThat(relaxed(body, mid)).as("%s cut at %d", body, mid).isEqualTo(expected);
        }
      }
    }
  }

  @Test
  void randomBodiesInRandomChunksMatchTheReference() {
    Random random = new Random(SEED);
    String[] alphabet = {"a", "b", "Word", " ", " ", "  ", "\t", "\r\n", "\r\n", "\r\n\r\n", "\r", "\n", "\u00e9", "\u0000", "!", "~"};
    for (int n = 0; n < 3000; n++) {
      StringBuilder body = new StringBuilder();
      int pieces = random.nextInt(n % 10 == 0 ? 2000 : 60);
      for (int i = 0; i < pieces; i++) {
        // long stretches of ordinary text now and then, so the eight-byte scan runs for a while
        body.append(random.nextInt(20) == 0 ? "lorem ipsum dolor sit amet" : alphabet[random.nextInt(alphabet.length)]);
      }
      byte[] bytes = bytes(body.toString());
      int[] cuts = new int[random.nextInt(6)];
      for (int i = 0; i < cuts.length; i++) {
        cuts[i] = random.nextInt(bytes.length + 1);
      }
      Arrays.sort(cuts);
      assertThat(RecordingDigest.canonicalBody(Canonicalization.RELAXED, bytes, cuts))
          .as("body %s cut at %s", body, Arrays.toString(cuts)).isEqualTo(reference(bytes));
    }
  }

  @Test
  void randomBodiesInOneByteChunksMatchTheReference() {
    Random random = new Random(SEED + 1);
    String[] alphabet = {"a", " ", "\t", "\r", "\n", "\r\n", "\u00e9"};
    for (int n = 0; n < 500; n++) {
      StringBuilder body = new StringBuilder();
      int pieces = random.nextInt(40);
      for (int i = 0; i < pieces; i++) {
        body.append(alphabet[random.nextInt(alphabet.length)]);
      }
      byte[] bytes = bytes(body.toString());
      int[] cuts = new int[bytes.length];
      for (int i = 0; i < cuts.length; i++) {
        cuts[i] = i;
      }
      assertThat(RecordingDigest.canonicalBody(Canonicalization.RELAXED, bytes, cuts)).as("body %s", body)
          .isEqualTo(reference(bytes));
    }
  }

  @Test
  void largeCanonicalTextIsDigestedInFewUpdates() {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    while (text.size() < 64 * 1024) {
      text.writeBytes(bytes("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor\r\n"));
      text.writeBytes(bytes("incididunt ut labore et dolore magna aliqua.\r\n\r\n"));
    }
    byte[] body = text.toByteArray();
    CountingDigest counting = new CountingDigest();
    CanonicalBodyDigest digest = new CanonicalBodyDigest(counting, -1);
    BodyFilter filter = Canonicalization.RELAXED.newBodyFilter(digest);
    for (int at = 0; at < body.length; at += 4096) {
      filter.write(body, at, Math.min(4096, body.length - at));
    }
    filter.close();
    digest.digest();
    // all of it but the last, empty line
    assertThat(digest.length()).isEqualTo(body.length - 2);
    // a few per 4 KiB chunk (held-back line ends at its edges), not one per line
    assertThat(counting.updates).isLessThan(3 * (body.length / 4096 + 1));
  }

  private static final class CountingDigest extends java.security.MessageDigest {
    int updates;

    CountingDigest() {
      super("counting");
    }

    @Override
    protected void engineUpdate(byte input) {
      updates++;
    }

    @Override
    protected void engineUpdate(byte[] input, int offset, int len) {
      updates++;
    }

    @Override
    protected byte[] engineDigest() {
      return new byte[0];
    }

    @Override
    protected void engineReset() {
    }
  }
}
