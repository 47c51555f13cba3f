package org.postseal.dmarc.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postseal.dmarc.report.ReportFixtures.message;
import static org.postseal.dmarc.report.ReportFixtures.signature;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.postseal.dkim.DkimOutcome;
import org.postseal.dkim.DkimResult;
import org.postseal.dmarc.DmarcAction;
import org.postseal.dmarc.DmarcAlignmentMode;
import org.postseal.dmarc.DmarcPolicy;
import org.postseal.dmarc.OverrideReason;
import org.postseal.spf.SpfOutcome;

/** What an evaluated message leaves for reports. */
class RecordedMessageTest {

  @Test
  void thePolicyAsPublished_withItsDefaults_andTheDiscoveryMethod() {
    RecordedMessage m = message().from("a.example.com")
        .record("v=DMARC1; p=quarantine; np=reject; aspf=s; psd=n; rua=mailto:d@example.com!10m", "example.com")
        .recorded();
    PolicyPublished p = m.policy().orElseThrow();
    assertThat(p.domain()).isEqualTo("example.com");
    assertThat(p.p()).isEqualTo(DmarcPolicy.QUARANTINE);
    assertThat(p.sp()).contains(DmarcPolicy.QUARANTINE);
    assertThat(p.np()).contains(DmarcPolicy.REJECT);
    assertThat(p.adkim()).contains(DmarcAlignmentMode.RELAXED);
    assertThat(p.aspf()).contains(DmarcAlignmentMode.STRICT);
    assertThat(p.fo()).contains("0");
    assertThat(p.testing()).contains(false);
    assertThat(p.discoveryMethod()).contains("treewalk");
    assertThat(m.psd()).isEqualTo("n");
    // RFC 9989 dropped the "!size" suffix: it is gone from the destination
    assertThat(m.rua()).containsExactly("mailto:d@example.com");
  }

  @Test
  void dkimResults_alignedPassesFirst_thenOtherPasses_thenTheRest_atMostOneHundred() {
    DkimResult[] many = new DkimResult[105];
    many[0] = signature(DkimOutcome.FAIL, "example.com", "broken");
    many[1] = signature(DkimOutcome.PASS, "esp.example", "esp");
    many[2] = signature(DkimOutcome.PASS, "mail.example.com", "relaxed");
    many[3] = signature(DkimOutcome.PASS, "example.com", "strict");
    for (int i = 4; i < many.length; i++) {
      many[i] = signature(DkimOutcome.PERMERROR, "x" + i + ".example", "s");
    }
    RecordedMessage m = message().from("example.com").dkim(many).recorded();
    assertThat(m.dkim()).hasSize(RecordedMessage.MAX_DKIM_RESULTS);
    assertThat(m.dkim().subList(0, 4)).extracting(DkimAuthResult::selector)
        .containsExactly("strict", "relaxed", "esp", "broken");
  }

  @Test
  void aPassUnderAnEnforcingPolicy_isDispositionPass_underPNone_itIsNone() {
    assertThat(message().recorded().disposition()).isEqualTo(ReportDisposition.PASS);
    assertThat(message().record("v=DMARC1; p=none; rua=mailto:d@example.com", "example.com").recorded().disposition())
        .isEqualTo(ReportDisposition.NONE);
    RecordedMessage rejected = message().dkimAligned(false).spf(SpfOutcome.FAIL, false).action(DmarcAction.REJECT)
        .recorded();
    assertThat(rejected.disposition()).isEqualTo(ReportDisposition.REJECT);
    assertThat(rejected.isDkimAligned()).isFalse();
    assertThat(message().dkimAligned(false).spf(SpfOutcome.FAIL, false).action(DmarcAction.HOLD).recorded()
        .disposition()).isEqualTo(ReportDisposition.QUARANTINE);
  }

  @Test
  void overrideReasons_inRfc9990Words_withPolicyTestModeForTEqualsY() {
    RecordedMessage forwarded = message().dkimAligned(false).spf(SpfOutcome.FAIL, false)
        .override(OverrideReason.FORWARDED).recorded();
    assertThat(forwarded.reasons()).containsExactly(new PolicyOverride(OverrideType.TRUSTED_FORWARDER, "forwarded"));

    RecordedMessage testing = message().record("v=DMARC1; p=reject; t=y; rua=mailto:d@example.com", "example.com")
        .dkimAligned(false).spf(SpfOutcome.FAIL, false).action(DmarcAction.QUARANTINE_HEADER).recorded();
    assertThat(testing.reasons()).containsExactly(new PolicyOverride(OverrideType.POLICY_TEST_MODE, "t=y"));
    assertThat(testing.policy().orElseThrow().testing()).contains(true);
  }

  @Test
  void identifiers_nullSenderIsAnEmptyEnvelopeFrom_andTheHeloScopeIsLeftOut() {
    RecordedMessage m = message().mailFrom("").recipients("bob@Example.ORG", "carol@example.net").ip("2001:db8:0:0::25")
        .recorded();
    assertThat(m.envelopeFrom()).isEmpty();
    assertThat(m.spf().scope()).isEmpty();
    assertThat(m.envelopeTo()).isEqualTo("example.org");
    assertThat(m.sourceIp()).isEqualTo("2001:db8::25");
    assertThat(message().recorded().spf().scope()).contains("mfrom");
  }

  @Test
  void aDeferredMessage_isNotCounted_itComesBack() {
    assertThat(RecordedMessage.of(message().action(DmarcAction.TEMPFAIL).build())).isEqualTo(Optional.empty());
  }

  @Test
  void controlCharactersNeverReachTheStoreOrTheXml() {
    RecordedMessage m = message().dkim(signature(DkimOutcome.PERMERROR, "bad\tdomain\n", "s\u0000")).recorded();
    assertThat(m.dkim().get(0).domain()).isEqualTo("bad?domain?");
    assertThat(m.dkim().get(0).selector()).isEqualTo("s?");
  }
}
