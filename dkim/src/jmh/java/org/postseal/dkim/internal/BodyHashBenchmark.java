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
 * Body hashing (relaxed and simple, sha256) of a 1 MiB plain-text body fed in 4 KiB or 64 KiB chunks,
 * the way the milter receives it: the cost every signed or verified byte pays.
 *
 * <p>Run: {@code mvn -B -P bench -pl dkim -am verify -DskipTests -Djmh.args=BodyHash}. Normal on the 2-core EPYC
 * of README's Performance section (2026-11-28): relaxed about 3.1 ms per MiB (~330 MB/s), simple about 0.63 ms
 * per MiB (~1.6 GB/s, mostly SHA-256); chunk size (4 KiB or 64 KiB) makes no difference. Relaxed is the
 * canonicalisation Postseal signs with, so its filter is where 1 MiB messages spend their time.
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

  byte[] body;

  @Setup
  public void makeBody() {
    byte[] line = "The quick brown fox jumps over the lazy dog,  with  spaces \t and a tab at the end \t\r\n"
        .getBytes(StandardCharsets.US_ASCII);
    body = new byte[1024 * 1024];
    for (int at = 0; at < body.length; at += line.length) {
      System.arraycopy(line, 0, body, at, Math.min(line.length, body.length - at));
    }
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
