package org.postseal.dmarc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.postseal.dkim.DkimCause;
import org.postseal.dkim.DkimOutcome;
import org.postseal.dkim.DkimResult;
import org.postseal.dns.DnsResolver;
import org.postseal.dns.FakeDnsServer;
import org.postseal.spf.SpfCause;
import org.postseal.spf.SpfIdentity;
import org.postseal.spf.SpfOutcome;
import org.postseal.spf.SpfResult;

/** DMARC evaluation against a real DNS server on loopback: every tag, alignment mode, the tree walk, errors. */
class DmarcEvaluatorTest {

  private FakeDnsServer dns;
  private DmarcEvaluator evaluator;

  @BeforeEach
  void start() {
    dns = FakeDnsServer.start();
    dns.load("""
        _dmarc.example.com.        TXT "v=DMARC1; p=reject; sp=quarantine; np=reject"
        example.com.               A   192.0.2.1
        www.example.com.           A   192.0.2.2
        mail.example.com.          MX  10 mx.example.com.
        host.deep.example.com.     A   192.0.2.3
        _dmarc.strict.example.     TXT "v=DMARC1; p=reject; adkim=s; aspf=s"
        _dmarc.relaxed.example.    TXT "v=DMARC1; p=quarantine"
        _dmarc.testing.example.    TXT "v=DMARC1; p=reject; t=y"
        _dmarc.testing-q.example.  TXT "v=DMARC1; p=quarantine; t=y"
        _dmarc.monitor.example.    TXT "v=DMARC1; p=none; rua=mailto:dmarc@monitor.example"
        _dmarc.bogus.example.      TXT "v=DMARC1; p=bogus"
        _dmarc.bogus-rua.example.  TXT "v=DMARC1; p=bogus; rua=mailto:dmarc@bogus-rua.example"
        _dmarc.pct.example.        TXT "v=DMARC1; p=reject; pct=0"
        _dmarc.notdmarc.example.   TXT "v=spf1 -all"
        _dmarc.bank.example.       TXT "v=DMARC1; p=reject; np=reject; sp=none; psd=y"
        _dmarc.giant.bank.example. TXT "v=DMARC1; p=quarantine"
        shop.bank.example.         A   192.0.2.9
        """);
    evaluator = new DmarcEvaluator(
        DnsResolver.create(List.of(dns.address()), Duration.ofSeconds(2), Clock.systemUTC()));
  }

  @AfterEach
  void stop() {
    dns.close();
  }

  /** A result with {@code outcome}; which cause gave it does not matter to DMARC. */
  static DkimResult dkim(DkimOutcome outcome, String domain) {
    DkimCause cause = Arrays.stream(DkimCause.values()).filter(c -> c.outcome() == outcome).findFirst().orElseThrow();
    return new DkimResult(cause, "", domain, "sel", "rsa-sha256", "c2lnbmF0dXJl", "@" + domain);
  }

  /** A result with {@code outcome}; which cause gave it does not matter to DMARC. */
  static SpfResult spf(SpfOutcome outcome, String domain) {
    SpfCause cause = Arrays.stream(SpfCause.values()).filter(c -> c.allows(outcome)).findFirst().orElseThrow();
    return new SpfResult(outcome, cause, SpfIdentity.MAILFROM, "bounce@" + domain, domain, "", Optional.empty());
  }

  static final SpfResult NO_SPF = spf(SpfOutcome.NONE, "elsewhere.example");

  private DmarcResult evaluate(List<String> from, List<DkimResult> dkim, SpfResult spf) throws Exception {
    return evaluator.evaluate(from, dkim, spf).get(10, TimeUnit.SECONDS);
  }

  private DmarcResult evaluate(String from, List<DkimResult> dkim, SpfResult spf) throws Exception {
    return evaluate(List.of(from), dkim, spf);
  }

  @Test
  void alignedDkimPass_passes_withTheRecordAndWhereItWasFound() throws Exception {
    DmarcResult r = evaluate("example.com", List.of(dkim(DkimOutcome.PASS, "example.com")), NO_SPF);

    assertThat(r.outcome()).isEqualTo(DmarcOutcome.PASS);
    assertThat(r.headerFrom()).isEqualTo("example.com");
    assertThat(r.policyDomain()).isEqualTo("example.com");
    assertThat(r.isPolicyFromParent()).isFalse();
    assertThat(r.appliedPolicy()).contains(DmarcPolicy.REJECT);
    assertThat(r.alignedDkim()).hasValueSatisfying(a -> {
      assertThat(a.domain()).isEqualTo("example.com");
      assertThat(a.selector()).isEqualTo("sel");
      assertThat(a.mode()).isEqualTo(DmarcAlignmentMode.RELAXED);
    });
    assertThat(r.reason()).contains("DKIM d=example.com s=sel is aligned");
  }

  @ParameterizedTest
  @CsvSource({
      // author, authenticated domain, aligned with DKIM?, aligned with SPF?
      "example.com, example.com, true, true",
      "mail.example.com, example.com, true, true",
      "example.com, bounce.example.com, true, true",
      "a.b.example.com, c.example.com, true, true",
      "example.com, example.net, false, false",
      "strict.example, strict.example, true, true",
      "mail.strict.example, strict.example, false, false",
      "strict.example, bounce.strict.example, false, false",
      "relaxed.example, bounce.relaxed.example, true, true",
      "giant.bank.example, mail.giant.bank.example, true, true",
      "giant.bank.example, mail.mega.bank.example, false, false",
  })
  void alignment_strictAndRelaxed_forDkimAndSpf(String author, String authenticated, boolean dkimAligned,
                                                boolean spfAligned) throws Exception {
    DmarcResult byDkim = evaluate(author, List.of(dkim(DkimOutcome.PASS, authenticated)), NO_SPF);
    DmarcResult bySpf = evaluate(author, List.of(), spf(SpfOutcome.PASS, authenticated));

    assertThat(byDkim.outcome()).isEqualTo(dkimAligned ? DmarcOutcome.PASS : DmarcOutcome.FAIL);
    assertThat(bySpf.outcome()).isEqualTo(spfAligned ? DmarcOutcome.PASS : DmarcOutcome.FAIL);
    assertThat(byDkim.alignments()).singleElement().satisfies(a -> {
      assertThat(a.method()).isEqualTo(IdentifierAlignment.Method.DKIM);
      assertThat(a.isAligned()).isEqualTo(dkimAligned);
    });
    assertThat(bySpf.alignments()).singleElement().satisfies(a -> {
      assertThat(a.method()).isEqualTo(IdentifierAlignment.Method.SPF);
      assertThat(a.isAligned()).isEqualTo(spfAligned);
    });
  }

  @Test
  void strictModes_areReportedInTheAlignment() throws Exception {
    DmarcResult r = evaluate("mail.strict.example", List.of(dkim(DkimOutcome.PASS, "strict.example")),
        spf(SpfOutcome.PASS, "strict.example"));

    assertThat(r.outcome()).isEqualTo(DmarcOutcome.FAIL);
    assertThat(r.alignments()).extracting(IdentifierAlignment::mode)
        .containsExactly(DmarcAlignmentMode.STRICT, DmarcAlignmentMode.STRICT);
    assertThat(r.reason()).contains("DKIM d=strict.example s=sel strict").contains("SPF strict.example strict");
  }

  @Test
  void dkimPassThatIsNotAligned_fails_andOnlyPassingSignaturesCount() throws Exception {
    DmarcResult r = evaluate("example.com",
        List.of(dkim(DkimOutcome.PASS, "mailer.example.net"), dkim(DkimOutcome.FAIL, "example.com"),
            dkim(DkimOutcome.POLICY, "example.com")), NO_SPF);

    assertThat(r.outcome()).isEqualTo(DmarcOutcome.FAIL);
    assertThat(r.alignments()).singleElement().satisfies(a -> {
      assertThat(a.domain()).isEqualTo("mailer.example.net");
      assertThat(a.isAligned()).isFalse();
    });
    assertThat(r.appliedPolicy()).contains(DmarcPolicy.REJECT);
  }

  @Test
  void spfPassThatIsNotAligned_fails_andSpfFailNeverAligns() throws Exception {
    DmarcResult notAligned = evaluate("example.com", List.of(), spf(SpfOutcome.PASS, "bounces.example.org"));
    DmarcResult spfFail = evaluate("example.com", List.of(), spf(SpfOutcome.FAIL, "example.com"));

    assertThat(notAligned.outcome()).isEqualTo(DmarcOutcome.FAIL);
    assertThat(notAligned.alignments()).singleElement().satisfies(a -> assertThat(a.isAligned()).isFalse());
    assertThat(spfFail.outcome()).isEqualTo(DmarcOutcome.FAIL);
    assertThat(spfFail.alignments()).isEmpty();
    assertThat(spfFail.reason()).contains("neither DKIM nor SPF passed");
  }

  @Test
  void nullSenderSpfPassOnTheHeloName_aligns() throws Exception {
    SpfResult helo = new SpfResult(SpfOutcome.PASS, SpfCause.MATCHED_A, SpfIdentity.HELO, "postmaster@mx.example.com",
        "mx.example.com", "", Optional.empty());

    assertThat(evaluate("example.com", List.of(), helo).outcome()).isEqualTo(DmarcOutcome.PASS);
  }

  @Test
  void existingSubdomain_getsSp_nonExistentSubdomain_getsNp() throws Exception {
    DmarcResult existing = evaluate("www.example.com", List.of(), NO_SPF);
    DmarcResult nonExistent = evaluate("no-such-host.example.com", List.of(), NO_SPF);
    DmarcResult onlyMx = evaluate("mail.example.com", List.of(), NO_SPF);
    DmarcResult emptyNonTerminal = evaluate("deep.example.com", List.of(), NO_SPF);

    assertThat(existing.appliedPolicy()).contains(DmarcPolicy.QUARANTINE);
    assertThat(existing.isPolicyFromParent()).isTrue();
    assertThat(existing.policyDomain()).isEqualTo("example.com");
    assertThat(nonExistent.appliedPolicy()).contains(DmarcPolicy.REJECT);
    assertThat(nonExistent.policyDomain()).isEqualTo("example.com");
    assertThat(onlyMx.appliedPolicy()).contains(DmarcPolicy.QUARANTINE);
    // RFC 8020: a name with names below it exists, even without records of its own
    assertThat(emptyNonTerminal.appliedPolicy()).contains(DmarcPolicy.QUARANTINE);
  }

  @Test
  void deepSubdomain_getsTheOrganizationalDomainsSubdomainPolicy() throws Exception {
    DmarcResult r = evaluate("a.b.c.d.e.f.g.h.i.j.k.example.com",
        List.of(dkim(DkimOutcome.PASS, "signing.example.com")), spf(SpfOutcome.PASS, "example.com"));

    assertThat(r.outcome()).isEqualTo(DmarcOutcome.PASS);
    assertThat(r.policyDomain()).isEqualTo("example.com");
    assertThat(r.organizationalDomain()).isEqualTo("example.com");
    assertThat(r.alignments()).allSatisfy(a -> assertThat(a.isAligned()).isTrue());
    assertThat(r.alignedDkim().orElseThrow().organizationalDomain()).isEqualTo("example.com");
  }

  @Test
  void publicSuffixDomainRecord_appliesNpToNonExistentNamesBelowIt() throws Exception {
    DmarcResult nonExistent = evaluate("fake.bank.example", List.of(), NO_SPF);
    DmarcResult existing = evaluate("shop.bank.example", List.of(), NO_SPF);

    assertThat(nonExistent.outcome()).isEqualTo(DmarcOutcome.FAIL);
    assertThat(nonExistent.policyDomain()).isEqualTo("bank.example");
    assertThat(nonExistent.organizationalDomain()).isEqualTo("fake.bank.example");
    assertThat(nonExistent.appliedPolicy()).contains(DmarcPolicy.REJECT);
    assertThat(existing.appliedPolicy()).contains(DmarcPolicy.NONE);
  }

  @Test
  void testingFlag_downgradesOneLevel() throws Exception {
    assertThat(evaluate("testing.example", List.of(), NO_SPF).appliedPolicy()).contains(DmarcPolicy.QUARANTINE);
    assertThat(evaluate("testing-q.example", List.of(), NO_SPF).appliedPolicy()).contains(DmarcPolicy.NONE);
    DmarcResult r = evaluate("testing.example", List.of(), NO_SPF);
    assertThat(r.record().orElseThrow().policy()).isEqualTo(DmarcPolicy.REJECT);
  }

  @Test
  void pctRemovedByRfc9989_isNotApplied() throws Exception {
    DmarcResult r = evaluate("pct.example", List.of(), NO_SPF);

    assertThat(r.record().orElseThrow().percent()).hasValue(0);
    assertThat(r.appliedPolicy()).contains(DmarcPolicy.REJECT);
  }

  @Test
  void noRecord_isNone_butAlignmentIsStillReported() throws Exception {
    DmarcResult r = evaluate("example.net", List.of(dkim(DkimOutcome.PASS, "example.net")), NO_SPF);
    DmarcResult notDmarc = evaluate("notdmarc.example", List.of(), NO_SPF);

    assertThat(r.outcome()).isEqualTo(DmarcOutcome.NONE);
    assertThat(r.record()).isEmpty();
    assertThat(r.appliedPolicy()).isEmpty();
    assertThat(r.alignedDkim()).isPresent();
    assertThat(notDmarc.outcome()).isEqualTo(DmarcOutcome.NONE);
  }

  @Test
  void invalidPolicy_withoutRua_isPermerror_withRua_isPolicyNone() throws Exception {
    DmarcResult withoutRua = evaluate("bogus.example", List.of(), NO_SPF);
    DmarcResult withRua = evaluate("bogus-rua.example", List.of(), NO_SPF);

    assertThat(withoutRua.outcome()).isEqualTo(DmarcOutcome.PERMERROR);
    assertThat(withoutRua.reason()).contains("p=bogus");
    assertThat(withoutRua.appliedPolicy()).isEmpty();
    assertThat(withRua.outcome()).isEqualTo(DmarcOutcome.FAIL);
    assertThat(withRua.appliedPolicy()).contains(DmarcPolicy.NONE);
  }

  @Test
  void monitoringRecord_failsWithPolicyNone() throws Exception {
    DmarcResult r = evaluate("monitor.example", List.of(), NO_SPF);

    assertThat(r.outcome()).isEqualTo(DmarcOutcome.FAIL);
    assertThat(r.appliedPolicy()).contains(DmarcPolicy.NONE);
  }

  @Test
  void noFrom_severalFrom_andMalformedFrom_arePermerrors() throws Exception {
    DmarcResult none = evaluate(List.of(), List.of(dkim(DkimOutcome.PASS, "example.com")), NO_SPF);
    DmarcResult several = evaluate(List.of("example.com", "attacker.example"), List.of(), NO_SPF);
    DmarcResult sameTwice = evaluate(List.of("example.com", "example.com"), List.of(), NO_SPF);
    DmarcResult literal = evaluate("[192.0.2.1]", List.of(), NO_SPF);
    DmarcResult singleLabel = evaluate("localhost", List.of(), NO_SPF);

    assertThat(none.outcome()).isEqualTo(DmarcOutcome.PERMERROR);
    assertThat(none.headerFromStatus()).isEqualTo(HeaderFromStatus.NO_FROM);
    assertThat(several.outcome()).isEqualTo(DmarcOutcome.PERMERROR);
    assertThat(several.headerFromStatus()).isEqualTo(HeaderFromStatus.SEVERAL_FROM);
    assertThat(several.reason()).contains("2 From addresses");
    assertThat(sameTwice.headerFromStatus()).isEqualTo(HeaderFromStatus.SEVERAL_FROM);
    assertThat(literal.headerFromStatus()).isEqualTo(HeaderFromStatus.MALFORMED);
    assertThat(singleLabel.headerFromStatus()).isEqualTo(HeaderFromStatus.MALFORMED);
    assertThat(dns.queryCount("_dmarc.example.com")).isZero();
  }

  @Test
  void fromDomain_isComparedCaseInsensitivelyAndAsALabel() throws Exception {
    dns.load("_dmarc.xn--bcher-kva.example. TXT \"v=DMARC1; p=reject\"");

    DmarcResult idn = evaluate("B\u00dccher.example", List.of(dkim(DkimOutcome.PASS, "XN--BCHER-KVA.example.")),
        NO_SPF);
    DmarcResult upper = evaluate("EXAMPLE.COM.", List.of(dkim(DkimOutcome.PASS, "Example.Com")), NO_SPF);

    assertThat(idn.outcome()).isEqualTo(DmarcOutcome.PASS);
    assertThat(idn.headerFrom()).isEqualTo("xn--bcher-kva.example");
    assertThat(upper.outcome()).isEqualTo(DmarcOutcome.PASS);
  }

  @Test
  void dnsFailureOnThePolicyLookup_isTemperror() throws Exception {
    dns.failWith("_dmarc.example.com", FakeDnsServer.Failure.SERVFAIL);

    DmarcResult r = evaluate("example.com", List.of(dkim(DkimOutcome.PASS, "example.com")), NO_SPF);

    assertThat(r.outcome()).isEqualTo(DmarcOutcome.TEMPERROR);
    assertThat(r.reason()).contains("_dmarc.example.com TXT");
  }

  @Test
  void dnsFailureWhileFindingAnIdentifiersOrganizationalDomain_isTemperror_unlessAnotherAligns() throws Exception {
    dns.failWith("_dmarc.bounce.example.com", FakeDnsServer.Failure.REFUSED);

    DmarcResult open = evaluate("example.com", List.of(), spf(SpfOutcome.PASS, "bounce.example.com"));
    DmarcResult settled = evaluate("example.com", List.of(dkim(DkimOutcome.PASS, "example.com")),
        spf(SpfOutcome.PASS, "bounce.example.com"));

    assertThat(open.outcome()).isEqualTo(DmarcOutcome.TEMPERROR);
    assertThat(open.reason()).contains("_dmarc.bounce.example.com");
    assertThat(settled.outcome()).isEqualTo(DmarcOutcome.PASS);
  }

  @Test
  void dnsFailureOfTheExistenceCheckForNp_isTemperror() throws Exception {
    dns.failWith("ghost.example.com", FakeDnsServer.Failure.SERVFAIL);

    DmarcResult r = evaluate("ghost.example.com", List.of(), NO_SPF);

    assertThat(r.outcome()).isEqualTo(DmarcOutcome.TEMPERROR);
    assertThat(r.reason()).contains("ghost.example.com A");
  }

  @Test
  void timeout_isTemperrorWithinTheMaximumDuration() throws Exception {
    dns.failWith("_dmarc.example.com", FakeDnsServer.Failure.TIMEOUT);
    DmarcEvaluator hurried = new DmarcEvaluator(
        DnsResolver.create(List.of(dns.address()), Duration.ofSeconds(5), Clock.systemUTC()),
        Duration.ofMillis(300));

    long start = System.nanoTime();
    CompletableFuture<DmarcResult> pending = hurried.evaluate(List.of("example.com"), List.of(), NO_SPF);
    assertThat(pending).isNotDone();
    DmarcResult r = pending.get(5, TimeUnit.SECONDS);

    assertThat(r.outcome()).isEqualTo(DmarcOutcome.TEMPERROR);
    assertThat(r.reason()).contains("longer than 300 ms");
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(3_000);
  }

  @Test
  void lookups_areSharedWithinOneEvaluation() throws Exception {
    List<DkimResult> signatures = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      signatures.add(dkim(DkimOutcome.PASS, "s" + i + ".example.com"));
    }

    DmarcResult r = evaluate("www.example.com", signatures, spf(SpfOutcome.PASS, "bounce.example.com"));

    assertThat(r.outcome()).isEqualTo(DmarcOutcome.PASS);
    assertThat(r.alignments()).hasSize(5).allSatisfy(a -> assertThat(a.isAligned()).isTrue());
    assertThat(dns.queryCount("_dmarc.example.com")).isEqualTo(1);
    assertThat(dns.queryCount("_dmarc.com")).isEqualTo(1);
  }
}
