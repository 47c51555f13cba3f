package org.postseal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postseal.server.RunningPostseal.AUTHSERV_ID;
import static org.postseal.server.RunningPostseal.OUTSIDE_IP;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postseal.dkim.DkimCause;
import org.postseal.dkim.DkimOutcome;
import org.postseal.dkim.DkimResult;
import org.postseal.dmarc.DmarcAction;
import org.postseal.dmarc.EvaluatedMessage;
import org.postseal.dmarc.OverrideReason;
import org.postseal.dns.FakeDnsServer;
import org.postseal.milter.FakeMta;
import org.postseal.milter.FakeMta.MilterOutcome;
import org.postseal.milter.client.Envelope;
import org.postseal.milter.client.MilterClient;
import org.postseal.milter.client.Modification;
import org.postseal.spf.SpfCause;
import org.slf4j.LoggerFactory;

/**
 * SPF and DMARC through the real milter: a Postseal on a socket, a fake DNS server with SPF and DMARC records,
 * and a fake MTA. Each scenario scripts who sends as whom and checks the reply, the header edits, the log line
 * and the result kept for reports.
 */
class DmarcMilterTest {

  /** Our domain: we sign it, and nothing but our own (authenticated) users may send as it. */
  private static final String OURS = "ours.example";
  /** A bank's servers; it publishes p=reject. */
  private static final String BANK_IP = "198.51.100.20";
  private static final String BANK_IP6 = "2001:db8::20";
  /** A forwarder the admin trusts (dmarc.trusted-forwarders). */
  private static final String FORWARDER_IP = "203.0.113.77";

  @TempDir
  static Path tmp;
  static FakeDnsServer dns;
  /** The receiving server with the default [dmarc] settings. */
  static RunningPostseal postseal;
  /** The bank's own Postseal: signs bank.example, so its mail passes DKIM anywhere. */
  static RunningPostseal bank;

  @BeforeAll
  static void start() throws IOException {
    dns = FakeDnsServer.start();
    Path ours = Files.createDirectories(tmp.resolve("ours"));
    Path bankState = Files.createDirectories(tmp.resolve("bank"));
    TestKeys.writePrivateKey(ours, OURS, "rsa2026", TestKeys.RSA.getPrivate());
    TestKeys.writePrivateKey(bankState, "bank.example", "bank1", TestKeys.RSA_OTHER.getPrivate());
    dns.load(TestKeys.txtRecord(OURS, "rsa2026", TestKeys.RSA.getPublic())
        + TestKeys.txtRecord("bank.example", "bank1", TestKeys.RSA_OTHER.getPublic())
        + """
        ours.example.            TXT "v=spf1 ip4:192.0.2.10 -all"
        bank.example.            TXT "v=spf1 ip4:198.51.100.20 ip6:2001:db8::20 -all"
        mail.bank.example.       TXT "v=spf1 ip4:198.51.100.20 -all"
        _dmarc.bank.example.     TXT "v=DMARC1; p=reject; rua=mailto:dmarc@bank.example"
        attacker.example.        TXT "v=spf1 +all"
        shop.example.            TXT "v=spf1 ip4:198.51.100.30 -all"
        _dmarc.shop.example.     TXT "v=DMARC1; p=quarantine"
        _dmarc.trial.example.    TXT "v=DMARC1; p=reject; t=y"
        _dmarc.partner.example.  TXT "v=DMARC1; p=reject"
        _dmarc.dnsfail.example.  TXT "v=DMARC1; p=reject"
        """);
    dns.failWith("_dmarc.dnsfail.example", FakeDnsServer.Failure.TIMEOUT);
    postseal = receiver("");
    bank = RunningPostseal.start(bankState, dns, "domains = [\"bank.example\"]\nalgorithms = [\"rsa-sha256\"]", "",
        UnaryOperator.identity());
  }

  @AfterAll
  static void stop() {
    postseal.close();
    bank.close();
    dns.close();
  }

  /** A receiving Postseal signing ours.example, with {@code dmarc} lines added to its [dmarc] section. */
  private static RunningPostseal receiver(String dmarc) {
    return RunningPostseal.start(tmp.resolve("ours"), dns, "domains = [\"" + OURS + "\"]\nalgorithms = [\"rsa-sha256\"]",
        "[dmarc]\n" + dmarc + "\n", UnaryOperator.identity());
  }

  private static Envelope outside(String mailFrom) {
    return FakeMta.envelope(OUTSIDE_IP).withMailFrom(mailFrom);
  }

  /** The message as the bank's Postseal signs it (its server is internal to the bank). */
  private static byte[] signedByTheBank(byte[] raw) throws IOException {
    MilterOutcome outcome = bank.send(FakeMta.envelope(RunningPostseal.INTERNAL_IP), raw);
    assertThat(outcome.inserted("DKIM-Signature")).hasSize(1);
    return outcome.applyTo(raw);
  }

  private static String unfolded(String text) {
    return text.replace("\r\n\t", " ");
  }

  private static EvaluatedMessage recorded(RunningPostseal server, String headerFrom) {
    List<EvaluatedMessage> found = server.results.snapshot().stream().filter(m -> m.headerFrom().equals(headerFrom)).toList();
    assertThat(found).as("results recorded for %s", headerFrom).isNotEmpty();
    return found.get(found.size() - 1);
  }

  /** Captures the per-message log lines (logger org.postseal.message) while open. */
  private static final class MessageLog implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger("org.postseal.message");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Level saved = logger.getLevel();

    MessageLog() {
      appender.start();
      logger.addAppender(appender);
      logger.setLevel(Level.INFO);
    }

    /** The line for {@code queueId}; the milter logs right after replying, so wait for it briefly. */
    String lineFor(String queueId) throws InterruptedException {
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (System.nanoTime() < deadline) {
        for (ILoggingEvent event : List.copyOf(appender.list)) {
          if (event.getFormattedMessage().startsWith("queue=" + queueId + " ")) {
            return event.getFormattedMessage();
          }
        }
        Thread.sleep(10);
      }
      throw new AssertionError("no log line for queue " + queueId + " in " + appender.list);
    }

    @Override
    public void close() {
      logger.detachAppender(appender);
      logger.setLevel(saved);
    }
  }

  @Test
  void forgedMailFromOurOwnDomainIsRejectedAndTheLogSaysWhy() throws Exception {
    byte[] forged = Messages.from("The Boss <boss@ours.example>", "", "Please send me 2 bitcoin today.\r\n");
    Envelope envelope = outside("<billing@attacker.example>").withQueueId("4XFORGED1");
    try (MessageLog log = new MessageLog()) {
      MilterOutcome outcome = postseal.send(envelope, forged);

      assertThat(outcome.reply().text())
          .isEqualTo("550 5.7.1 Email rejected per DMARC: unauthenticated mail from our own domain ours.example");
      assertThat(outcome.changes()).isEmpty();
      String line = log.lineFor("4XFORGED1");
      assertThat(line).contains(" direction=inbound client=" + OUTSIDE_IP + " from=ours.example spf=pass(matched_all)"
          + " dkim=- dmarc=none(no_policy) policy=reject disposition=reject override=local_policy ");
      assertThat(line).contains("decision=\"ours.example is our own domain and this message from an outside client is not"
          + " authenticated");
      assertThat(line).contains("reply=\"550 5.7.1 Email rejected per DMARC: unauthenticated mail from our own domain"
          + " ours.example\"");
    }
    EvaluatedMessage kept = recorded(postseal, OURS);
    assertThat(kept.disposition().action()).isEqualTo(DmarcAction.REJECT);
    assertThat(kept.overrideReason()).contains(OverrideReason.LOCAL_POLICY);
    assertThat(kept.envelopeFromDomain()).isEqualTo("attacker.example");
    assertThat(kept.envelopeToDomains()).containsExactly("example.org");
  }

  @Test
  void theSameMessageSentByAnAuthenticatedUserIsSignedAndPassesWhenItComesBack() throws IOException {
    byte[] raw = Messages.from("The Boss <boss@ours.example>", "", "Please send me the quarterly report.\r\n");
    MilterOutcome outbound = postseal.send(FakeMta.envelope(OUTSIDE_IP).withAuthUser("boss").withMailFrom("<boss@ours.example>"),
        raw);
    assertThat(outbound.reply().isContinue()).isTrue();
    assertThat(outbound.inserted("DKIM-Signature")).hasSize(1);
    byte[] delivered = outbound.applyTo(raw);
    assertThat(postseal.verifyDirectly(delivered)).extracting(DkimResult::outcome).containsExactly(DkimOutcome.PASS);

    // forwarded back to us from outside: the signature is ours and aligned
    MilterOutcome inbound = postseal.send(outside("<forwarder@attacker.example>"), delivered);
    assertThat(inbound.reply().isContinue()).isTrue();
    assertThat(unfolded(inbound.insertedValue("Authentication-Results")))
        .startsWith(" " + AUTHSERV_ID + "; dkim=pass (" + DkimCause.VERIFIED.text() + ") header.d=ours.example"
            + " header.s=rsa2026 header.a=rsa-sha256 header.b=\"")
        .endsWith("; spf=pass smtp.mailfrom=attacker.example; spf=none (" + SpfCause.NO_RECORD.text() + ": client.example) smtp.helo=client.example;"
            + " dmarc=none (no DMARC record for ours.example or its organizational domain) header.from=ours.example");
  }

  @Test
  void ourOwnSignatureWhoseKeyLookupFailsIsNotRejectedAsAForgery() throws IOException {
    byte[] raw = Messages.from("The Boss <boss@ours.example>", "", "Forwarded back to us.\r\n");
    byte[] signed = postseal.send(FakeMta.envelope(OUTSIDE_IP).withAuthUser("boss"), raw).applyTo(raw);
    // a fresh server has no cached key; our selector times out while the message comes back through a forwarder
    try (RunningPostseal fresh = receiver("")) {
      dns.failWith("rsa2026._domainkey.ours.example", FakeDnsServer.Failure.TIMEOUT);
      MilterOutcome outcome = fresh.send(outside("<boss@ours.example>"), signed);
      assertThat(outcome.reply().isContinue()).isTrue();
      assertThat(unfolded(outcome.insertedValue("Authentication-Results")))
          .contains("dkim=temperror (" + DkimCause.DNS_TIMEOUT.text() + ": ")
          .contains("; dmarc=temperror (DMARC none for ours.example is not certain, DKIM d=ours.example s=rsa2026 is"
              + " temperror: DNS timeout looking up the key")
          .endsWith(" header.from=ours.example");
      assertThat(recorded(fresh, OURS).dkim()).extracting(DkimResult::cause).containsExactly(DkimCause.DNS_TIMEOUT);
      assertThat(recorded(fresh, OURS).disposition().action()).isEqualTo(DmarcAction.ACCEPT);
    } finally {
      dns.clearFailures();
      dns.failWith("_dmarc.dnsfail.example", FakeDnsServer.Failure.TIMEOUT);
    }
  }

  @Test
  void aThirdPartyRejectPolicyFailingIsRejectedNamingTheDomain() throws IOException {
    MilterOutcome outcome = postseal.send(outside("<alerts@attacker.example>"),
        Messages.from("Bank Security <security@bank.example>"));
    assertThat(outcome.reply().text()).isEqualTo("550 5.7.1 Email rejected per DMARC policy for bank.example");
    assertThat(outcome.changes()).isEmpty();
    EvaluatedMessage kept = recorded(postseal, "bank.example");
    assertThat(kept.publishedPolicy()).isPresent();
    assertThat(kept.overrideReason()).isEmpty();
  }

  @Test
  void aThirdPartyRejectPolicyWithAnAlignedSignatureIsAccepted() throws IOException {
    byte[] delivered = signedByTheBank(Messages.from("Bank <news@bank.example>"));
    // relayed by someone else: SPF passes for the relay's domain, which does not align; DKIM does
    MilterOutcome outcome = postseal.send(outside("<relay@attacker.example>"), delivered);
    assertThat(outcome.reply().isContinue()).isTrue();
    String ar = unfolded(outcome.insertedValue("Authentication-Results"));
    assertThat(ar).contains("dkim=pass (" + DkimCause.VERIFIED.text() + ") header.d=bank.example header.s=bank1"
            + " header.a=rsa-sha256 ")
        .contains("; spf=pass smtp.mailfrom=attacker.example;")
        .endsWith("; dmarc=pass (p=reject sp=reject dis=none) header.from=bank.example policy.dmarc=reject");
  }

  @Test
  void anAlignedSpfPassAloneIsADmarcPassOverIpv4AndIpv6() throws IOException {
    for (String ip : new String[] {BANK_IP, BANK_IP6}) {
      MilterOutcome outcome = postseal.send(FakeMta.envelope(ip).withMailFrom("<alerts@bank.example>"),
          Messages.from("alerts@bank.example"));
      assertThat(outcome.reply().isContinue()).as(ip).isTrue();
      assertThat(outcome.insertedValue("Authentication-Results")).as(ip).isEqualTo(" " + AUTHSERV_ID + ";\r\n"
          + "\tdkim=none;\r\n"
          + "\tspf=pass smtp.mailfrom=bank.example;\r\n"
          + "\tspf=none (" + SpfCause.NO_RECORD.text() + ": client.example) smtp.helo=client.example;\r\n"
          + "\tdmarc=pass (p=reject sp=reject dis=none) header.from=bank.example policy.dmarc=reject");
    }
  }

  @Test
  void theHeloNameIsCheckedToo_beforeMailFrom_andOnlyWhenItIsAMultiLabelName() throws IOException {
    Envelope fromBank = new Envelope("mail.bank.example", BANK_IP, "mail.bank.example", "<alerts@bank.example>",
        List.of("<rcpt@example.org>"), "", "QHELO1");
    Envelope literal = new Envelope("mail.bank.example", BANK_IP, "[" + BANK_IP + "]", "<alerts@bank.example>",
        List.of("<rcpt@example.org>"), "", "QHELO2");

    String checked = unfolded(postseal.send(fromBank, Messages.from("alerts@bank.example"))
        .insertedValue("Authentication-Results"));
    String notChecked = unfolded(postseal.send(literal, Messages.from("alerts@bank.example"))
        .insertedValue("Authentication-Results"));

    assertThat(checked).contains("; spf=pass smtp.mailfrom=bank.example; spf=pass smtp.helo=mail.bank.example;")
        .contains("dmarc=pass");
    assertThat(notChecked).contains("; spf=pass smtp.mailfrom=bank.example; dmarc=pass").doesNotContain("smtp.helo");
  }

  @Test
  void theNullSenderIsCheckedByItsHeloName() throws IOException {
    Envelope bounce = new Envelope("mail.bank.example", BANK_IP, "bank.example", "<>", List.of("<rcpt@example.org>"), "",
        "QBOUNCE1");
    MilterOutcome outcome = postseal.send(bounce, Messages.from("MAILER-DAEMON@bank.example"));
    assertThat(outcome.reply().isContinue()).isTrue();
    assertThat(unfolded(outcome.insertedValue("Authentication-Results")))
        .contains("; spf=pass smtp.helo=bank.example;")
        .endsWith("dmarc=pass (p=reject sp=reject dis=none) header.from=bank.example policy.dmarc=reject");
  }

  @Test
  void severalFromAddressesAreRejectedAsTheClassicBypass() throws IOException {
    byte[] twoFields = Messages.from("security@bank.example", "From: someone@attacker.example\r\n", "body\r\n");
    byte[] twoAddresses = Messages.from("security@bank.example, someone@attacker.example");
    for (byte[] raw : List.of(twoFields, twoAddresses)) {
      MilterOutcome outcome = postseal.send(outside("<x@attacker.example>"), raw);
      assertThat(outcome.reply().text()).isEqualTo("550 5.7.1 Email rejected per DMARC: the From header must hold exactly"
          + " one address");
    }
    MilterOutcome noFrom = postseal.send(outside("<x@attacker.example>"),
        "Subject: no author\r\n\r\nbody\r\n".getBytes(StandardCharsets.UTF_8));
    assertThat(noFrom.reply().text()).isEqualTo("550 5.7.1 Email rejected per DMARC: the message has no From address");
  }

  @Test
  void quarantinePolicyAddsAHeaderByDefault() throws IOException {
    MilterOutcome outcome = postseal.send(outside("<x@attacker.example>"), Messages.from("orders@shop.example"));
    assertThat(outcome.reply().isContinue()).isTrue();
    // our A-R on top, the quarantine mark right below it
    assertThat(outcome.changes()).hasSize(2);
    String delivered = Messages.text(outcome.applyTo(Messages.from("orders@shop.example")));
    assertThat(unfolded(delivered)).startsWith("Authentication-Results: " + AUTHSERV_ID + "; dkim=none;"
        + " spf=pass smtp.mailfrom=attacker.example;"
        + " spf=none (" + SpfCause.NO_RECORD.text() + ": client.example) smtp.helo=client.example;"
        + " dmarc=fail (p=quarantine sp=quarantine dis=quarantine) header.from=shop.example policy.dmarc=quarantine\r\n"
        + "X-Postseal-Quarantine: yes; DMARC fail for shop.example");
    assertThat(outcome.otherModifications()).isEmpty();
  }

  @Test
  void quarantineHoldAsksTheMtaToHoldTheMessage() throws IOException {
    try (RunningPostseal hold = receiver("quarantine = \"hold\"")) {
      MilterOutcome outcome = hold.send(outside("<x@attacker.example>"), Messages.from("orders@shop.example"));
      assertThat(outcome.reply().isContinue()).isTrue();
      assertThat(outcome.otherModifications()).singleElement().isInstanceOfSatisfying(Modification.Quarantine.class, q ->
          assertThat(q.reason()).startsWith("DMARC quarantine for shop.example: DMARC fail for shop.example"));
      assertThat(outcome.inserted("X-Postseal-Quarantine")).isEmpty();
      assertThat(outcome.insertedValue("Authentication-Results")).contains("(p=quarantine sp=quarantine dis=quarantine)");
      assertThat(recorded(hold, "shop.example").disposition().action()).isEqualTo(DmarcAction.HOLD);
    }
  }

  @ParameterizedTest(name = "leading space and no-reply flags offered: {0}")
  @ValueSource(booleans = {true, false})
  void rejectAndHoldArriveWhateverTheProtocolOptions(boolean offered) throws IOException {
    MilterClient.Options options = FakeMta.postfix().withLeadingSpace(offered).withNoReply(offered);
    try (RunningPostseal hold = receiver("quarantine = \"hold\"")) {
      try (FakeMta mta = hold.mta(options)) {
        MilterOutcome rejected = mta.send(outside("<x@attacker.example>"), Messages.from("security@bank.example"));
        assertThat(rejected.reply().text()).isEqualTo("550 5.7.1 Email rejected per DMARC policy for bank.example");
        // the connection stays usable for the next message of the same SMTP session
        MilterOutcome held = mta.send(outside("<x@attacker.example>"), Messages.from("orders@shop.example"));
        assertThat(held.reply().isContinue()).isTrue();
        assertThat(held.otherModifications()).extracting(Modification::code).containsExactly('q');
        assertThat(held.insertedValue("Authentication-Results")).startsWith(" " + AUTHSERV_ID + ";\r\n\tdkim=none;");
      }
    }
  }

  @Test
  void quarantineAcceptDeliversAsIsAndRecordsTheOverride() throws IOException {
    try (RunningPostseal accept = receiver("quarantine = \"accept\"")) {
      MilterOutcome outcome = accept.send(outside("<x@attacker.example>"), Messages.from("orders@shop.example"));
      assertThat(outcome.reply().isContinue()).isTrue();
      assertThat(outcome.otherModifications()).isEmpty();
      assertThat(outcome.inserted("X-Postseal-Quarantine")).isEmpty();
      assertThat(outcome.insertedValue("Authentication-Results")).contains("(p=quarantine sp=quarantine dis=none)");
      assertThat(recorded(accept, "shop.example").overrideReason()).contains(OverrideReason.LOCAL_POLICY);
    }
  }

  @Test
  void withEnforceOffARejectPolicyIsQuarantinedAsTheReadmeShows() throws IOException {
    try (RunningPostseal lenient = receiver("enforce = false")) {
      byte[] raw = Messages.from("Bank Security <security@bank.example>");
      MilterOutcome outcome = lenient.send(outside("<alerts@attacker.example>"), raw);
      assertThat(outcome.reply().isContinue()).isTrue();
      assertThat(Messages.text(outcome.applyTo(raw))).startsWith("Authentication-Results: " + AUTHSERV_ID + ";\r\n"
          + "\tdkim=none;\r\n"
          + "\tspf=pass smtp.mailfrom=attacker.example;\r\n"
          + "\tspf=none (" + SpfCause.NO_RECORD.text() + ": client.example) smtp.helo=client.example;\r\n"
          + "\tdmarc=fail (p=reject sp=reject dis=quarantine) header.from=bank.example policy.dmarc=reject\r\n"
          + "X-Postseal-Quarantine: yes; DMARC fail for bank.example (nothing that passed is aligned with bank.example"
          + " (SPF attacker.example relaxed)); not rejected, dmarc.enforce = false\r\n");
    }
  }

  @Test
  void testingModeDowngradesRejectToQuarantine() throws IOException {
    MilterOutcome outcome = postseal.send(outside("<x@attacker.example>"), Messages.from("ceo@trial.example"));
    assertThat(outcome.reply().isContinue()).isTrue();
    assertThat(unfolded(outcome.insertedValue("Authentication-Results")))
        .endsWith("dmarc=fail (p=reject sp=reject dis=quarantine) header.from=trial.example policy.dmarc=quarantine");
    assertThat(outcome.inserted("X-Postseal-Quarantine")).hasSize(1);
  }

  @Test
  void trustedForwardersAndNeverRejectTurnARejectIntoDeliveryWithTheReasonRecorded() throws IOException {
    try (RunningPostseal overrides = receiver("trusted-forwarders = [\"" + FORWARDER_IP + "\"]\n"
        + "never-reject = [\"partner.example\"]")) {
      // a mailing list at a trusted forwarder broke the bank's signature
      byte[] listCopy = Messages.from("security@bank.example", "List-Id: <alerts.lists.example.net>\r\n", "body\r\n");
      MilterOutcome viaList = overrides.send(FakeMta.envelope(FORWARDER_IP).withMailFrom("<list-bounces@lists.example.net>"),
          listCopy);
      assertThat(viaList.reply().isContinue()).isTrue();
      assertThat(viaList.insertedValue("Authentication-Results")).contains("(p=reject sp=reject dis=none)");
      assertThat(recorded(overrides, "bank.example").overrideReason()).contains(OverrideReason.MAILING_LIST);

      // the same failure from anyone else is still rejected
      assertThat(overrides.send(outside("<x@attacker.example>"), Messages.from("security@bank.example")).reply().text())
          .isEqualTo("550 5.7.1 Email rejected per DMARC policy for bank.example");

      // never-reject: quarantined instead, local_policy
      MilterOutcome partner = overrides.send(outside("<x@attacker.example>"), Messages.from("billing@partner.example"));
      assertThat(partner.reply().isContinue()).isTrue();
      assertThat(partner.inserted("X-Postseal-Quarantine")).singleElement().asString()
          .contains("partner.example is in dmarc.never-reject");
      EvaluatedMessage kept = recorded(overrides, "partner.example");
      assertThat(kept.disposition().action()).isEqualTo(DmarcAction.QUARANTINE_HEADER);
      assertThat(kept.overrideReason()).contains(OverrideReason.LOCAL_POLICY);
    }
  }

  @Test
  void aDnsFailureIsAcceptedByDefault() throws IOException {
    MilterOutcome outcome = postseal.send(outside("<x@attacker.example>"), Messages.from("someone@dnsfail.example"));
    assertThat(outcome.reply().isContinue()).isTrue();
    assertThat(unfolded(outcome.insertedValue("Authentication-Results")))
        .contains("; dmarc=temperror (DNS lookup of _dmarc.dnsfail.example TXT failed: ")
        .endsWith(" header.from=dnsfail.example");
    assertThat(outcome.endOfMessageTime()).isLessThan(java.time.Duration.ofMillis(2500));
  }

  @Test
  void aDnsFailureIsATemporaryFailureWhenConfigured() throws IOException {
    try (RunningPostseal tempfail = receiver("on-dns-error = \"tempfail\"")) {
      MilterOutcome outcome = tempfail.send(outside("<x@attacker.example>"), Messages.from("someone@dnsfail.example"));
      assertThat(outcome.reply().text())
          .isEqualTo("451 4.7.0 DMARC check for dnsfail.example failed temporarily; try again later");
      assertThat(outcome.changes()).isEmpty();
      assertThat(recorded(tempfail, "dnsfail.example").disposition().action()).isEqualTo(DmarcAction.TEMPFAIL);
    }
  }

  @Test
  void outboundMailIsNeverJudgedByDmarc() throws IOException {
    // an internal client sending as the bank: not ours to sign, and not ours to reject either
    MilterOutcome outcome = postseal.send(FakeMta.envelope(RunningPostseal.INTERNAL_IP).withMailFrom("<x@attacker.example>"),
        Messages.from("security@bank.example"));
    assertThat(outcome.reply().isContinue()).isTrue();
    assertThat(outcome.changes()).isEmpty();
    assertThat(postseal.results.snapshot()).noneMatch(m -> m.envelopeFromDomain().equals("attacker.example")
        && m.headerFrom().equals("bank.example") && m.clientIp().map(ip -> ip.getHostAddress().equals(RunningPostseal.INTERNAL_IP))
        .orElse(false));
  }
}
