package org.postseal.server;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.config.ConfigLoader;
import org.postseal.config.ConfigResult;
import org.postseal.config.PostsealConfig;
import org.postseal.dkim.DkimResult;
import org.postseal.dkim.DkimVerifier;
import org.postseal.dkim.VerificationSession;
import org.postseal.dmarc.outbox.ReportSink;
import org.postseal.dmarc.outbox.SmtpTransport;
import org.postseal.dmarc.report.AggregateReport;
import org.postseal.dmarc.report.AggregateReportParser;
import org.postseal.dmarc.report.ReportDisposition;
import org.postseal.dmarc.report.ReportSchema;
import org.postseal.dns.DnsResolver;
import org.postseal.dns.FakeDnsServer;
import org.postseal.dns.SettableClock;
import org.postseal.mail.RawMessage;
import org.postseal.milter.FakeMta;
import org.postseal.milter.client.Envelope;

/**
 * The whole way of a day's report in one process, as on a mail server: messages evaluated by a running Postseal are
 * kept in its SQLite database; after UTC midnight its reports thread builds the day's report and submits it to the
 * "local Postfix" (a relay that signs it through that same Postseal, as smtpd_milters would); a real SMTP server
 * (GreenMail) receives it, and the report's DKIM signature verifies and its XML validates.
 */
class ReportScenarioTest {

  private static final Instant MORNING = Instant.parse("2026-11-28T10:00:00Z");
  private static final String BANK_IP = "198.51.100.20";
  private static final String ATTACKER_IP = "203.0.113.66";

  @TempDir
  Path state;

  @Test
  void aDaysReport_reachesTheDomainOwner_signedByUs_validAndComplete() throws Exception {
    SettableClock clock = new SettableClock(MORNING);
    TestKeys.writePrivateKey(state, "postseal.test", "rep2026", TestKeys.RSA.getPrivate());
    try (FakeDnsServer dns = FakeDnsServer.start(); ReportSink sink = new ReportSink(); MilterRelay relay = new MilterRelay()) {
      dns.load(TestKeys.txtRecord("postseal.test", "rep2026", TestKeys.RSA.getPublic()) + """
          _dmarc.postseal.test.  TXT "v=DMARC1; p=reject; rua=mailto:dmarc@postseal.test"
          bank.example.          TXT "v=spf1 ip4:198.51.100.20 -all"
          _dmarc.bank.example.   TXT "v=DMARC1; p=reject; rua=mailto:dmarc@bank.example,mailto:rua@reports.example.net"
          bank.example._report._dmarc.reports.example.net. TXT "v=DMARC1"
          """);
      PostsealConfig config = config(dns, relay.port());
      try (PostsealServer server = PostsealServer.builder(config).clock(clock).reportInterval(Duration.ofMillis(100))
          .generator("Postseal test").drainTime(Duration.ofSeconds(2)).start()) {
        relay.route(server.boundAddress(), new SmtpTransport("127.0.0.1", sink.port(), "relay.test"));
        ReportService reports = server.reports().orElseThrow();
        await(() -> reports.ownAddresses().contains("dmarc@postseal.test"), "our rua address looked up");

        for (int i = 0; i < 3; i++) {
          assertThat(send(server, BANK_IP, "rcpt@postseal.test").reply().isContinue()).isTrue();
        }
        assertThat(send(server, ATTACKER_IP, "rcpt@postseal.test").reply().smtpCode()).contains(550);
        // a report sent to our own rua address is evaluated but never recorded (no report about reports)
        assertThat(send(server, BANK_IP, "dmarc@postseal.test").reply().isContinue()).isTrue();
        assertThat(reports.store().awaitWritten(Duration.ofSeconds(10))).isTrue();
        assertThat(reports.counters().rowsStored()).isEqualTo(4);

        clock.advance(Duration.ofHours(14).plusMinutes(11));
        assertThat(sink.mail.waitForIncomingEmail(30_000, 2)).as("two report mails (two rua destinations)").isTrue();
        assertThat(reports.counters().reportsBuilt()).isEqualTo(1);
        await(() -> reports.counters().reportsSent() == 2, "both deliveries recorded");
        // the same counters on /metrics
        String scrape = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://" + server.metricsAddress().orElseThrow() + "/metrics")).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        assertThat(scrape).contains("postseal_dmarc_results_stored_total 4.0", "postseal_dmarc_results_dropped_total 0.0",
            "postseal_dmarc_reports_built_total 1.0", "postseal_dmarc_reports_sent_total 2.0",
            "postseal_dmarc_reports_failed_total 0.0");
      }

      List<MimeMessage> received = sink.received();
      assertThat(received).flatExtracting(m -> List.of(m.getAllRecipients())).extracting(Object::toString)
          .containsExactlyInAnyOrder("dmarc@bank.example", "rua@reports.example.net");
      MimeMessage mail = received.get(0);
      long begin = Instant.parse("2026-11-28T00:00:00Z").getEpochSecond();
      String id = mail.getSubject().substring(mail.getSubject().lastIndexOf(' ') + 1);
      assertThat(mail.getSubject()).isEqualTo("Report Domain: bank.example Submitter: postseal.test Report-ID: " + id);
      assertThat(mail.getHeader("From", null)).isEqualTo("dmarc-reports@postseal.test");
      assertThat(mail.getHeader("Auto-Submitted", null)).isEqualTo("auto-generated");
      assertThat(mail.getMessageID()).isEqualTo("<" + id + "@postseal.test>");
      assertThat(ReportSink.attachment(mail).getContentType()).startsWith("application/gzip");
      assertThat(ReportSink.attachment(mail).getFileName())
          .isEqualTo("postseal.test!bank.example!" + begin + "!" + (begin + 86_399) + "!" + id + ".xml.gz");

      // the signature our own milter added on the way out verifies, d= our domain: the report passes DMARC aligned
      byte[] raw = ReportSink.raw(mail);
      List<DkimResult> dkim = verify(raw, dns, clock);
      assertThat(dkim).singleElement().satisfies(r -> {
        assertThat(r.isPass()).as(r.reason()).isTrue();
        assertThat(r.domain()).isEqualTo("postseal.test");
      });

      byte[] xml = new GZIPInputStream(ReportSink.attachment(mail).getInputStream()).readAllBytes();
      ReportSchema.validate(xml);
      AggregateReport report = AggregateReportParser.parse(xml);
      assertThat(report.metadata().reportId()).isEqualTo(id);
      assertThat(report.metadata().orgName()).isEqualTo("Postseal Test");
      assertThat(report.metadata().generator()).contains("Postseal test");
      assertThat(report.policy().domain()).isEqualTo("bank.example");
      assertThat(report.messageCount()).isEqualTo(4);
      assertThat(report.records()).extracting(r -> r.sourceIp() + " " + r.count() + " " + r.evaluated().disposition())
          .containsExactly(BANK_IP + " 3 " + ReportDisposition.PASS, ATTACKER_IP + " 1 " + ReportDisposition.REJECT);
      System.out.println("report mail as received:\n" + new String(raw, StandardCharsets.US_ASCII)
          .replaceAll("(?s)Content-Transfer-Encoding: base64\r\n\r\n.*", "(attachment)") + "\nits XML:\n"
          + new String(xml, StandardCharsets.UTF_8) + "\nDKIM: " + dkim.get(0).summary());
    }
  }

  /** Our domain postseal.test signs and sends the reports; the database is the default SQLite file in state-dir. */
  private PostsealConfig config(FakeDnsServer dns, int smtpPort) {
    String toml = "listen = \"inet:127.0.0.1:0\"\nauthserv-id = \"mx.postseal.test\"\nstate-dir = \"" + state + "\"\n"
        + "[dns]\nservers = [\"" + dns.address() + "\"]\ntimeout = \"1s\"\n"
        + "[signing]\ndomains = [\"postseal.test\"]\ninternal-networks = [\"127.0.0.0/8\", \"10.0.0.0/8\"]\n"
        + "[reports]\norg-name = \"Postseal Test\"\nfrom = \"dmarc-reports@postseal.test\"\n"
        + "smtp = \"127.0.0.1:" + smtpPort + "\"\n[metrics]\nlisten = \"127.0.0.1:0\"\n";
    ConfigResult result = new ConfigLoader(Path.of("/nonexistent"), () -> "unused").parse(toml, "test.toml");
    assertThat(result).isInstanceOf(ConfigResult.Valid.class);
    return ((ConfigResult.Valid) result).config();
  }

  private FakeMta.MilterOutcome send(PostsealServer server, String ip, String rcpt) throws IOException {
    try (FakeMta mta = FakeMta.connect(server.boundAddress())) {
      return mta.send(new Envelope("mx.bank.example", ip, "mx.bank.example", "<statements@bank.example>",
          List.of("<" + rcpt + ">"), "", "Q" + System.nanoTime()), Messages.from("Bank <statements@bank.example>"));
    }
  }

  private static List<DkimResult> verify(byte[] delivered, FakeDnsServer dns, java.time.Clock clock) {
    DkimVerifier verifier = new DkimVerifier(DnsResolver.create(List.of(dns.address()), Duration.ofSeconds(2), clock),
        org.postseal.dkim.DkimPolicy.defaults(), clock);
    RawMessage message = RawMessage.parse(delivered);
    VerificationSession session = verifier.start(message.headers());
    session.body(message.body());
    session.keysLookedUp().orTimeout(5, TimeUnit.SECONDS).join();
    return session.finish();
  }

  private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 30 s: " + what);
      }
      Thread.sleep(20);
    }
  }
}
