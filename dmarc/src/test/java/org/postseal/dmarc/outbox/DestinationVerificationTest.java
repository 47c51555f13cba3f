package org.postseal.dmarc.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postseal.dns.DnsResolver;
import org.postseal.dns.FakeDnsServer;

/** RFC 9990 section 4 against a real DNS server: verified both ways, wildcards, overrides, failures. */
class DestinationVerificationTest {

  private FakeDnsServer dns;
  private DestinationVerification verification;

  @BeforeEach
  void start() {
    dns = FakeDnsServer.start();
    dns.load("""
        example.com._report._dmarc.reports.example.net. TXT "v=DMARC1"
        *._report._dmarc.wildcard.example. TXT "v=DMARC1;"
        example.com._report._dmarc.other.example. TXT "v=spf1 -all"
        example.com._report._dmarc.redirect.example. TXT "v=DMARC1; rua=mailto:inbox@redirect.example"
        example.com._report._dmarc.elsewhere.example. TXT "v=DMARC1; rua=mailto:victim@victim.example"
        exists._report._dmarc.nodata.example. A 192.0.2.1
        """);
    verification = new DestinationVerification(DnsResolver.create(List.of(dns.address()), Duration.ofMillis(500),
        Clock.systemUTC()));
  }

  @AfterEach
  void stop() {
    dns.close();
  }

  private Verification verify(String policyDomain, String org, String address) throws Exception {
    return verification.verify(policyDomain, org, address).get(10, TimeUnit.SECONDS);
  }

  @Test
  void aDestinationInsideThePolicyDomainsOrganization_needsNoRecord() throws Exception {
    assertThat(verify("example.com", "example.com", "dmarc@example.com"))
        .isInstanceOf(Verification.Authorized.class);
    assertThat(verify("sub.example.com", "example.com", "dmarc@reports.example.com"))
        .isInstanceOf(Verification.Authorized.class);
    assertThat(dns.queryCount("example.com._report._dmarc.example.com")).isZero();
  }

  @Test
  void anExternalDestinationWithAVerifyingRecord_getsTheReport() throws Exception {
    Verification v = verify("example.com", "example.com", "dmarc@reports.example.net");
    assertThat(v).isEqualTo(new Verification.Authorized(List.of("dmarc@reports.example.net"),
        "\"v=DMARC1\" at example.com._report._dmarc.reports.example.net"));
  }

  @Test
  void aWildcardRecord_verifiesEveryDomain() throws Exception {
    assertThat(verify("example.com", "example.com", "rua@wildcard.example")).isInstanceOf(Verification.Authorized.class);
    assertThat(verify("shop.example", "shop.example", "rua@wildcard.example")).isInstanceOf(Verification.Authorized.class);
  }

  @Test
  void anExternalDestinationWithoutARecord_isRefused_nxdomainNodataOrAnotherRecord() throws Exception {
    assertThat(verify("example.com", "example.com", "victim@victim.example")).isInstanceOf(Verification.Refused.class)
        .hasToString("Refused[reason=NXDOMAIN at example.com._report._dmarc.victim.example: victim.example does not"
            + " accept reports for this domain]");
    assertThat(verify("exists", "", "x@nodata.example")).isInstanceOf(Verification.Refused.class);
    assertThat(verify("example.com", "example.com", "x@other.example")).isInstanceOf(Verification.Refused.class)
        .asString().contains("no record starting with v=DMARC1");
  }

  @Test
  void aDnsFailure_defersTheDelivery() throws Exception {
    dns.failWith("example.com._report._dmarc.reports.example.net", FakeDnsServer.Failure.SERVFAIL);
    assertThat(verify("example.com", "example.com", "dmarc@reports.example.net"))
        .isInstanceOf(Verification.Deferred.class);
  }

  @Test
  void anOverrideOnTheSameHost_replacesTheAddress_onAnotherHostBothAreRefused() throws Exception {
    assertThat(verify("example.com", "example.com", "old@redirect.example"))
        .extracting(v -> ((Verification.Authorized) v).addresses()).isEqualTo(List.of("inbox@redirect.example"));
    assertThat(verify("example.com", "example.com", "rua@elsewhere.example")).isInstanceOf(Verification.Refused.class)
        .asString().contains("redirects reports to victim@victim.example");
  }

  @Test
  void aPolicyFromAPublicSuffixDomain_treatsItsOrganizationsAsExternal() {
    assertThat(DestinationVerification.isInside("bank", "example.bank", "dmarc.bank")).isFalse();
    assertThat(DestinationVerification.isInside("bank", "example.bank", "bank")).isTrue();
    assertThat(DestinationVerification.isInside("example.com", "", "x.example.com")).isTrue();
    assertThat(DestinationVerification.isInside("example.com", "", "example.net")).isFalse();
  }
}
