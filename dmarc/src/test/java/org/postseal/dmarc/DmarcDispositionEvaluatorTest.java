package org.postseal.dmarc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postseal.mail.EnvelopeAddress;
import org.postseal.mail.SmtpReply;

/** The disposition rules, from DmarcResult values (no DNS): what each setting and override does. */
class DmarcDispositionEvaluatorTest {

  private static final Set<String> OUR_DOMAINS = Set.of("example.org");
  private static final DmarcSettings DEFAULTS = DmarcSettings.defaults(OUR_DOMAINS);
  private static final EnvelopeAddress NULL_SENDER = EnvelopeAddress.parse("<>");

  static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static MessageOrigin outside() {
    return new MessageOrigin(Optional.of(ip("203.0.113.7")), "mail.sender.example", false, false,
        "", EnvelopeAddress.parse("bounce@sender.example"));
  }

  static DmarcResult result(DmarcCause cause, String author, String recordText, DmarcPolicy applied) {
    Optional<DmarcRecord> record = recordText == null ? Optional.empty()
        : Optional.of(DmarcRecordParserTest.record(recordText));
    return new DmarcResult(cause, "no aligned identifier", author, record, record.isPresent() ? author : "", author,
        Optional.ofNullable(applied), List.of());
  }

  static DmarcResult fail(String author, DmarcPolicy applied) {
    return result(DmarcCause.NOT_ALIGNED, author, "v=DMARC1; p=" + applied.keyword(), applied);
  }

  private static DmarcDisposition decide(DmarcSettings settings, DmarcResult result, MessageOrigin origin) {
    return new DmarcDispositionEvaluator(settings).decide(result, origin, false);
  }

  /** The same, for a message carrying List-Id. */
  private static DmarcDisposition decideListMessage(DmarcSettings settings, DmarcResult result, MessageOrigin origin) {
    return new DmarcDispositionEvaluator(settings).decide(result, origin, true);
  }

  private static DmarcSettings with(boolean enforce, DmarcSettings.QuarantineMode quarantine) {
    return new DmarcSettings(enforce, quarantine, DmarcSettings.DnsErrorMode.ACCEPT, true, OUR_DOMAINS,
        TrustedForwarders.NONE, Set.of());
  }

  @Test
  void rejectPolicy_isRejectedWith550NamingTheDomainAndDmarc() {
    DmarcDisposition d = decide(DEFAULTS, fail("bank.example", DmarcPolicy.REJECT), outside());

    assertThat(d.action()).isEqualTo(DmarcAction.REJECT);
    assertThat(d.reply()).contains(new SmtpReply(550, "5.7.1", "Email rejected per DMARC policy for bank.example"));
    assertThat(d.overrideReason()).isEmpty();
    assertThat(d.policy()).contains(DmarcPolicy.REJECT);
    assertThat(d.keyword()).isEqualTo("reject");
  }

  @Test
  void rejectPolicy_withEnforceOff_isQuarantinedAsLocalPolicy() {
    DmarcDisposition d = decide(with(false, DmarcSettings.QuarantineMode.HEADER), fail("bank.example",
        DmarcPolicy.REJECT), outside());

    assertThat(d.action()).isEqualTo(DmarcAction.QUARANTINE_HEADER);
    assertThat(d.overrideReason()).contains(OverrideReason.LOCAL_POLICY);
    assertThat(d.reply()).isEmpty();
    assertThat(d.keyword()).isEqualTo("quarantine");
  }

  @Test
  void quarantinePolicy_followsTheQuarantineSetting() {
    DmarcResult quarantine = fail("shop.example", DmarcPolicy.QUARANTINE);

    DmarcDisposition header = decide(with(true, DmarcSettings.QuarantineMode.HEADER), quarantine, outside());
    DmarcDisposition hold = decide(with(true, DmarcSettings.QuarantineMode.HOLD), quarantine, outside());
    DmarcDisposition accept = decide(with(true, DmarcSettings.QuarantineMode.ACCEPT), quarantine, outside());

    assertThat(header.action()).isEqualTo(DmarcAction.QUARANTINE_HEADER);
    assertThat(header.overrideReason()).isEmpty();
    assertThat(header.quarantineHeader()).hasValueSatisfying(field -> {
      assertThat(field.name()).isEqualTo("X-Postseal-Quarantine");
      assertThat(field.value()).startsWith(" yes; DMARC fail for shop.example (no aligned identifier)")
          .doesNotContain("\r", "\n");
    });
    assertThat(hold.action()).isEqualTo(DmarcAction.HOLD);
    assertThat(hold.quarantineHeader()).isEmpty();
    assertThat(accept.action()).isEqualTo(DmarcAction.ACCEPT);
    assertThat(accept.overrideReason()).contains(OverrideReason.LOCAL_POLICY);
    assertThat(accept.keyword()).isEqualTo("none");
  }

  @Test
  void testingFlagsDowngradedPolicy_isWhatIsApplied() {
    DmarcResult downgraded = result(DmarcCause.NOT_ALIGNED, "bank.example", "v=DMARC1; p=reject; t=y",
        DmarcPolicy.QUARANTINE);

    DmarcDisposition d = decide(DEFAULTS, downgraded, outside());

    assertThat(d.action()).isEqualTo(DmarcAction.QUARANTINE_HEADER);
    assertThat(d.overrideReason()).isEmpty();
  }

  @Test
  void passNoneAndBrokenRecords_areAccepted() {
    assertThat(decide(DEFAULTS, result(DmarcCause.DKIM_ALIGNED, "bank.example", "v=DMARC1; p=reject",
        DmarcPolicy.REJECT), outside()).action()).isEqualTo(DmarcAction.ACCEPT);
    assertThat(decide(DEFAULTS, result(DmarcCause.NO_POLICY, "bank.example", null, null), outside()).action())
        .isEqualTo(DmarcAction.ACCEPT);
    assertThat(decide(DEFAULTS, result(DmarcCause.INVALID_POLICY, "bank.example", "v=DMARC1; p=bogus", null),
        outside()).action()).isEqualTo(DmarcAction.ACCEPT);
    assertThat(decide(DEFAULTS, fail("bank.example", DmarcPolicy.NONE), outside()).action())
        .isEqualTo(DmarcAction.ACCEPT);
  }

  @Test
  void temperror_followsOnDnsError() {
    DmarcResult temperror = new DmarcResult(DmarcCause.DNS_FAILURE, "lookup of _dmarc.bank.example TXT failed",
        "bank.example", Optional.empty(), "", "", Optional.empty(), List.of());
    DmarcSettings tempfail = new DmarcSettings(true, DmarcSettings.QuarantineMode.HEADER,
        DmarcSettings.DnsErrorMode.TEMPFAIL, true, OUR_DOMAINS, TrustedForwarders.NONE, Set.of());

    DmarcDisposition accepted = decide(DEFAULTS, temperror, outside());
    DmarcDisposition deferred = decide(tempfail, temperror, outside());

    assertThat(accepted.action()).isEqualTo(DmarcAction.ACCEPT);
    assertThat(accepted.reason()).contains("dmarc.on-dns-error = accept");
    assertThat(deferred.action()).isEqualTo(DmarcAction.TEMPFAIL);
    assertThat(deferred.reply()).contains(new SmtpReply(451, "4.7.0",
        "DMARC check for bank.example failed temporarily; try again later"));
    assertThat(deferred.keyword()).isEqualTo("none");
  }

  @Test
  void forgedOwnDomainWithoutPublishedPolicy_isRejected() {
    DmarcResult noRecord = result(DmarcCause.NO_POLICY, "example.org", null, null);

    DmarcDisposition d = decide(DEFAULTS, noRecord, outside());

    assertThat(d.action()).isEqualTo(DmarcAction.REJECT);
    assertThat(d.reply()).contains(new SmtpReply(550, "5.7.1",
        "Email rejected per DMARC: unauthenticated mail from our own domain example.org"));
    assertThat(d.policy()).contains(DmarcPolicy.REJECT);
    assertThat(d.overrideReason()).contains(OverrideReason.LOCAL_POLICY);
    assertThat(d.reason()).contains("example.org is our own domain");
  }

  @Test
  void forgedOwnDomainWithPublishedReject_needsNoOverrideReason() {
    DmarcDisposition d = decide(DEFAULTS, fail("example.org", DmarcPolicy.REJECT), outside());

    assertThat(d.action()).isEqualTo(DmarcAction.REJECT);
    assertThat(d.overrideReason()).isEmpty();
  }

  @Test
  void ownDomainProtection_spareAuthenticatedInternalPassingAndOtherDomains() {
    DmarcResult forged = result(DmarcCause.NOT_ALIGNED, "example.org", "v=DMARC1; p=none", DmarcPolicy.NONE);
    MessageOrigin authenticated = new MessageOrigin(Optional.of(ip("198.51.100.4")), "", true, false, "", NULL_SENDER);
    MessageOrigin internal = new MessageOrigin(Optional.of(ip("127.0.0.1")), "localhost", false, true, "", NULL_SENDER);
    DmarcSettings off = new DmarcSettings(true, DmarcSettings.QuarantineMode.HEADER,
        DmarcSettings.DnsErrorMode.ACCEPT, false, OUR_DOMAINS, TrustedForwarders.NONE, Set.of());

    assertThat(decide(DEFAULTS, forged, outside()).action()).isEqualTo(DmarcAction.REJECT);
    assertThat(decide(DEFAULTS, forged, authenticated).action()).isEqualTo(DmarcAction.ACCEPT);
    assertThat(decide(DEFAULTS, forged, internal).action()).isEqualTo(DmarcAction.ACCEPT);
    assertThat(decide(off, forged, outside()).action()).isEqualTo(DmarcAction.ACCEPT);
    assertThat(decide(DEFAULTS, result(DmarcCause.DKIM_ALIGNED, "example.org", "v=DMARC1; p=none", DmarcPolicy.NONE),
        outside()).action()).isEqualTo(DmarcAction.ACCEPT);
    assertThat(decide(DEFAULTS, result(DmarcCause.NO_POLICY, "sub.example.org", null, null), outside()).action())
        .isEqualTo(DmarcAction.ACCEPT);
  }

  @Test
  void ownDomainWithoutPublishedPolicy_butAnAlignedSignature_isAccepted() {
    DmarcResult signed = new DmarcResult(DmarcCause.NO_POLICY, "", "example.org", Optional.empty(), "", "example.org",
        Optional.empty(), List.of(new IdentifierAlignment(
            IdentifierAlignment.Method.DKIM, "example.org", "s2026", DmarcAlignmentMode.RELAXED, true, "")));

    assertThat(decide(DEFAULTS, signed, outside()).action()).isEqualTo(DmarcAction.ACCEPT);
  }

  @Test
  void authenticatedClient_failingARejectPolicy_isAcceptedAsLocalPolicy() {
    MessageOrigin authenticated = new MessageOrigin(Optional.of(ip("198.51.100.4")), "", true, false, "", NULL_SENDER);

    DmarcDisposition d = decide(DEFAULTS, fail("bank.example", DmarcPolicy.REJECT), authenticated);

    assertThat(d.action()).isEqualTo(DmarcAction.ACCEPT);
    assertThat(d.overrideReason()).contains(OverrideReason.LOCAL_POLICY);
  }

  @Test
  void severalOrNoFrom_isRejectedWhenEnforced_andNeverRejectCannotBeSmuggledIn() {
    DmarcResult several = new DmarcResult(DmarcCause.SEVERAL_FROM, "2 From addresses", "", Optional.empty(), "", "",
        Optional.empty(), List.of());
    DmarcResult none = new DmarcResult(DmarcCause.NO_FROM, "", "", Optional.empty(), "", "", Optional.empty(),
        List.of());
    DmarcSettings neverRejectAll = new DmarcSettings(true, DmarcSettings.QuarantineMode.HEADER,
        DmarcSettings.DnsErrorMode.ACCEPT, true, OUR_DOMAINS, TrustedForwarders.parse(List.of("203.0.113.0/24")),
        Set.of("bank.example"));

    DmarcDisposition rejected = decide(DEFAULTS, several, outside());

    assertThat(rejected.action()).isEqualTo(DmarcAction.REJECT);
    assertThat(rejected.reply()).contains(new SmtpReply(550, "5.7.1",
        "Email rejected per DMARC: the From header must hold exactly one address"));
    assertThat(decide(DEFAULTS, none, outside()).reply()).contains(new SmtpReply(550, "5.7.1",
        "Email rejected per DMARC: the message has no From address"));
    assertThat(decide(neverRejectAll, several, outside()).action()).isEqualTo(DmarcAction.REJECT);
    assertThat(decide(with(false, DmarcSettings.QuarantineMode.HOLD), several, outside()).action())
        .isEqualTo(DmarcAction.HOLD);
  }

  @Test
  void neverRejectDomain_isQuarantinedInsteadOfRejected() {
    DmarcSettings settings = new DmarcSettings(true, DmarcSettings.QuarantineMode.HOLD,
        DmarcSettings.DnsErrorMode.ACCEPT, true, OUR_DOMAINS, TrustedForwarders.NONE, Set.of("Bank.Example."));

    DmarcDisposition d = decide(settings, fail("mail.bank.example", DmarcPolicy.REJECT), outside());
    DmarcDisposition other = decide(settings, fail("notbank.example", DmarcPolicy.REJECT), outside());

    assertThat(d.action()).isEqualTo(DmarcAction.HOLD);
    assertThat(d.overrideReason()).contains(OverrideReason.LOCAL_POLICY);
    assertThat(d.reason()).contains("dmarc.never-reject");
    assertThat(other.action()).isEqualTo(DmarcAction.REJECT);
  }

  @Test
  void trustedForwarders_areAccepted_withTheReasonForTheirKind() {
    DmarcSettings settings = new DmarcSettings(true, DmarcSettings.QuarantineMode.HEADER,
        DmarcSettings.DnsErrorMode.ACCEPT, true, OUR_DOMAINS,
        TrustedForwarders.parse(List.of("198.51.100.0/24", "2001:db8:f::/48", "lists.example.net")), Set.of());
    DmarcResult reject = fail("bank.example", DmarcPolicy.REJECT);
    MessageOrigin byIp = new MessageOrigin(Optional.of(ip("198.51.100.77")), "unknown", false, false,
        "", EnvelopeAddress.parse("someone@bank.example"));
    MessageOrigin byIpv6 = new MessageOrigin(Optional.of(ip("2001:db8:f::25")), "", false, false, "", NULL_SENDER);
    MessageOrigin list = new MessageOrigin(Optional.of(ip("203.0.113.50")), "mx2.lists.example.net", false, false,
        "", EnvelopeAddress.parse("list-bounces@lists.example.net"));
    MessageOrigin srs = new MessageOrigin(Optional.of(ip("198.51.100.8")), "", false, false,
        "", EnvelopeAddress.parse("SRS0=HHH=TT=bank.example=someone@forwarder.example"));
    MessageOrigin lookalike = new MessageOrigin(Optional.of(ip("203.0.113.50")), "evil-lists.example.net", false, false,
        "", EnvelopeAddress.parse(""));

    DmarcDisposition trusted = decide(settings, reject, byIp);

    assertThat(trusted.action()).isEqualTo(DmarcAction.ACCEPT);
    assertThat(trusted.overrideReason()).contains(OverrideReason.TRUSTED_FORWARDER);
    assertThat(trusted.keyword()).isEqualTo("none");
    assertThat(decide(settings, reject, byIpv6).overrideReason()).contains(OverrideReason.TRUSTED_FORWARDER);
    assertThat(decideListMessage(settings, reject, list).overrideReason()).contains(OverrideReason.MAILING_LIST);
    assertThat(decide(settings, reject, srs).overrideReason()).contains(OverrideReason.FORWARDED);
    assertThat(decideListMessage(settings, reject, lookalike).action()).isEqualTo(DmarcAction.REJECT);
    assertThat(decideListMessage(settings, fail("bank.example", DmarcPolicy.QUARANTINE), list).action())
        .isEqualTo(DmarcAction.ACCEPT);
    // a list relaying our own users' posts: own-domain protection gives way too
    assertThat(decideListMessage(settings, result(DmarcCause.NO_POLICY, "example.org", null, null), list).overrideReason())
        .contains(OverrideReason.MAILING_LIST);
  }

  @ParameterizedTest
  @EnumSource(OverrideReason.class)
  void overrideReasons_useTheRfc9990Spelling(OverrideReason reason) {
    assertThat(reason.keyword()).isIn("forwarded", "mailing_list", "local_policy", "trusted_forwarder");
  }
}
