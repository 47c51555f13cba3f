package org.postseal.pipeline;

import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One whole 2 KiB message through the pipeline, without the socket: MAIL FROM, the header fields, end of headers,
 * the body, ready to decide, the decision with its header edits ({@link SyntheticMail}, what {@code serve} warms up
 * with, here with an RSA-2048 key). {@code sign}: outbound, signed rsa-sha256 and ed25519-sha256. {@code verify}: inbound, one rsa-sha256
 * signature, DKIM + SPF + DMARC (pass), the Authentication-Results field; DNS answers from memory, results kept
 * nowhere. So a regression in the message path shows here without Postfix or a milter client.
 *
 * <p>Run: {@code mvn -B -P pipeline-bench -pl milter-core -am verify -DskipTests}. Normal on the 2-core EPYC of
 * README's Performance section (2026-12-06, Corretto provider for RSA, machine shared): see README "Performance".
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PipelineBenchmark {

  SyntheticMail mail;

  @Setup
  public void setUp() {
    mail = SyntheticMail.create(Clock.systemUTC(), 2048, 2048);
  }

  @Benchmark
  public MessageVerdict sign() {
    return mail.sign();
  }

  @Benchmark
  public MessageVerdict verify() {
    return mail.verify();
  }

  @Benchmark
  public MessageVerdict verifyTwoSignatures() {
    return mail.verifyTwoSignatures();
  }
}
