package org.postseal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postseal.server.RunningPostseal.INTERNAL_IP;
import static org.postseal.server.RunningPostseal.OUTSIDE_IP;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.dns.FakeDnsServer;
import org.postseal.milter.FakeMta;
import org.postseal.milter.FakeMta.MilterOutcome;

/**
 * Postseal against dkimpy (Debian's python3-dkim), an implementation nobody on the team wrote, in both
 * directions and through the milter protocol: what the milter signs passes dkimpy's verifier, and
 * what dkimpy signs gets dkim=pass from the milter. The Python side is {@code it/dkimpy/interop.py}.
 *
 * <p>Tagged "interop": it needs /usr/bin/python3 with python3-dkim and python3-nacl, which {@code .ci/run}
 * installs before running {@code mvn -B -Pinterop -pl milter-core -am test}; there a missing peer fails
 * the test rather than skipping it. Both directions use the real clock, since dkimpy checks t= against its own.
 */
@Tag("interop")
class DkimpyInteropTest {

  private static final Path SCRIPT = Path.of("..", "it", "dkimpy", "interop.py").toAbsolutePath().normalize();
  /** Debian's interpreter: python3-dkim is installed for it, not for other Pythons on PATH. */
  private static final String PYTHON = "/usr/bin/python3";
  private static final String SIGNING = "domains = [\"example.com\"]\nalgorithms = [\"rsa-sha256\", \"ed25519-sha256\"]";

  @TempDir
  Path stateDir;
  @TempDir
  Path work;

  /** Messages that exercise canonicalization: folds, runs of white space, empty and blank bodies, 8-bit, long lines. */
  private static Map<String, byte[]> corpus() {
    Map<String, byte[]> messages = new LinkedHashMap<>();
    messages.put("plain", Messages.from("Alice <alice@example.com>"));
    messages.put("folded-headers", Messages.from("\"Alice  Example\"\r\n <alice@example.com>",
        "Cc: carol@example.org,\r\n  dave@example.org\r\nX-Trailing: spaces   \r\n", "Body\r\n"));
    messages.put("empty-body", Messages.from("alice@example.com", "", ""));
    messages.put("blank-lines-only", Messages.from("alice@example.com", "", "\r\n\r\n\r\n"));
    messages.put("trailing-whitespace", Messages.from("alice@example.com", "", "tabs\t\t\r\nspaces   \r\n \r\n"));
    messages.put("utf8", Messages.from("Zoë <zoe@example.com>", "Content-Transfer-Encoding: 8bit\r\n",
        "Grüße aus Köln — ünïcödé ✓\r\n"));
    messages.put("long-lines", Messages.from("alice@example.com", "", ("y".repeat(990) + "\r\n").repeat(80)));
    messages.put("no-final-crlf", Messages.from("alice@example.com", "", "no line end at the end"));
    return messages;
  }

  @Test
  void whatPostsealSignsThroughTheMilterPassesDkimpy() throws Exception {
    Path out = Files.createDirectories(work.resolve("postseal-signed"));
    try (FakeDnsServer dns = FakeDnsServer.start()) {
      TestKeys.writePrivateKey(stateDir, "example.com", "rsa", TestKeys.RSA.getPrivate());
      TestKeys.writePrivateKey(stateDir, "example.com", "ed", TestKeys.ED25519.getPrivate());
      String zone = TestKeys.txtRecord("example.com", "rsa", TestKeys.RSA.getPublic())
          + TestKeys.txtRecord("example.com", "ed", TestKeys.ED25519.getPublic());
      Files.writeString(out.resolve("zone.txt"), zone, StandardCharsets.US_ASCII);
      dns.load(zone);
      try (RunningPostseal postseal = RunningPostseal.start(stateDir, dns, SIGNING, "", UnaryOperator.identity(),
          Clock.systemUTC())) {
        for (Map.Entry<String, byte[]> message : corpus().entrySet()) {
          MilterOutcome outcome = postseal.send(FakeMta.envelope(INTERNAL_IP), message.getValue());
          assertThat(outcome.inserted("DKIM-Signature")).as(message.getKey()).hasSize(2);
          Files.write(out.resolve("postseal-" + message.getKey() + ".eml"), outcome.applyTo(message.getValue()));
        }
      }
    }

    ProcessResult verified = python("verify", out);

    int signatures = corpus().size() * 2;
    assertThat(verified.output()).contains("dkimpy verified " + signatures + " of " + signatures + " signatures");
    assertThat(verified.output()).doesNotContain("FAIL");
    assertThat(verified.exitCode()).isZero();
  }

  @Test
  void whatDkimpySignsPassesPostsealThroughTheMilter() throws Exception {
    Path in = work.resolve("dkimpy-signed");
    ProcessResult signed = python("sign", in);
    assertThat(signed.exitCode()).isZero();

    List<Path> messages;
    try (Stream<Path> files = Files.list(in)) {
      messages = files.filter(f -> f.toString().endsWith(".eml")).sorted().toList();
    }
    assertThat(messages).hasSizeGreaterThanOrEqualTo(30);

    List<String> report = new ArrayList<>();
    int passes = 0;
    int signatures = 0;
    try (FakeDnsServer dns = FakeDnsServer.start()) {
      dns.load(Files.readString(in.resolve("zone.txt"), StandardCharsets.US_ASCII));
      try (RunningPostseal postseal = RunningPostseal.start(stateDir, dns, SIGNING, "", UnaryOperator.identity(),
          Clock.systemUTC())) {
        for (Path message : messages) {
          byte[] raw = Files.readAllBytes(message);
          int expected = countSignatures(raw);
          MilterOutcome outcome = postseal.send(FakeMta.envelope(OUTSIDE_IP), raw);
          assertThat(outcome.reply().isContinue()).isTrue();
          String authResults = outcome.insertedValue("Authentication-Results");
          List<String> results = dkimResults(authResults);
          report.add(message.getFileName() + ": " + String.join(", ", results));
          signatures += expected;
          passes += (int) results.stream().filter(r -> r.startsWith("pass")).count();
          assertThat(results).as(message.getFileName() + "\n" + authResults).hasSize(expected).allMatch(r -> r.startsWith("pass"));
        }
      }
    }
    report.forEach(System.out::println);
    System.out.println("postseal verified " + passes + " of " + signatures + " dkimpy signatures");
  }

  private static int countSignatures(byte[] raw) {
    String text = new String(raw, StandardCharsets.UTF_8);
    String headers = text.substring(0, Math.max(0, text.indexOf("\r\n\r\n")));
    return (int) Pattern.compile("(?mi)^DKIM-Signature:").matcher(headers).results().count();
  }

  /** "pass d=... a=..." per dkim= entry of an Authentication-Results value. */
  private static List<String> dkimResults(String authResults) {
    List<String> results = new ArrayList<>();
    Matcher m = Pattern.compile("dkim=([a-z]+)(?: \\((?:[^()\\\\]|\\\\.)*\\))?\\s+header\\.d=(\\S+)\\s+header\\.s=(\\S+)\\s+header\\.a=([^\\s;]+)")
        .matcher(authResults.replace("\r\n\t", " "));
    while (m.find()) {
      results.add(m.group(1) + " d=" + m.group(2) + " s=" + m.group(3) + " a=" + m.group(4));
    }
    return results;
  }

  private record ProcessResult(int exitCode, String output) {
  }

  private static ProcessResult python(String command, Path directory) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(PYTHON, SCRIPT.toString(), command, directory.toString())
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("interop.py " + command + " finished").isTrue();
    System.out.println("interop.py " + command + ":\n" + output);
    return new ProcessResult(process.exitValue(), output);
  }
}
