package org.postseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.milter.FakeMta;

/**
 * {@code postseal serve} as its own process: prints where it listens, completes a milter session, and
 * exits 0 on SIGTERM (what systemd and Ctrl-C send).
 */
class ServeProcessTest {

  @TempDir
  Path dir;

  @Test
  void servePrintsWhereItListensServesASessionAndExitsZeroOnSigterm() throws Exception {
    Path config = dir.resolve("postseal.toml");
    Files.writeString(config, "listen = \"inet:127.0.0.1:0\"\nstate-dir = \"" + dir + "\"\nauthserv-id = \"mx.test\"\n"
        + "[dns]\nservers = [\"127.0.0.1:9\"]\ntimeout = \"200ms\"\n");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    // surefire's class path (a manifest-only jar when forked) carries the test and main classes and every dependency
    // the production logging (logback.xml), not the tests' quieter logback-test.xml
    Process process = new ProcessBuilder(java.toString(), "-Dfile.encoding=UTF-8", "-Dlogback.configurationFile=logback.xml",
        "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "serve", "--config", config.toString())
        .redirectErrorStream(true)
        .start();
    List<String> output = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
    Thread pump = new Thread(() -> {
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = reader.readLine()) != null) {
          output.add(line);
          lines.add(line);
        }
      } catch (IOException e) {
        output.add("(reading the output failed: " + e + ")");
      }
    }, "serve-output");
    pump.setDaemon(true);
    pump.start();
    try {
      String listening = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (listening == null && System.nanoTime() < deadline) {
        String line = lines.poll(100, TimeUnit.MILLISECONDS);
        if (line != null && line.startsWith("postseal: listening on inet:127.0.0.1:")) {
          listening = line;
        }
      }
      assertThat(listening).as("output so far: %s", output).isNotNull();
      int port = Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1));

      try (FakeMta mta = FakeMta.connect(new java.net.InetSocketAddress("127.0.0.1", port))) {
        FakeMta.MilterOutcome outcome = mta.send(FakeMta.envelope("203.0.113.5"),
            "From: a@example.net\r\nSubject: hi\r\n\r\nhello\r\n".getBytes(StandardCharsets.UTF_8));
        assertThat(outcome.reply().isContinue()).isTrue();
        // the only DNS server is unreachable: SPF and DMARC are temperror, and on-dns-error = accept lets it through
        assertThat(outcome.insertedValue("Authentication-Results")).startsWith(" mx.test;\r\n\tdkim=none;\r\n\tspf=temperror (")
            .contains("\r\n\tdmarc=temperror (").endsWith(" header.from=example.net");
      }

      // what systemd sends; Process.destroy() would also send SIGTERM but closes our end of its output
      assertThat(new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start().waitFor()).isZero();
      assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
      pump.join(5000);
      assertThat(process.exitValue()).as("output: %s", output).isZero();
      assertThat(output).anyMatch(l -> l.contains("stopped"));
    } finally {
      process.destroyForcibly();
    }
  }
}
