package org.postseal.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.cli.Main;
import org.postseal.dkim.DkimOutcome;
import org.postseal.dkim.DkimResult;
import org.postseal.dns.FakeDnsServer;
import org.postseal.server.RunningPostseal;
import org.postseal.server.TestKeys;

/**
 * {@code postseal bench} against a real Postseal on a socket: the counts it prints are the edits Postseal
 * really made, and what it saves verifies.
 */
class BenchCommandTest {

  @TempDir
  static Path stateDir;
  static FakeDnsServer dns;
  static RunningPostseal postseal;

  @TempDir
  Path dir;

  private record Run(int exitCode, String out, String err) {
  }

  @BeforeAll
  static void start() {
    dns = FakeDnsServer.start();
    TestKeys.writePrivateKey(stateDir, "example.com", "rsa2026", TestKeys.RSA.getPrivate());
    TestKeys.writePrivateKey(stateDir, "example.com", "ed2026", TestKeys.ED25519.getPrivate());
    dns.load(TestKeys.txtRecord("example.com", "rsa2026", TestKeys.RSA.getPublic())
        + TestKeys.txtRecord("example.com", "ed2026", TestKeys.ED25519.getPublic())
        + "example.com. 300 IN TXT \"v=spf1 ip4:203.0.113.0/24 -all\"\n"
        + "_dmarc.example.com. 300 IN TXT \"v=DMARC1; p=reject\"\n");
    postseal = RunningPostseal.start(stateDir, dns, "domains = [\"example.com\"]\nalgorithms = [\"rsa-sha256\", \"ed25519-sha256\"]",
        "", UnaryOperator.identity());
  }

  @AfterAll
  static void stop() {
    postseal.close();
    dns.close();
  }

  private static Run bench(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = Stream.concat(Stream.of("bench"), Stream.of(args)).toArray(String[]::new);
    int code = Main.run(all, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  private static String target() {
    return "inet:127.0.0.1:" + postseal.address().getPort();
  }

  @Test
  void signModeCountsEveryDkimSignaturePostsealInserted() {
    Run run = bench("--target", target(), "--sessions", "4", "--messages", "5", "--size", "4096", "--mode", "sign");
    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out())
        .contains("messages: 20 in ")
        .contains("errors: 0")
        .contains("replies: continue: 20")
        // an RSA and an Ed25519 signature per message
        .contains("edits: insert DKIM-Signature: 40")
        .doesNotContain("Authentication-Results")
        .containsPattern("summary: messages=20 seconds=[0-9.]+ rate=[0-9.]+ p50_ms=");
  }

  @Test
  void verifyModeSignsFirstThenCountsOneAuthenticationResultsPerMessage() {
    Run run = bench("--target", target(), "--sessions", "3", "--messages", "4", "--mode", "verify", "--pool", "5");
    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out())
        .contains("messages: 12 in ")
        .contains("errors: 0")
        .contains("replies: continue: 12")
        .contains("edits: insert Authentication-Results: 12")
        // what Postseal concluded, read back from its headers: a verifier failing fast cannot look good
        // spf=none: the bench client's HELO name, checked on its own (RFC 7208 section 2.3), publishes no SPF
        .contains("authentication results: dkim=pass: 24, dmarc=pass: 12, spf=none: 12, spf=pass: 12")
        .doesNotContain("DKIM-Signature");
  }

  @Test
  void mixedModeSignsHalfTheSessionsAndVerifiesTheOthers() {
    Run run = bench("--target", target(), "--sessions", "2", "--messages", "3", "--mode", "mixed");
    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out()).contains("insert Authentication-Results: 3").contains("insert DKIM-Signature: 6");
  }

  @Test
  void aTimedRunKeepsReconnectingUntilTheDurationHasPassed() {
    // Postseal runs in this JVM: its CPU is this process's
    Run run = bench("--target", target(), "--sessions", "2", "--messages", "2", "--duration", "0.5", "--warmup", "0.2",
        "--cpu-pid", Long.toString(ProcessHandle.current().pid()));
    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out()).containsPattern("milter cpu: \\d+ ms = [0-9.]+ ms per message");
    long messages = Long.parseLong(run.out().replaceAll("(?s).*summary: messages=(\\d+) .*", "$1"));
    // more than the two connections of two messages a run without --duration would make
    assertThat(messages).isGreaterThan(4);
    assertThat(run.out()).contains("insert DKIM-Signature: " + 2 * messages);
  }

  /**
   * bench/soak.sh reads the interval lines while the run goes on: one per interval, their messages adding up to the
   * summary's, and --rate holds the load down (40 msg/s for 1.5 s: about 60 messages, where the same two sessions
   * unpaced send hundreds).
   */
  @Test
  void intervalLinesAddUpToTheSummaryAndTheRateHoldsTheLoadDown() {
    Run run = bench("--target", target(), "--sessions", "2", "--messages", "5", "--duration", "1.5", "--rate", "40",
        "--report-every", "0.5");
    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    List<String> intervals = run.out().lines().filter(l -> l.startsWith("interval: ")).toList();
    assertThat(intervals).hasSizeBetween(3, 4);
    assertThat(intervals.get(0)).containsPattern("^interval: n=1 t_s=0\\.[56] seconds=0\\.[56] messages=\\d+ rate=[0-9.]+"
        + " p50_ms=[0-9.]+ p99_ms=[0-9.]+ max_ms=[0-9.]+ errors=0 total_messages=\\d+ total_errors=0$");
    long summed = intervals.stream().mapToLong(l -> Long.parseLong(l.replaceAll(".* messages=(\\d+) .*", "$1"))).sum();
    long messages = Long.parseLong(run.out().replaceAll("(?s).*summary: messages=(\\d+) .*", "$1"));
    assertThat(summed).isEqualTo(messages);
    assertThat(intervals.get(intervals.size() - 1)).contains(" total_messages=" + messages + " ");
    // 60 at the rate; the sessions start at once and each keeps its own schedule
    assertThat(messages).isBetween(40L, 75L);
  }

  @Test
  void savedMessagesCarrySignaturesThatVerify() throws IOException {
    Path saved = dir.resolve("signed");
    Run run = bench("--target", target(), "--pool", "3", "--size", "70000", "--save", saved.toString());
    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    List<Path> files;
    try (Stream<Path> list = Files.list(saved)) {
      files = list.sorted().toList();
    }
    assertThat(files).hasSize(3);
    for (Path f : files) {
      List<DkimResult> results = postseal.verifyDirectly(Files.readAllBytes(f));
      assertThat(results).hasSize(2).allMatch(r -> r.outcome() == DkimOutcome.PASS, "every signature passes");
    }
    // the saved messages are a corpus for the next run: verified by the milter itself
    Run verify = bench("--target", target(), "--sessions", "2", "--messages", "3", "--mode", "verify", "--corpus",
        saved.toString());
    assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();
    assertThat(verify.out()).contains("insert Authentication-Results: 6").contains("3 messages from " + saved);
  }

  @Test
  void aMilterThatIsNotThereIsCountedAsErrorsAndExitsOne() throws IOException {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Run run = bench("--target", "inet:127.0.0.1:" + port, "--sessions", "2", "--messages", "1");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).contains("messages: 0").contains("errors: 2 (ConnectException");
  }

  @Test
  void badArgumentsAreUsageErrors() {
    assertThat(bench().exitCode()).as("no --target").isEqualTo(2);
    assertThat(bench("--target", "tcp:1.2.3.4:5").exitCode()).isEqualTo(2);
    assertThat(bench("--target", "inet:127.0.0.1:0").exitCode()).isEqualTo(2);
    assertThat(bench("--target", target(), "--sessions", "0").exitCode()).isEqualTo(2);
    assertThat(bench("--target", target(), "--messages", "0").exitCode()).isEqualTo(2);
    assertThat(bench("--target", target(), "--size", "10").exitCode()).isEqualTo(2);
    assertThat(bench("--target", target(), "--mode", "fast").exitCode()).isEqualTo(2);
    assertThat(bench("--target", target(), "--duration", "-1").exitCode()).isEqualTo(2);
    assertThat(bench("--target", target(), "--cpu-pid", "-5").exitCode()).isEqualTo(2);
    assertThat(bench("--target", target(), "--rate", "-1").exitCode()).isEqualTo(2);
    assertThat(bench("--target", target(), "--report-every", "0.01").exitCode()).isEqualTo(2);
    Run missing = bench("--target", target(), "--corpus", dir.resolve("none").toString());
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("--corpus must be a directory");
  }
}
