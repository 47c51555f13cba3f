package org.postseal.dkim.internal;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Body hashing (relaxed and simple, sha256) of a 1 MiB body fed in 4 KiB or 64 KiB chunks, the way the
 * milter receives it: the cost every signed or verified byte pays. Two bodies ({@link #shape}): ordinary
 * text, and lines full of WSP runs that relaxed must rewrite.
 *
 * <p>Run: {@code mvn -B -P bench -pl dkim -am verify -DskipTests -Djmh.args=BodyHash} (add e.g.
 * {@code "-Djmh.args=BodyHash -p shape=text"} for one shape). Normal on the 2-core EPYC of README's
 * Performance section (2026-11-28, default options below, two runs interleaved with the previous code while
 * other builds kept the load average at 3-6, so ±30%; the ratios were checked with per-thread CPU time):
 * simple about 0.6-0.7 ms per MiB (~1.5 GB/s, nearly all SHA-256) for every shape and chunk size; relaxed
 * text about 1.1-1.2 ms per MiB (1.5-1.7x simple: RelaxedBodyFilter's eight-byte scan, then one digest
 * call per chunk), relaxed wsp about 1.4-2.2 ms. With one MessageDigest update per line end and WSP run,
 * relaxed was 2.5-4.4 ms (text) and 3.3-6.3 ms (wsp). Relaxed is the canonicalisation Postseal signs with.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BodyHashBenchmark {

  @Param({"relaxed", "simple"})
  String canonicalization;

  @Param({"4096", "65535"})
  int chunk;

  /**
   * "text": ordinary mail text, words with single spaces in lines of at most 76 characters and an empty
   * line after every 8 lines (already canonical under relaxed, the common case); "wsp": every line has
   * WSP runs inside and at its end, which relaxed must rewrite.
   */
  @Param({"text", "wsp"})
  String shape;

  byte[] body;

  @Setup
  public void makeBody() {
    byte[] text = ("text".equals(shape) ? textParagraphs()
        : "The quick brown fox jumps over the lazy dog,  with  spaces \t and a tab at the end \t\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    body = new byte[1024 * 1024];
    for (int at = 0; at < body.length; at += text.length) {
      System.arraycopy(text, 0, body, at, Math.min(text.length, body.length - at));
    }
  }

  private static String textParagraphs() {
    String[] words = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore "
        + "et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex "
        + "ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat "
        + "nulla pariatur.").split(" ");
    StringBuilder out = new StringBuilder();
    StringBuilder line = new StringBuilder();
    int lines = 0;
    for (int w = 0; lines < 64; w = (w + 1) % words.length) {
      if (line.length() + 1 + words[w].length() > 76) {
        out.append(line).append("\r\n");
        line.setLength(0);
        if (++lines % 8 == 0) {
          out.append("\r\n");
        }
      }
      line.append(line.length() == 0 ? "" : " ").append(words[w]);
    }
    return out.toString();
  }

  /** One whole 1 MiB body: start, every chunk, finish. */
  @Benchmark
  public BodyHash.Value hashOneMebibyte() {
    BodyHash hash = BodyHash.start("simple".equals(canonicalization) ? Canonicalization.SIMPLE : Canonicalization.RELAXED,
        "SHA-256", -1);
    for (int at = 0; at < body.length; at += chunk) {
      hash.update(body, at, Math.min(chunk, body.length - at));
    }
    return hash.finish();
  }
}
