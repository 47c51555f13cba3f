package org.postseal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postseal.cli.CliRun.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.postseal.dkim.DkimAlgorithm;
import org.postseal.dkim.DkimCause;
import org.postseal.dkim.DkimSigner;
import org.postseal.dkim.SigningKey;
import org.postseal.dkim.SigningSession;
import org.postseal.dmarc.DmarcCause;
import org.postseal.dns.FakeDnsServer;
import org.postseal.mail.HeaderField;
import org.postseal.mail.RawMessage;
import org.postseal.server.TestKeys;
import org.postseal.spf.SpfCause;

/** {@code postseal check} on saved messages, with a configuration whose DNS is a fake server on loopback. */
class CheckCommandTest {

  private static final Path FAIL = Path.of("src/test/resources/check/fail-bank-reject.eml");
  private static final Path PASS = Path.of("src/test/resources/check/pass-bank-spf.eml");
  private static final Path SUBDOMAIN = Path.of("src/test/resources/check/pass-subdomain-spf.eml");
  private static final Path TWO_FROM = Path.of("src/test/resources/check/permerror-from-space-before-colon.eml");

  @TempDir
  static Path dir;
  static FakeDnsServer dns;
  static Path config;

  @BeforeAll
  static void start() throws IOException {
    dns = FakeDnsServer.start();
    dns.load("""
        bank.example.            TXT "v=spf1 ip4:198.51.100.20 -all"
        _dmarc.bank.example.     TXT "v=DMARC1; p=reject; rua=mailto:dmarc@bank.example"
        news.bank.example.       TXT "v=spf1 ip4:198.51.100.20 -all"
        attacker.example.        TXT "v=spf1 +all"
        explained.example.       TXT "v=spf1 -all exp=why.explained.example"
        why.explained.example.   TXT "%{i} is not our server"
        """);
    dns.load(TestKeys.txtRecord("bank.example", "s1", TestKeys.RSA.getPublic()));
    config = dir.resolve("postseal.toml");
    Files.writeString(config, "authserv-id = \"mx.check.test\"\nstate-dir = \"" + dir + "\"\n"
        + "[dns]\nservers = [\"" + dns.address() + "\"]\ntimeout = \"500ms\"\n"
        + "[signing]\ndomains = [\"example.org\"]\ninternal-networks = [\"10.0.0.0/8\"]\n");
  }

  @AfterAll
  static void stop() {
    dns.close();
  }

  @Test
  void aFailingMessageShowsTheAuthenticationResultsAndTheReject() {
    CliRun run = run("check", "--config", config.toString(), "--client-ip", "203.0.113.5", "--helo", "mx.attacker.example",
        FAIL.toString());
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("== " + FAIL + "\n")
        .contains("envelope: client-ip=203.0.113.5 helo=mx.attacker.example mail-from=<alerts@attacker.example>\n")
        .contains("Authentication-Results: mx.check.test;\n"
            + "\tdkim=none;\n"
            + "\tspf=pass smtp.mailfrom=attacker.example;\n"
            + "\tspf=none (" + SpfCause.NO_RECORD.text() + ": mx.attacker.example) smtp.helo=mx.attacker.example;\n"
            + "\tdmarc=fail (p=reject sp=reject dis=reject) header.from=bank.example policy.dmarc=reject\n")
        .contains("disposition: reject (550 5.7.1 Email rejected per DMARC policy for bank.example)\n")
        .contains("policy: reject  override: -\n")
        .contains("why: DMARC fail for bank.example (");
    assertThat(run.err()).isEmpty();
  }

  @Test
  void anAlignedSpfPassIsAcceptedAndTheMailFromOptionOverridesReturnPath() {
    CliRun run = run("check", "--config", config.toString(), "--client-ip", "198.51.100.20", PASS.toString());
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("\tspf=pass smtp.mailfrom=bank.example;\n"
            + "\tdmarc=pass (p=reject sp=reject dis=none) header.from=bank.example policy.dmarc=reject\n")
        .contains("disposition: accept\n");

    CliRun forged = run("check", "--config", config.toString(), "--client-ip", "198.51.100.20", "--mail-from",
        "<x@attacker.example>", PASS.toString());
    assertThat(forged.out()).contains("mail-from=<x@attacker.example>").contains("\tspf=pass smtp.mailfrom=attacker.example;\n");
  }

  @Test
  void withoutAClientAddressSpfIsNotEvaluatedAndSaysSo() throws IOException {
    CliRun run = run("check", "--config", config.toString(), PASS.toString());
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
    CliRun run = run("check", "--config", config.toString(), "--client-ip", "198.51.100.20", "--json", FAIL.toString(),
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
  void atTime_evaluatesAsOfThatTime_soAReplayOfASignatureFromThatTimePasses() throws IOException {
    Instant signedAt = Instant.parse("2099-01-01T00:00:00Z");
    Path signed = dir.resolve("from-the-future.eml");
    Files.write(signed, signedBy(TestKeys.RSA.getPrivate(), signedAt, Files.readAllBytes(PASS)));

    JsonNode now = json(run("check", "--config", config.toString(), "--client-ip", "198.51.100.20", "--json",
        signed.toString())).get(0);
    JsonNode then = json(run("check", "--config", config.toString(), "--client-ip", "198.51.100.20", "--json",
        "--at", "2099-01-01T01:00:00+01:00", signed.toString())).get(0);
    CliRun text = run("check", "--config", config.toString(), "--at", "2099-01-01T00:00:30Z", signed.toString());

    assertThat(now.get("dkim").get(0).get("cause").asText()).isEqualTo(DkimCause.SIGNATURE_IN_FUTURE.keyword());
    assertThat(now.get("evaluated_at").isNull()).isTrue();
    assertThat(then.get("dkim").get(0).get("result").asText()).isEqualTo("pass");
    assertThat(then.get("evaluated_at").asText()).isEqualTo("2099-01-01T00:00:00Z");
    assertThat(text.out()).contains(" at=2099-01-01T00:00:30Z").contains("dkim=pass");
    assertThat(run("check", "--config", config.toString(), "--at", "yesterday", PASS.toString()).err())
        .contains("--at yesterday is not a time");
  }

  @Test
  void jsonNamesTheRecordApplied_whereItWasFound_itsRua_andTheSpfExplanation() throws IOException {
    JsonNode fail = json(run("check", "--config", config.toString(), "--client-ip", "203.0.113.9", "--json",
        "--mail-from", "<x@explained.example>", FAIL.toString())).get(0);
    JsonNode sub = json(run("check", "--config", config.toString(), "--client-ip", "198.51.100.20", "--json",
        SUBDOMAIN.toString())).get(0);

    assertThat(fail.get("spf").get("result").asText()).isEqualTo("fail");
    assertThat(fail.get("spf").get("explanation").asText()).isEqualTo("203.0.113.9 is not our server");
    JsonNode record = fail.get("dmarc").get("record");
    assertThat(record.get("text").asText()).isEqualTo("v=DMARC1; p=reject; rua=mailto:dmarc@bank.example");
    assertThat(record.get("domain").asText()).isEqualTo("bank.example");
    assertThat(record.get("found_at").asText()).isEqualTo("author_domain");
    assertThat(record.get("rua").get(0).asText()).isEqualTo("mailto:dmarc@bank.example");
    assertThat(sub.get("dmarc").get("record").get("found_at").asText()).isEqualTo("organizational_domain");
    assertThat(sub.get("dmarc").get("record").get("domain").asText()).isEqualTo("bank.example");
    assertThat(sub.get("spf").get("explanation").isNull()).isTrue();
  }

  @Test
  void severalEnvelopes_areEachCheckedInOneRun() throws IOException {
    JsonNode reports = json(run("check", "--config", config.toString(), "--json", "--client-ip", "198.51.100.20",
        "--client-ip", "203.0.113.5", "--mail-from", "<alerts@bank.example>", PASS.toString(), FAIL.toString()));

    assertThat(reports).hasSize(4);
    assertThat(reports).extracting(r -> r.get("envelope").get("client_ip").asText())
        .containsExactly("198.51.100.20", "203.0.113.5", "198.51.100.20", "203.0.113.5");
    assertThat(reports).extracting(r -> r.get("spf").get("result").asText())
        .containsExactly("pass", "fail", "pass", "fail");
    CliRun mismatch = run("check", "--config", config.toString(), "--client-ip", "198.51.100.20", "--client-ip",
        "203.0.113.5", "--helo", "a", "--helo", "b", "--helo", "c", PASS.toString());
    assertThat(mismatch.exitCode()).isEqualTo(2);
    assertThat(mismatch.err()).contains("--client-ip is given 2 times, but the envelopes are 3").doesNotContain("Exception");
  }

  private static JsonNode json(CliRun run) throws IOException {
    assertThat(run.exitCode()).as(run.err()).isZero();
    return new ObjectMapper().readTree(run.out());
  }

  /** {@code raw} with a DKIM-Signature of bank.example, selector s1, made at {@code when}. */
  private static byte[] signedBy(PrivateKey key, Instant when, byte[] raw) {
    RawMessage message = RawMessage.parse(raw);
    SigningSession session = new DkimSigner(Clock.fixed(when, ZoneOffset.UTC)).start(message.headers(),
        List.of(new SigningKey("bank.example", "s1", DkimAlgorithm.RSA_SHA256, key)));
    session.body(message.body(), 0, message.body().length);
    HeaderField signature = session.finish().get(0);
    return (signature.name() + ":" + signature.value() + "\r\n" + new String(raw, StandardCharsets.UTF_8))
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void anUnreadableFileExitsOneAfterCheckingTheOthers() {
    Path missing = dir.resolve("missing.eml");
    CliRun run = run("check", "--config", config.toString(), missing.toString(), PASS.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("postseal: cannot read " + missing + ": no such file" + System.lineSeparator());
    assertThat(run.out()).contains("== " + PASS + "\n").doesNotContain("== " + missing);
  }

  @Test
  void anInternalClientIsNotJudged() {
    CliRun run = run("check", "--config", config.toString(), "--client-ip", "10.1.2.3", FAIL.toString());
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("direction: outbound").doesNotContain("Authentication-Results");
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(run("check", "--config", config.toString()).exitCode()).isEqualTo(2);
    CliRun badIp = run("check", "--config", config.toString(), "--client-ip", "not-an-ip", PASS.toString());
    assertThat(badIp.exitCode()).isEqualTo(2);
    assertThat(badIp.err()).contains("--client-ip not-an-ip is not an IPv4 or IPv6 address");
  }

  @Test
  void aSecondFromWrittenWithSpaceBeforeTheColon_isASecondFrom_asThroughPostfix() throws IOException {
    // RFC 5322 section 4.5: "From :" is a From field; Postfix hands it to the milter as one, so check must too
    CliRun run = run("check", "--config", config.toString(), "--client-ip", "203.0.113.5", TWO_FROM.toString());
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("\tdmarc=permerror")
        .contains("disposition: reject (550 5.7.1 Email rejected per DMARC: the From header must hold exactly one"
            + " address)\n");
    JsonNode dmarc = json(run("check", "--config", config.toString(), "--client-ip", "203.0.113.5", "--json",
        TWO_FROM.toString())).get(0).get("dmarc");
    assertThat(dmarc.get("result").asText()).isEqualTo("permerror");
    assertThat(dmarc.get("cause").asText()).isEqualTo(DmarcCause.SEVERAL_FROM.keyword());
  }

  @Test
  void savedMessagesGetCrlfLineEndsAndLoseTheMboxSeparator() {
    RawMessage message = CheckCommand.savedMessage(("From alice@example.org Sat Nov 28 09:00:00 2026\n"
        + "From: alice@example.org\nSubject: one\n two\n\nbody\nline\n").getBytes(StandardCharsets.UTF_8));
    assertThat(message.headers()).containsExactly(new HeaderField("From", " alice@example.org"),
        new HeaderField("Subject", " one\r\n two"));
    assertThat(new String(message.body(), StandardCharsets.UTF_8)).isEqualTo("body\r\nline\r\n");
  }
}
