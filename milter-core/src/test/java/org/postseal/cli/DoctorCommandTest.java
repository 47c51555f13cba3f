package org.postseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.dns.FakeDnsServer;

/** {@code postseal doctor} on the command line: the report on stdout, exit 1 with errors, usage errors exit 2. */
class DoctorCommandTest {

  @TempDir
  Path dir;

  private FakeDnsServer dns;
  private Path config;

  private record Run(int exitCode, String out, String err) {
  }

  @BeforeEach
  void start() throws IOException {
    dns = FakeDnsServer.start();
    dns.load("""
        example.com. MX 10 mx.example.com.
        mx.example.com. A 192.0.2.20
        example.com. TXT "v=spf1 mx -all"
        _dmarc.example.com. TXT "v=DMARC1; p=none"
        """);
    config = dir.resolve("postseal.toml");
    Files.writeString(config, "state-dir = \"" + dir + "\"\n[dns]\nservers = [\"" + dns.address()
        + "\"]\ntimeout = \"1s\"\n");
    // as the package installs it (root:postseal 0640): doctor warns about a configuration others can read
    Files.setPosixFilePermissions(config, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
  }

  @AfterEach
  void stop() {
    dns.close();
  }

  private Run run(String... args) {
    String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
        java.util.stream.Stream.of("--config", config.toString())).toArray(String[]::new);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(all, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  /** Issue 11: doctor says who else may read the configuration and the private keys, with the chmod. */
  @Test
  void doctorWarnsWhenOthersMayReadTheConfigurationOrAKeyFile() throws Exception {
    Files.setPosixFilePermissions(config, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    Path key = Files.createDirectories(dir.resolve("keys/example.com")).resolve("s1.pem");
    Files.writeString(key, "not read by the check");
    Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));

    Run run = run("doctor", "example.com");

    assertThat(run.err()).contains("warning: " + config + " is mode rw-r--r--: others can read the configuration")
        .contains("fix: chmod 640 " + config)
        .contains("warning: " + key + " is mode rw-r-----: its group can read a private key (serve refuses to sign"
            + " with it); fix: chmod 600 " + key);
  }

  @Test
  void theReportNamesEachProblemAndExitsOneWhenThereAreErrors() {
    Run run = run("doctor", "Example.COM.", "--ip", "192.0.2.20");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).startsWith("Doctor report for example.com (server 192.0.2.20)\n\nMX\n  ok      MX 10"
        + " mx.example.com (192.0.2.20)\n")
        .contains("\nDKIM\n  error   no DKIM key for example.com")
        .contains("          fix: postseal keygen example.com, then publish the record it prints\n")
        .contains("  warning p=none: receivers only report")
        .contains("  warning no rua=")
        .contains("  error   192.0.2.20 has no reverse DNS");
    assertThat(run.err()).isEqualTo("postseal: doctor found 2 error(s) for example.com" + System.lineSeparator());
  }

  @Test
  void jsonListsEveryFindingWithSeverityAndFix() throws IOException {
    Run run = run("doctor", "example.com", "--json");
    assertThat(run.exitCode()).isEqualTo(1);
    JsonNode json = new ObjectMapper().readTree(run.out());
    assertThat(json.get("domain").asText()).isEqualTo("example.com");
    assertThat(json.get("ip").isNull()).isTrue();
    assertThat(json.get("errors").asInt()).isEqualTo(1);
    assertThat(json.get("warnings").asInt()).isEqualTo(2);
    assertThat(json.get("findings")).anySatisfy(f -> {
      assertThat(f.get("area").asText()).isEqualTo("DMARC");
      assertThat(f.get("severity").asText()).isEqualTo("warning");
      assertThat(f.get("message").asText()).startsWith("p=none");
      assertThat(f.get("fix").asText()).isNotEmpty();
    });
  }

  /** What receivers reported (postseal report import) and our keys, after the DNS audit. */
  @Test
  void receivedReportsGiveTheFailingSourcesAndTheNextPolicyStep_andSigningDomainsWithoutKeyAreNamed()
      throws IOException {
    Files.writeString(config, Files.readString(config) + "[signing]\ndomains = [\"example.com\", \"other.example\"]\n");
    java.time.Instant yesterday = java.time.Instant.now().minus(java.time.Duration.ofDays(1))
        .truncatedTo(java.time.temporal.ChronoUnit.DAYS);
    Path report = dir.resolve("google.xml");
    Files.writeString(report, ReceivedReportCommandTest.report("google.com", "g1", "example.com", "none", yesterday,
        "192.0.2.20 500 pass pass", "203.0.113.66 30 fail fail", "198.51.100.7 4 fail fail"));
    assertThat(run("report", "import", report.toString()).exitCode()).isZero();

    Run run = run("doctor", "example.com");
    assertThat(run.out()).contains("\nKeys\n  warning example.com is a signing domain with no key yet: its mail goes out"
            + " unsigned\n          fix: postseal keygen example.com, publish the record it prints, then postseal keys"
            + " activate example.com\n")
        .contains("  warning other.example is a signing domain with no key yet")
        .contains("\nReports\n  warning In the last 7 days receivers saw 34 messages from 2 sources failing DMARC for"
            + " example.com; the top ones are 203.0.113.66: 30, 198.51.100.7: 4\n")
        .contains("  info    our own mail passes DMARC (100.0% from 1 source): the next policy step is p=quarantine"
            + " (now p=none)\n          fix: publish p=quarantine in _dmarc.example.com");

    Files.writeString(report, ReceivedReportCommandTest.report("google.com", "g2", "example.com", "none", yesterday,
        "192.0.2.20 90 pass pass", "192.0.2.20 30 fail fail"));
    assertThat(run("report", "import", report.toString()).exitCode()).isZero();
    assertThat(run("doctor", "example.com").out()).contains("  warning our own sources' mail passes DMARC 95.2% of the"
        + " time, under the 98.0% a stricter policy needs; p=none stays").doesNotContain("next policy step");
  }

  @Test
  void badInputIsAUsageError() {
    Run ip = run("doctor", "example.com", "--ip", "mail.example.com");
    assertThat(ip.exitCode()).isEqualTo(2);
    assertThat(ip.err()).startsWith("--ip \"mail.example.com\" is not an IP address");
    assertThat(run("doctor", "example.com", "--ip", "192.0.2.300").exitCode()).isEqualTo(2);
    Run domain = run("doctor", "not_a..domain");
    assertThat(domain.exitCode()).isEqualTo(2);
    assertThat(domain.err()).startsWith("\"not_a..domain\" is not a domain name");
    assertThat(run("doctor").exitCode()).isEqualTo(2);
  }
}
