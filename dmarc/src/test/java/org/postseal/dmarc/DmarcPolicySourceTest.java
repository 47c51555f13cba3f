package org.postseal.dmarc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postseal.dns.Deadline;
import org.postseal.dns.DnsResolver;
import org.postseal.dns.FakeDnsServer;

/** The DNS tree walk (RFC 9989 section 4.10), with the draft's own examples (Appendix B.4). */
class DmarcPolicySourceTest {

  private FakeDnsServer dns;
  private DmarcPolicySource source;

  @BeforeEach
  void start() {
    dns = FakeDnsServer.start();
    source = new DmarcPolicySource(
        DnsResolver.create(List.of(dns.address()), Duration.ofSeconds(2), Clock.systemUTC()));
  }

  @AfterEach
  void stop() {
    dns.close();
  }

  private PolicyDiscovery discover(String domain) throws Exception {
    return source.discover(domain).get(10, TimeUnit.SECONDS);
  }

  private DmarcTreeWalk walk(String domain) throws Exception {
    return source.lookups(Deadline.after(Duration.ofSeconds(10))).walk(domain).get(10, TimeUnit.SECONDS);
  }

  @Test
  void targets_skipToSevenLabelsForLongNames_andNeverExceedEight() {
    assertThat(DmarcTreeWalk.targets("a.b.c.d.e.f.g.h.i.j.mail.example.com")).containsExactly(
        "a.b.c.d.e.f.g.h.i.j.mail.example.com", "g.h.i.j.mail.example.com", "h.i.j.mail.example.com",
        "i.j.mail.example.com", "j.mail.example.com", "mail.example.com", "example.com", "com");
    assertThat(DmarcTreeWalk.targets("a.mail.example.com"))
        .containsExactly("a.mail.example.com", "mail.example.com", "example.com", "com");
    assertThat(DmarcTreeWalk.targets("a.b.c.d.e.f.g.example")).hasSize(8);
    assertThat(DmarcTreeWalk.targets("example")).containsExactly("example");
  }

  @Test
  void deepTreeWalk_appendixB42_findsTheOrganizationalDomainsRecordInEightQueries() throws Exception {
    dns.load("""
        _dmarc.example.com.         TXT "v=DMARC1; p=reject; sp=quarantine"
        _dmarc.signing.example.com. TXT "v=DMARC1; p=none"
        """);
    String author = "a.b.c.d.e.f.g.h.i.j.k.example.com";

    PolicyDiscovery discovery = discover(author);

    assertThat(discovery.status()).isEqualTo(PolicyDiscovery.Status.FOUND);
    assertThat(discovery.policyDomain()).isEqualTo("example.com");
    assertThat(discovery.organizationalDomain()).isEqualTo("example.com");
    assertThat(discovery.isFromParent()).isTrue();
    assertThat(discovery.walk().steps()).extracting(DmarcTreeWalk.Step::domain).containsExactly(
        author, "g.h.i.j.k.example.com", "h.i.j.k.example.com", "i.j.k.example.com", "j.k.example.com",
        "k.example.com", "example.com", "com");
    assertThat(dns.queryCount("_dmarc.b.c.d.e.f.g.h.i.j.k.example.com")).isZero();
    assertThat(dns.queryCount("_dmarc.f.g.h.i.j.k.example.com")).isZero();
    assertThat(walk("signing.example.com").organizationalDomain()).isEqualTo("example.com");
  }

  @Test
  void publicSuffixWithPsdY_appendixB43_makesTheNameBelowItTheOrganizationalDomain() throws Exception {
    dns.load("""
        _dmarc.bank.example.       TXT "v=DMARC1; p=reject; psd=y"
        _dmarc.giant.bank.example. TXT "v=DMARC1; p=quarantine"
        """);

    assertThat(walk("giant.bank.example").organizationalDomain()).isEqualTo("giant.bank.example");
    assertThat(walk("mail.giant.bank.example").organizationalDomain()).isEqualTo("giant.bank.example");
    assertThat(walk("mail.mega.bank.example").organizationalDomain()).isEqualTo("mega.bank.example");
    assertThat(dns.queryCount("_dmarc.example")).isZero();
    PolicyDiscovery giant = discover("giant.bank.example");
    assertThat(giant.policyDomain()).isEqualTo("giant.bank.example");
    assertThat(giant.record().orElseThrow().policy()).isEqualTo(DmarcPolicy.QUARANTINE);
  }

  @Test
  void authorWithoutOrganizationalRecord_getsThePublicSuffixDomainsPolicy() throws Exception {
    dns.load("_dmarc.bank.example. TXT \"v=DMARC1; p=reject; np=reject; psd=y\"");

    PolicyDiscovery discovery = discover("new.bank.example");

    assertThat(discovery.status()).isEqualTo(PolicyDiscovery.Status.FOUND);
    assertThat(discovery.policyDomain()).isEqualTo("bank.example");
    assertThat(discovery.organizationalDomain()).isEqualTo("new.bank.example");
    assertThat(discovery.walk().publicSuffixStep())
        .hasValueSatisfying(step -> assertThat(step.domain()).isEqualTo("bank.example"));
  }

  @Test
  void psdN_endsTheWalkAndIsTheOrganizationalDomain() throws Exception {
    dns.load("""
        _dmarc.mail.example.com. TXT "v=DMARC1; p=none; psd=n"
        _dmarc.example.com.      TXT "v=DMARC1; p=reject"
        """);

    DmarcTreeWalk walk = walk("a.mail.example.com");

    assertThat(walk.organizationalDomain()).isEqualTo("mail.example.com");
    assertThat(dns.queryCount("_dmarc.example.com")).isZero();
    assertThat(discover("a.mail.example.com").policyDomain()).isEqualTo("mail.example.com");
  }

  @Test
  void withoutPsdTags_theRecordWithFewestLabelsIsTheOrganizationalDomain() throws Exception {
    dns.load("""
        _dmarc.mail.example.com. TXT "v=DMARC1; p=none"
        _dmarc.example.com.      TXT "v=DMARC1; p=reject"
        """);

    assertThat(walk("a.mail.example.com").organizationalDomain()).isEqualTo("example.com");
    // section 4.10.1: the record of the Organizational Domain applies, not the nearer one
    assertThat(discover("a.mail.example.com").policyDomain()).isEqualTo("example.com");
    assertThat(discover("mail.example.com").policyDomain()).isEqualTo("mail.example.com");
  }

  @Test
  void noRecordAnywhere_isNotFound_andTheDomainIsItsOwnOrganizationalDomain() throws Exception {
    PolicyDiscovery discovery = discover("mail.example.net");

    assertThat(discovery.status()).isEqualTo(PolicyDiscovery.Status.NOT_FOUND);
    assertThat(discovery.organizationalDomain()).isEqualTo("mail.example.net");
    assertThat(discovery.walk().steps()).hasSize(3);
  }

  @Test
  void severalDmarcRecordsAtOneName_areDiscarded_andOtherTxtRecordsIgnored() throws Exception {
    dns.load("""
        _dmarc.sub.example.com. TXT "v=DMARC1; p=none"
        _dmarc.sub.example.com. TXT "v=DMARC1; p=reject"
        _dmarc.example.com.     TXT "some-verification=123"
        _dmarc.example.com.     TXT "v=DMARC1; p=quarantine"
        """);

    PolicyDiscovery discovery = discover("sub.example.com");

    assertThat(discovery.policyDomain()).isEqualTo("example.com");
    assertThat(discovery.record().orElseThrow().policy()).isEqualTo(DmarcPolicy.QUARANTINE);
  }

  @Test
  void dnsFailureBeforeAnyRecord_isTemperror_butARecordAtTheAuthorDomainStands() throws Exception {
    dns.load("_dmarc.example.org. TXT \"v=DMARC1; p=reject\"");
    dns.failWith("_dmarc.example.com", FakeDnsServer.Failure.SERVFAIL);
    dns.failWith("_dmarc.org", FakeDnsServer.Failure.REFUSED);

    PolicyDiscovery failed = discover("mail.example.com");
    PolicyDiscovery found = discover("example.org");

    assertThat(failed.status()).isEqualTo(PolicyDiscovery.Status.TEMPERROR);
    assertThat(failed.walk().failure()).hasValueSatisfying(f -> {
      assertThat(f.cause()).isEqualTo(DmarcCause.DNS_FAILURE);
      assertThat(f.detail()).contains("_dmarc.example.com TXT");
    });
    assertThat(found.status()).isEqualTo(PolicyDiscovery.Status.FOUND);
    assertThat(found.organizationalDomain()).isEmpty();
    assertThat(found.walk().isComplete()).isFalse();
  }
}
