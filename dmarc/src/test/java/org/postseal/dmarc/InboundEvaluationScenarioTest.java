package org.postseal.dmarc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postseal.authres.AuthenticationResultsHeader;
import org.postseal.dkim.DkimCause;
import org.postseal.dkim.DkimResult;
import org.postseal.dns.Deadline;
import org.postseal.dns.DnsResolver;
import org.postseal.dns.FakeDnsServer;
import org.postseal.mail.EnvelopeAddress;
import org.postseal.mail.HeaderField;
import org.postseal.mail.SmtpReply;
import org.postseal.spf.SpfEvaluator;
import org.postseal.spf.SpfResult;

/**
 * The library chain a milter runs for an inbound message, over a real DNS server on loopback: SPF, DMARC,
 * disposition, Authentication-Results, and the result kept for reports. Script the DNS, run the message,
 * check the header and the reply.
 */
class InboundEvaluationScenarioTest {

  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-05-04T10:00:00Z"), ZoneOffset.UTC);

  private FakeDnsServer dns;
  private SpfEvaluator spf;
  private DmarcVerifier dmarc;
  private InMemoryDmarcResultStore store;

  @BeforeEach
  void start() {
    dns = FakeDnsServer.start();
    dns.load("""
        example.org.             TXT "v=spf1 ip4:192.0.2.0/28 -all"
        bank.example.            TXT "v=spf1 ip4:198.51.100.0/24 -all"
        _dmarc.bank.example.     TXT "v=DMARC1; p=reject; rua=mailto:dmarc@bank.example"
        attacker.example.        TXT "v=spf1 +all"
        lists.example.net.       TXT "v=spf1 ip4:203.0.113.0/24 -all"
        """);
    DnsResolver resolver = DnsResolver.create(List.of(dns.address()), Duration.ofSeconds(2), Clock.systemUTC());
    spf = new SpfEvaluator(resolver, CLOCK, "mx.example.org");
    dmarc = new DmarcVerifier(resolver, new DmarcSettings(true, DmarcSettings.QuarantineMode.HEADER,
        DmarcSettings.DnsErrorMode.ACCEPT, true, Set.of("example.org"),
        TrustedForwarders.parse(List.of("lists.example.net")), Set.of()));
    store = new InMemoryDmarcResultStore(100);
  }

  @AfterEach
  void stop() {
    dns.close();
  }

  private record Outcome(DmarcResult dmarc, DmarcDisposition disposition, HeaderField authenticationResults) {
  }

  private Outcome receive(String clientIp, String clientHost, String mailFrom, List<String> fromDomains,
                          List<DkimResult> dkim, boolean hasListId) throws Exception {
    InetAddress ip = InetAddress.getByName(clientIp);
    SpfResult spfResult = spf.evaluate(ip, mailFrom, "client.example").get(10, TimeUnit.SECONDS);
    List<HeaderField> headers = new ArrayList<>();
    fromDomains.forEach(d -> headers.add(new HeaderField("From", " <someone@" + d + ">")));
    if (hasListId) {
      headers.add(new HeaderField("List-Id", " <announce.lists.example.net>"));
    }
    DmarcSession session = dmarc.start(new MessageOrigin(Optional.of(ip), clientHost, false, false, "client.example",
        EnvelopeAddress.parse(mailFrom)), headers, dkim.stream().map(DkimResult::domain).toList(),
        Deadline.after(Duration.ofSeconds(10)));
    session.lookupsDone().get(10, TimeUnit.SECONDS);
    DmarcVerdict verdict = session.finish(dkim, spfResult);
    DmarcResult dmarcResult = verdict.result();
    DmarcDisposition decided = verdict.disposition();
    HeaderField header = AuthenticationResultsHeader.builder("mx.example.org")
        .dkim(dkim).spf(spfResult).dmarc(dmarcResult, decided).build();
    store.record(new EvaluatedMessage(CLOCK.instant(), Optional.of(ip), dmarcResult.headerFrom(), spfResult.domain(),
        List.of("postmaster@example.org"), spfResult, dkim, dmarcResult, decided));
    return new Outcome(dmarcResult, decided, header);
  }

  @Test
  void forgedOwnDomain_fromAnOutsideClient_isRejectedEvenWithoutAPublishedPolicy() throws Exception {
    Outcome o = receive("203.0.113.66", "unknown", "billing@attacker.example", List.of("example.org"), List.of(),
        false);

    assertThat(o.dmarc().cause()).isEqualTo(DmarcCause.NO_POLICY);
    assertThat(o.disposition().action()).isEqualTo(DmarcAction.REJECT);
    assertThat(o.disposition().reply()).contains(new SmtpReply(550, "5.7.1",
        "Email rejected per DMARC: unauthenticated mail from our own domain example.org"));
    assertThat(o.authenticationResults().value()).isEqualTo(" mx.example.org;\r\n"
        + "\tdkim=none;\r\n"
        + "\tspf=pass smtp.mailfrom=attacker.example;\r\n"
        + "\tdmarc=none (no DMARC record for example.org or its organizational domain) header.from=example.org");
    assertThat(store.snapshot()).singleElement().satisfies(m ->
        assertThat(m.overrideReason()).contains(OverrideReason.LOCAL_POLICY));
  }

  @Test
  void ownDomain_signedByUs_isAccepted() throws Exception {
    DkimResult ours = new DkimResult(DkimCause.VERIFIED, "", "example.org", "s2026", "ed25519-sha256",
        "QmFzZTY0U2lnbmF0dXJl", "@example.org");

    Outcome o = receive("203.0.113.66", "unknown", "alice@example.org", List.of("example.org"), List.of(ours),
        false);

    assertThat(o.disposition().action()).isEqualTo(DmarcAction.ACCEPT);
    assertThat(o.dmarc().alignedDkim()).isPresent();
  }

  @Test
  void thirdPartyRejectPolicy_failing_isRejected_andPassingIsAccepted() throws Exception {
    Outcome failing = receive("203.0.113.66", "unknown", "alerts@attacker.example", List.of("bank.example"),
        List.of(), false);
    Outcome passing = receive("198.51.100.20", "mail.bank.example", "alerts@bank.example", List.of("bank.example"),
        List.of(), false);

    assertThat(failing.disposition().reply())
        .contains(new SmtpReply(550, "5.7.1", "Email rejected per DMARC policy for bank.example"));
    assertThat(failing.authenticationResults().value()).endsWith(
        "\tdmarc=fail (p=reject sp=reject dis=reject) header.from=bank.example policy.dmarc=reject");
    assertThat(passing.disposition().action()).isEqualTo(DmarcAction.ACCEPT);
    assertThat(passing.authenticationResults().value()).isEqualTo(" mx.example.org;\r\n"
        + "\tdkim=none;\r\n"
        + "\tspf=pass smtp.mailfrom=bank.example;\r\n"
        + "\tdmarc=pass (p=reject sp=reject dis=none) header.from=bank.example policy.dmarc=reject");
  }

  @Test
  void mailingListThatBrokeTheSignature_isAcceptedAsOverride() throws Exception {
    DkimResult broken = new DkimResult(DkimCause.BODY_HASH_MISMATCH, "", "bank.example", "s1",
        "rsa-sha256", "YnJva2VuU2lnbmF0dXJl", "@bank.example");

    Outcome o = receive("203.0.113.9", "mx.lists.example.net", "list-bounces@lists.example.net",
        List.of("bank.example"), List.of(broken), true);

    assertThat(o.dmarc().cause()).isEqualTo(DmarcCause.NOT_ALIGNED);
    assertThat(o.disposition().action()).isEqualTo(DmarcAction.ACCEPT);
    assertThat(o.disposition().overrideReason()).contains(OverrideReason.MAILING_LIST);
    assertThat(o.authenticationResults().value()).endsWith(
        "\tdmarc=fail (p=reject sp=reject dis=none) header.from=bank.example policy.dmarc=reject");
  }
}
