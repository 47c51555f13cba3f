package org.postseal.dmarc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.postseal.dkim.DkimCause;
import org.postseal.dkim.DkimOutcome;
import org.postseal.dkim.DkimResult;
import org.postseal.dns.Deadline;
import org.postseal.dns.DnsResolver;
import org.postseal.dns.FakeDnsServer;
import org.postseal.mail.EnvelopeAddress;
import org.postseal.mail.HeaderField;
import org.postseal.spf.SpfCause;
import org.postseal.spf.SpfIdentity;
import org.postseal.spf.SpfOutcome;
import org.postseal.spf.SpfResult;

/**
 * DMARC sessions against a real DNS server on loopback: every tag, alignment mode, the tree walk, errors, the
 * deadline, and the rule that a fail resting on an open DKIM or SPF check is not certain.
 */
class DmarcSessionTest {

  private static final Duration DEADLINE = Duration.ofSeconds(10);

  private FakeDnsServer dns;
  private DmarcVerifier verifier;

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
        _dmarc.badsp.example.      TXT "v=DMARC1; p=reject; sp=bogus; rua=mailto:d@badsp.example"
        _dmarc.badnp.example.      TXT "v=DMARC1; p=reject; np=never; rua=mailto:d@badnp.example"
        _dmarc.repeated.example.   TXT "v=DMARC1; p=reject; adkim=r; adkim=s"
        """);
    verifier = verifier(Duration.ofSeconds(2), Set.of());
  }

  @AfterEach
  void stop() {
    dns.close();
  }

  private DmarcVerifier verifier(Duration dnsTimeout, Set<String> ownDomains) {
    return new DmarcVerifier(DnsResolver.create(List.of(dns.address()), dnsTimeout, Clock.systemUTC()),
        DmarcSettings.defaults(ownDomains));
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

  /** A session for a message with one From field per domain (each with one address), started and finished. */
  private DmarcResult evaluate(List<String> from, List<DkimResult> dkim, SpfResult spf) throws Exception {
    return finish(verifier, from, dkim, spf, Deadline.after(DEADLINE));
  }

  static DmarcResult finish(DmarcVerifier verifier, List<String> from, List<DkimResult> dkim, SpfResult spf,
                            Deadline deadline) throws Exception {
    DmarcSession session = start(verifier, from, dkim, spf, deadline);
    session.lookupsDone().get(30, TimeUnit.SECONDS);
    return session.finish(dkim, spf).result();
  }

  static DmarcSession start(DmarcVerifier verifier, List<String> from, List<DkimResult> dkim, SpfResult spf,
                            Deadline deadline) {
    List<HeaderField> headers = new ArrayList<>();
    for (String domain : from) {
      headers.add(new HeaderField("From", " Someone <someone@" + domain + ">"));
    }
    headers.add(new HeaderField("Subject", " test"));
    boolean helo = spf.identity() == SpfIdentity.HELO;
    MessageOrigin origin = new MessageOrigin(Optional.of(DmarcDispositionEvaluatorTest.ip("203.0.113.7")),
        "mx.sender.example", false, false, helo ? spf.domain() : "mx.sender.example",
        EnvelopeAddress.parse(helo ? "" : spf.sender()));
    return verifier.start(origin, headers, dkim.stream().map(DkimResult::domain).toList(), deadline);
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
    assertThat(r.policySource()).contains(PolicySource.AUTHOR_DOMAIN);
    assertThat(r.appliedPolicy()).contains(DmarcPolicy.REJECT);
    assertThat(r.alignedDkim()).hasValueSatisfying(a -> {
      assertThat(a.domain()).isEqualTo("example.com");
      assertThat(a.selector()).isEqualTo("sel");
      assertThat(a.mode()).isEqualTo(DmarcAlignmentMode.RELAXED);
    });
    assertThat(r.cause()).isEqualTo(DmarcCause.DKIM_ALIGNED);
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
    assertThat(r.cause()).isEqualTo(DmarcCause.NOT_ALIGNED);
  }

  @Test
  void dkimPassThatIsNotAligned_fails_andOnlyPassingSignaturesCount() throws Exception {
    DmarcResult r = evaluate("example.com",
        List.of(dkim(DkimOutcome.PASS, "mailer.example.net"), dkim(DkimOutcome.FAIL, "example.com"),
            dkim(DkimOutcome.POLICY, "example.com")), NO_SPF);

    assertThat(r.cause()).isEqualTo(DmarcCause.NOT_ALIGNED);
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
    assertThat(spfFail.cause()).isEqualTo(DmarcCause.NOTHING_PASSED);
  }

  @Test
  void nullSenderSpfPassOnTheHeloName_aligns() throws Exception {
    SpfResult helo = new SpfResult(SpfOutcome.PASS, SpfCause.MATCHED_A, SpfIdentity.HELO, "postmaster@mx.example.com",
        "mx.example.com", "", Optional.empty());

    assertThat(evaluate("example.com", List.of(), helo).cause()).isEqualTo(DmarcCause.SPF_ALIGNED);
  }

  @Test
  void existingSubdomain_getsSp_nonExistentSubdomain_getsNp() throws Exception {
    DmarcResult existing = evaluate("www.example.com", List.of(), NO_SPF);
    DmarcResult nonExistent = evaluate("no-such-host.example.com", List.of(), NO_SPF);
    DmarcResult onlyMx = evaluate("mail.example.com", List.of(), NO_SPF);
    DmarcResult emptyNonTerminal = evaluate("deep.example.com", List.of(), NO_SPF);

    assertThat(existing.appliedPolicy()).contains(DmarcPolicy.QUARANTINE);
    assertThat(existing.isPolicyFromParent()).isTrue();
    assertThat(existing.policySource()).contains(PolicySource.ORGANIZATIONAL_DOMAIN);
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
    assertThat(nonExistent.policySource()).contains(PolicySource.PUBLIC_SUFFIX_DOMAIN);
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

    assertThat(withoutRua.cause()).isEqualTo(DmarcCause.INVALID_POLICY);
    assertThat(withoutRua.record().orElseThrow().hasValidPolicy()).isFalse();
    assertThat(withoutRua.appliedPolicy()).isEmpty();
    assertThat(withRua.outcome()).isEqualTo(DmarcOutcome.FAIL);
    assertThat(withRua.appliedPolicy()).contains(DmarcPolicy.NONE);
  }

  @Test
  void invalidSpOrNp_withAUsableRua_actsAsPNone_forTheDomainAndItsSubdomains() throws Exception {
    for (String author : List.of("badsp.example", "www.badsp.example", "badnp.example", "gone.badnp.example")) {
      DmarcResult r = evaluate(author, List.of(), NO_SPF);

      assertThat(r.cause()).as(author).isEqualTo(DmarcCause.NOTHING_PASSED);
      assertThat(r.appliedPolicy()).as(author).contains(DmarcPolicy.NONE);
    }
  }

  @Test
  void aRecordWithARepeatedTag_isIgnoredAsAWhole() throws Exception {
    DmarcResult r = evaluate("repeated.example", List.of(), NO_SPF);

    assertThat(r.cause()).isEqualTo(DmarcCause.NO_POLICY);
    assertThat(r.record()).isEmpty();
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
    assertThat(none.cause()).isEqualTo(DmarcCause.NO_FROM);
    assertThat(several.outcome()).isEqualTo(DmarcOutcome.PERMERROR);
    assertThat(several.cause()).isEqualTo(DmarcCause.SEVERAL_FROM);
    assertThat(sameTwice.cause()).isEqualTo(DmarcCause.SEVERAL_FROM);
    assertThat(literal.cause()).isEqualTo(DmarcCause.MALFORMED_FROM);
    assertThat(singleLabel.cause()).isEqualTo(DmarcCause.MALFORMED_FROM);
    assertThat(dns.queryCount("_dmarc.example.com")).isZero();
  }

  @Test
  void fromDomain_isComparedCaseInsensitivelyAndAsALabel() throws Exception {
    dns.load("_dmarc.xn--bcher-kva.example. TXT \"v=DMARC1; p=reject\"");

    DmarcResult idn = evaluate("B\u00dccher.example", List.of(dkim(DkimOutcome.PASS, "XN--BCHER-KVA.example.")),
        NO_SPF);
    DmarcResult upper = evaluate("EXAMPLE.COM", List.of(dkim(DkimOutcome.PASS, "Example.Com.")), NO_SPF);

    assertThat(idn.outcome()).isEqualTo(DmarcOutcome.PASS);
    assertThat(idn.headerFrom()).isEqualTo("xn--bcher-kva.example");
    assertThat(upper.outcome()).isEqualTo(DmarcOutcome.PASS);
  }

  @Test
  void dnsFailureOnThePolicyLookup_isTemperror() throws Exception {
    dns.failWith("_dmarc.example.com", FakeDnsServer.Failure.SERVFAIL);

    DmarcResult r = evaluate("example.com", List.of(dkim(DkimOutcome.PASS, "example.com")), NO_SPF);

    assertThat(r.cause()).isEqualTo(DmarcCause.DNS_FAILURE);
    assertThat(r.detail()).contains("_dmarc.example.com TXT");
  }

  @Test
  void dnsFailureWhileFindingAnIdentifiersOrganizationalDomain_isTemperror_unlessAnotherAligns() throws Exception {
    dns.failWith("_dmarc.bounce.example.com", FakeDnsServer.Failure.REFUSED);

    DmarcResult open = evaluate("example.com", List.of(), spf(SpfOutcome.PASS, "bounce.example.com"));
    DmarcResult settled = evaluate("example.com", List.of(dkim(DkimOutcome.PASS, "example.com")),
        spf(SpfOutcome.PASS, "bounce.example.com"));

    assertThat(open.cause()).isEqualTo(DmarcCause.DNS_FAILURE);
    assertThat(open.detail()).contains("_dmarc.bounce.example.com");
    assertThat(settled.outcome()).isEqualTo(DmarcOutcome.PASS);
  }

  @Test
  void dnsFailureOfTheExistenceCheckForNp_isTemperror() throws Exception {
    dns.failWith("ghost.example.com", FakeDnsServer.Failure.SERVFAIL);

    DmarcResult r = evaluate("ghost.example.com", List.of(), NO_SPF);

    assertThat(r.cause()).isEqualTo(DmarcCause.DNS_FAILURE);
    assertThat(r.detail()).contains("ghost.example.com A");
  }

  @Test
  void deadline_endsTheWaitForASilentServer_andNothingWaitsForIt() throws Exception {
    dns.failWith("_dmarc.example.com", FakeDnsServer.Failure.TIMEOUT);
    DmarcVerifier patient = verifier(Duration.ofSeconds(5), Set.of());

    long start = System.nanoTime();
    DmarcSession session = start(patient, List.of("example.com"), List.of(), NO_SPF,
        Deadline.after(Duration.ofMillis(300)));
    assertThat(session.lookupsDone()).isNotDone();
    session.lookupsDone().get(5, TimeUnit.SECONDS);
    long waited = (System.nanoTime() - start) / 1_000_000;
    DmarcResult r = session.finish(List.of(), NO_SPF).result();

    assertThat(waited).isBetween(250L, 2_000L);
    assertThat(r.cause()).isEqualTo(DmarcCause.DEADLINE);
    assertThat(r.outcome()).isEqualTo(DmarcOutcome.TEMPERROR);
  }

  @Test
  void deadlineReachedBetweenWalkSteps_sendsNoFurtherQuery() throws Exception {
    dns.delayAnswers("bank.example", Duration.ofMillis(400));
    Deadline deadline = Deadline.after(Duration.ofMillis(200));

    DmarcSession session = start(verifier, List.of("fake.bank.example"), List.of(), NO_SPF, deadline);
    session.lookupsDone().get(5, TimeUnit.SECONDS);
    Thread.sleep(600);

    assertThat(session.finish(List.of(), NO_SPF).result().cause()).isEqualTo(DmarcCause.DEADLINE);
    assertThat(dns.queryCount("_dmarc.fake.bank.example")).isEqualTo(1);
    assertThat(dns.queryCount("_dmarc.bank.example")).isZero();
  }

  @Test
  void failResting_onAnOpenDkimOrSpfCheckOfTheFromDomain_isTemperror() throws Exception {
    DkimResult open = new DkimResult(DkimCause.DNS_TIMEOUT, "no answer for the key", "example.com", "sel",
        "rsa-sha256", "c2ln", "");
    DkimResult openElsewhere = new DkimResult(DkimCause.DNS_TIMEOUT, "no answer for the key", "example.net", "sel",
        "rsa-sha256", "c2ln", "");
    SpfResult spfOpen = new SpfResult(SpfOutcome.TEMPERROR, SpfCause.DNS_TIMEOUT, SpfIdentity.MAILFROM,
        "bounce@mail.example.com",
        "mail.example.com", "DNS timeout", Optional.empty());

    DmarcResult byDkim = evaluate("example.com", List.of(open), NO_SPF);
    DmarcResult bySpf = evaluate("example.com", List.of(), spfOpen);
    DmarcResult unrelated = evaluate("example.com", List.of(openElsewhere), NO_SPF);

    assertThat(byDkim.cause()).isEqualTo(DmarcCause.RELATED_CHECK_OPEN);
    assertThat(byDkim.record()).isPresent();
    assertThat(bySpf.cause()).isEqualTo(DmarcCause.RELATED_CHECK_OPEN);
    assertThat(unrelated.cause()).isEqualTo(DmarcCause.NOTHING_PASSED);
  }

  @Test
  void noneForOurOwnDomain_restingOnAnOpenCheck_isTemperror_otherNonesStand() throws Exception {
    DmarcVerifier ours = verifier(Duration.ofSeconds(2), Set.of("example.net"));
    DkimResult open = new DkimResult(DkimCause.DNS_TIMEOUT, "no answer for the key", "example.net", "sel",
        "rsa-sha256", "c2ln", "");

    DmarcResult own = finish(ours, List.of("example.net"), List.of(open), NO_SPF, Deadline.after(DEADLINE));
    DmarcResult other = evaluate("example.net", List.of(open), NO_SPF);

    assertThat(own.cause()).isEqualTo(DmarcCause.RELATED_CHECK_OPEN);
    assertThat(other.cause()).isEqualTo(DmarcCause.NO_POLICY);
  }

  @Test
  void existenceOfTheFromDomain_isAskedOnlyWhenNpDiffers() throws Exception {
    evaluate("www.example.com", List.of(), NO_SPF);
    evaluate("mail.relaxed.example", List.of(), NO_SPF);

    assertThat(dns.queryCount("www.example.com")).isEqualTo(1);
    assertThat(dns.queryCount("mail.relaxed.example")).isZero();
  }

  @Test
  void lookups_areSharedWithinOneSession() throws Exception {
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
