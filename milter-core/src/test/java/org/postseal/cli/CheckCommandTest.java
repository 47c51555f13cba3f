package org.postseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.dkim.DkimCause;
import org.postseal.dns.FakeDnsServer;
import org.postseal.mail.HeaderField;
import org.postseal.spf.SpfCause;

/** {@code postseal check} on saved messages, with a configuration whose DNS is a fake server on loopback. */
class CheckCommandTest {

  private static final Path FAIL = Path.of("src/test/resources/check/fail-bank-reject.eml");
  private static final Path PASS = Path.of("src/test/resources/check/pass-bank-spf.eml");

  @TempDir
  static Path dir;
  static FakeDnsServer dns;
  static Path config;

  @BeforeAll
  static void start() throws IOException {
    dns = FakeDnsServer.start();
    dns.load("""
        bank.example.            TXT "v=spf1 ip4:198.51.100.20 -all"
        _dmarc.bank.example.     TXT "v=DMARC1; p=reject"
        attacker.example.        TXT "v=spf1 +all"
        """);
    config = dir.resolve("postseal.toml");
    Files.writeString(config, "authserv-id = \"mx.check.test\"\nstate-dir = \"" + dir + "\"\n"
        + "[dns]\nservers = [\"" + dns.address() + "\"]\ntimeout = \"500ms\"\n"
        + "[signing]\ndomains = [\"example.org\"]\ninternal-networks = [\"10.0.0.0/8\"]\n");
  }

  @AfterAll
  static void stop() {
    dns.close();
  }

  private record Run(int exitCode, String out, String err) {
  }

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void aFailingMessageShowsTheAuthenticationResultsAndTheReject() {
    Run run = run("check", "--config", config.toString(), "--client-ip", "203.0.113.5", "--helo", "mx.attacker.example",
        FAIL.toString());
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("== " + FAIL + "\n")
        .contains("envelope: client-ip=203.0.113.5 helo=mx.attacker.example mail-from=<alerts@attacker.example>\n")
        .contains("Authentication-Results: mx.check.test;\n"
            + "\tdkim=none;\n"
            + "\tspf=pass smtp.mailfrom=attacker.example;\n"
            + "\tdmarc=fail (p=reject sp=reject dis=reject) header.from=bank.example policy.dmarc=reject\n")
        .contains("disposition: reject (550 5.7.1 Email rejected per DMARC policy for bank.example)\n")
        .contains("policy: reject  override: -\n")
        .contains("why: DMARC fail for bank.example (");
    assertThat(run.err()).isEmpty();
  }

  @Test
  void anAlignedSpfPassIsAcceptedAndTheMailFromOptionOverridesReturnPath() {
    Run run = run("check", "--config", config.toString(), "--client-ip", "198.51.100.20", PASS.toString());
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("\tspf=pass smtp.mailfrom=bank.example;\n"
            + "\tdmarc=pass (p=reject sp=reject dis=none) header.from=bank.example policy.dmarc=reject\n")
        .contains("disposition: accept\n");

    Run forged = run("check", "--config", config.toString(), "--client-ip", "198.51.100.20", "--mail-from",
        "<x@attacker.example>", PASS.toString());
    assertThat(forged.out()).contains("mail-from=<x@attacker.example>").contains("\tspf=pass smtp.mailfrom=attacker.example;\n");
  }

  @Test
  void withoutAClientAddressSpfIsNotEvaluatedAndSaysSo() throws IOException {
    Run run = run("check", "--config", config.toString(), PASS.toString());
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("client-ip=(not given)")
        .contains("\tspf=none (" + SpfCause.NO_CLIENT_ADDRESS.text() + ": ")
        .contains("disposition: reject");

    JsonNode spf = new ObjectMapper().readTree(run("check", "--config", config.toString(), "--json", PASS.toString())
        .out()).get(0).get("spf");
    assertThat(spf.get("result").asText()).isEqualTo("none");
    assertThat(spf.get("cause").asText()).isEqualTo("no_client_address");
  }

  @Test
  void jsonGivesOneObjectPerFile() throws IOException {
    Run run = run("check", "--config", config.toString(), "--client-ip", "198.51.100.20", "--json", FAIL.toString(),
        PASS.toString());
    assertThat(run.exitCode()).isZero();
    JsonNode reports = new ObjectMapper().readTree(run.out());
    assertThat(reports).hasSize(2);
    JsonNode fail = reports.get(0);
    assertThat(fail.get("file").asText()).isEqualTo(FAIL.toString());
    assertThat(fail.get("direction").asText()).isEqualTo("inbound");
    assertThat(fail.get("spf").get("domain").asText()).isEqualTo("attacker.example");
    assertThat(fail.get("spf").get("cause").asText()).isEqualTo(SpfCause.MATCHED_ALL.keyword());
    assertThat(fail.get("envelope").get("client_ip").asText()).isEqualTo("198.51.100.20");
    assertThat(fail.get("envelope").get("mail_from").asText()).isEqualTo("<alerts@attacker.example>");
    assertThat(fail.get("dmarc").get("result").asText()).isEqualTo("fail");
    assertThat(fail.get("dmarc").get("header_from").asText()).isEqualTo("bank.example");
    assertThat(fail.get("dmarc").get("policy_domain").asText()).isEqualTo("bank.example");
    assertThat(fail.get("dmarc").get("applied_policy").asText()).isEqualTo("reject");
    assertThat(fail.get("disposition").get("action").asText()).isEqualTo("reject");
    assertThat(fail.get("disposition").get("smtp_reply").asText()).startsWith("550 5.7.1 ");
    assertThat(fail.get("authentication_results").asText()).startsWith("Authentication-Results: mx.check.test;\r\n\tdkim=none;");
    JsonNode pass = reports.get(1);
    assertThat(pass.get("spf").get("cause").asText()).isEqualTo(SpfCause.MATCHED_IP4.keyword());
    assertThat(pass.get("dmarc").get("result").asText()).isEqualTo("pass");
    assertThat(pass.get("disposition").get("action").asText()).isEqualTo("accept");
    assertThat(pass.get("disposition").get("smtp_reply").isNull()).isTrue();
  }

  @Test
  void jsonGivesTheCauseOfEachSignature() throws IOException {
    Path signed = dir.resolve("signed.eml");
    Files.writeString(signed, "DKIM-Signature: v=1; a=rsa-sha256; d=bank.example; s=gone; h=from; bh=abcd; b=abcd\n"
        + "DKIM-Signature: v=1; a=rsa-sha256; d=bank.example; s=gone\n"
        + Files.readString(PASS));

    JsonNode dkim = new ObjectMapper().readTree(run("check", "--config", config.toString(), "--client-ip",
        "198.51.100.20", "--json", signed.toString()).out()).get(0).get("dkim");

    assertThat(dkim).hasSize(2);
    assertThat(dkim.get(0).get("result").asText()).isEqualTo("permerror");
    assertThat(dkim.get(0).get("cause").asText()).isEqualTo(DkimCause.KEY_NOT_FOUND.keyword());
    assertThat(dkim.get(0).get("reason").asText()).startsWith(DkimCause.KEY_NOT_FOUND.text() + ": ");
    assertThat(dkim.get(1).get("cause").asText()).isEqualTo(DkimCause.MISSING_TAG.keyword());
  }

  @Test
  void anUnreadableFileExitsOneAfterCheckingTheOthers() {
    Path missing = dir.resolve("missing.eml");
    Run run = run("check", "--config", config.toString(), missing.toString(), PASS.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("postseal: cannot read " + missing + ": no such file" + System.lineSeparator());
    assertThat(run.out()).contains("== " + PASS + "\n").doesNotContain("== " + missing);
  }

  @Test
  void anInternalClientIsNotJudged() {
    Run run = run("check", "--config", config.toString(), "--client-ip", "10.1.2.3", FAIL.toString());
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("direction: outbound").doesNotContain("Authentication-Results");
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(run("check", "--config", config.toString()).exitCode()).isEqualTo(2);
    Run badIp = run("check", "--config", config.toString(), "--client-ip", "not-an-ip", PASS.toString());
    assertThat(badIp.exitCode()).isEqualTo(2);
    assertThat(badIp.err()).contains("--client-ip not-an-ip is not an IPv4 or IPv6 address");
  }

  @Test
  void savedMessagesGetCrlfLineEndsAndLoseTheMboxSeparator() {
    SavedMessage message = SavedMessage.parse(("From alice@example.org Sat Nov 28 09:00:00 2026\n"
        + "From: alice@example.org\nSubject: one\n two\n\nbody\nline\n").getBytes(StandardCharsets.UTF_8));
    assertThat(message.headers()).containsExactly(new HeaderField("From", " alice@example.org"),
        new HeaderField("Subject", " one\r\n two"));
    assertThat(new String(message.body(), StandardCharsets.UTF_8)).isEqualTo("body\r\nline\r\n");
  }
}
