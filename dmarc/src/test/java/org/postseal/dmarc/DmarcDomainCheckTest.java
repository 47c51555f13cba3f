package org.postseal.dmarc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postseal.dns.DnsResolver;
import org.postseal.dns.FakeDnsServer;

/** The doctor's view of a domain's DMARC policy, against a real DNS server on loopback. */
class DmarcDomainCheckTest {

  private FakeDnsServer dns;
  private DmarcDomainCheck check;

  @BeforeEach
  void start() {
    dns = FakeDnsServer.start();
    dns.load("""
        _dmarc.example.com.   TXT "v=DMARC1; p=reject; sp=quarantine; rua=mailto:d@example.com"
        _dmarc.twice.example. TXT "v=DMARC1; p=none"
        _dmarc.twice.example. TXT "v=DMARC1; p=reject"
        _dmarc.repeated.example. TXT "v=DMARC1; p=reject; adkim=r; adkim=s"
        """);
    check = new DmarcDomainCheck(DnsResolver.create(List.of(dns.address()), Duration.ofSeconds(2),
        Clock.systemUTC()), Duration.ofSeconds(2));
  }

  @AfterEach
  void stop() {
    dns.close();
  }

  @Test
  void aSubdomain_getsItsOrganizationalDomainsRecord_andTheWalkIsShown() {
    DmarcDomainReport report = check.check("mail.example.com");

    assertThat(report.status()).isEqualTo(DmarcDomainReport.Status.FOUND);
    assertThat(report.isFromParent()).isTrue();
    assertThat(report.policyDomain()).isEqualTo("example.com");
    assertThat(report.organizationalDomain()).isEqualTo("example.com");
    assertThat(report.record().orElseThrow().subdomainPolicy()).contains(DmarcPolicy.QUARANTINE);
    assertThat(report.walk()).containsExactly("_dmarc.mail.example.com (none)", "_dmarc.example.com (record)",
        "_dmarc.com (none)");
    assertThat(report.walkStoppedEarly()).isEmpty();
  }

  @Test
  void aRecordWithARepeatedTag_isIgnored_andNamed() {
    DmarcDomainReport report = check.check("repeated.example");

    assertThat(report.status()).isEqualTo(DmarcDomainReport.Status.NOT_FOUND);
    assertThat(report.invalidRecords()).singleElement().asString().contains("adkim= appears twice");
  }

  @Test
  void noRecord_severalRecords_andDnsFailure_areStatuses() {
    dns.failWith("_dmarc.down.example", FakeDnsServer.Failure.SERVFAIL);

    assertThat(check.check("nothing.example").status()).isEqualTo(DmarcDomainReport.Status.NOT_FOUND);
    DmarcDomainReport twice = check.check("twice.example");
    assertThat(twice.status()).isEqualTo(DmarcDomainReport.Status.SEVERAL_RECORDS);
    assertThat(twice.failure()).isEqualTo("2 DMARC records");
    DmarcDomainReport down = check.check("down.example");
    assertThat(down.status()).isEqualTo(DmarcDomainReport.Status.DNS_FAILURE);
    assertThat(down.failure()).contains("_dmarc.down.example");
  }
}
