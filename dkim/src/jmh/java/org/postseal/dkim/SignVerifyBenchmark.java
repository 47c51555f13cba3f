package org.postseal.dkim;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
import org.postseal.dns.DnsAnswer;
import org.postseal.mail.HeaderField;

/**
 * Signing and verifying one 2 KiB message end to end through the public API ({@link DkimSigner},
 * {@link DkimVerifier}), with the key record served from memory: what the milter's end of message costs
 * apart from the protocol.
 *
 * <p>Run: {@code mvn -B -P bench -pl dkim -am verify -DskipTests -Djmh.args=SignVerify}. Normal on the 2-core
 * EPYC of README's Performance section (2026-11-28) with the JDK's own provider: sign rsa-sha256 about 1.1 ms
 * (the RSA-2048 private-key operation is nearly all of it), ed25519-sha256 about 0.05 ms; verify rsa-sha256
 * about 0.07 ms, ed25519-sha256 about 0.12 ms.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SignVerifyBenchmark {

  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-28T10:00:00Z"), ZoneOffset.UTC);

  @Param({"rsa-sha256", "ed25519-sha256"})
  String algorithm;

  List<HeaderField> headers;
  byte[] body;
  DkimSigner signer;
  List<SigningKey> keys;
  DkimVerifier verifier;
  List<HeaderField> signedHeaders;

  @Setup
  public void setUp() throws Exception {
    boolean rsa = algorithm.startsWith("rsa");
    KeyPairGenerator generator = KeyPairGenerator.getInstance(rsa ? "RSA" : "Ed25519");
    if (rsa) {
      generator.initialize(2048);
    }
    KeyPair pair = generator.generateKeyPair();
    DkimAlgorithm dkimAlgorithm = rsa ? DkimAlgorithm.RSA_SHA256 : DkimAlgorithm.ED25519_SHA256;
    keys = List.of(new SigningKey("example.com", "bench", dkimAlgorithm, pair.getPrivate()));
    headers = List.of(new HeaderField("From", " Bench <bench@example.com>"), new HeaderField("To", " rcpt@example.org"),
        new HeaderField("Subject", " benchmark"), new HeaderField("Date", " Sat, 28 Nov 2026 10:00:00 +0000"),
        new HeaderField("Message-ID", " <bench@example.com>"));
    StringBuilder text = new StringBuilder();
    while (text.length() < 1800) {
      text.append("The quick brown fox jumps over the lazy dog.\r\n");
    }
    body = text.toString().getBytes(StandardCharsets.US_ASCII);
    signer = new DkimSigner(CLOCK);
    byte[] spki = pair.getPublic().getEncoded();
    String p = Base64.getEncoder().encodeToString(rsa ? spki : Arrays.copyOfRange(spki, spki.length - 32, spki.length));
    String record = "v=DKIM1; k=" + (rsa ? "rsa" : "ed25519") + "; p=" + p;
    verifier = new DkimVerifier((name, type) -> CompletableFuture.completedFuture(
        new DnsAnswer.Found(List.of(record), Duration.ofHours(1))), DkimPolicy.defaults(), CLOCK);
    signedHeaders = new ArrayList<>(sign());
    signedHeaders.addAll(headers);
    if (verify().get(0).outcome() != DkimOutcome.PASS) {
      throw new IllegalStateException("the benchmark's own signature does not verify: " + verify());
    }
  }

  @Benchmark
  public List<HeaderField> sign() {
    SigningSession session = signer.start(headers, keys);
    session.body(body);
    return session.finish();
  }

  @Benchmark
  public List<DkimResult> verify() {
    VerificationSession session = verifier.start(signedHeaders);
    session.body(body);
    session.keysLookedUp().join();
    return session.finish();
  }
}
