package org.postseal.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.dns.DnsResolver;
import org.postseal.dns.FakeDnsServer;
import org.postseal.keys.SigningKeyStore;
import org.postseal.server.TestKeys;

/**
 * The doctor against a DNS server on loopback serving one zone with the mistakes people make (SPF over the lookup
 * limit, p=none, a DKIM key never published, no PTR, a PTR that does not resolve back) and one clean zone: each
 * mistake is named with its fix, and the clean zone gives no error.
 */
class DomainDoctorTest {

  /** 11 DNS-querying terms: 4 in the record, 3 in one.spf.test, 3 in two.spf.test, 1 in three.spf.test. */
  private static final String ZONES = """
      bad.example. MX 10 mx.bad.example.
      mx.bad.example. A 192.0.2.10
      bad.example. TXT "v=spf1 mx a include:one.spf.test include:two.spf.test ~all"
      one.spf.test. TXT "v=spf1 a:h1.spf.test a:h2.spf.test a:h3.spf.test ~all"
      two.spf.test. TXT "v=spf1 include:three.spf.test exists:x.spf.test mx:spf.test ~all"
      three.spf.test. TXT "v=spf1 ip4:198.51.100.0/24 a:h4.spf.test -all"
      _dmarc.bad.example. TXT "v=DMARC1; p=none; rua=mailto:dmarc@bad.example"

      good.example. MX 10 mx.good.example.
      mx.good.example. A 192.0.2.20
      good.example. TXT "v=spf1 mx -all"
      good.example. TXT "google-site-verification=abc"
      _dmarc.good.example. TXT "v=DMARC1; p=reject; rua=mailto:dmarc@good.example"
      20.2.0.192.in-addr.arpa. PTR mx.good.example.

      sub.good.example. MX 10 mx.good.example.
      sub.good.example. TXT "v=spf1 mx -all"
      30.2.0.192.in-addr.arpa. PTR mail.elsewhere.example.
      mail.elsewhere.example. A 192.0.2.31
      """;

  @TempDir
  static Path state;
  static FakeDnsServer dns;
  static DomainDoctor doctor;

  @BeforeAll
  static void start() {
    dns = FakeDnsServer.start();
    dns.load(ZONES);
    TestKeys.writePrivateKey(state, "bad.example", "sel", TestKeys.RSA.getPrivate());
    TestKeys.writePrivateKey(state, "good.example", "sel", TestKeys.RSA_OTHER.getPrivate());
    dns.load(TestKeys.txtRecord("good.example", "sel", TestKeys.RSA_OTHER.getPublic()));
    Clock clock = Clock.systemUTC();
    doctor = new DomainDoctor(DnsResolver.create(List.of(dns.address()), Duration.ofSeconds(1), clock),
        new SigningKeyStore(state.resolve("keys"), clock, Duration.ofDays(7)), clock, Duration.ofSeconds(2));
  }

  @AfterAll
  static void stop() {
    dns.close();
  }

  private static DoctorReport examine(String domain, String ip) throws Exception {
    return doctor.examine(domain, Optional.of(InetAddress.getByName(ip)));
  }

  private static Finding finding(DoctorReport report, String area, Severity severity, String messagePart) {
    return report.findings().stream()
        .filter(f -> f.area().equals(area) && f.severity() == severity && f.message().contains(messagePart))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + severity.label() + " " + area + " finding containing \""
            + messagePart + "\" in:\n" + report.findings()));
  }

  @Test
  void eachMistakeIsNamedWithItsFix() throws Exception {
    DoctorReport report = examine("bad.example", "192.0.2.99");

    assertThat(finding(report, "SPF", Severity.ERROR, "the record needs 11 DNS lookups").fix())
        .startsWith("bring it to 10 or fewer");
    assertThat(finding(report, "DMARC", Severity.WARNING, "p=none").fix())
        .contains("set p=quarantine, later p=reject");
    assertThat(finding(report, "DKIM", Severity.ERROR, "selector sel (rsa-2048, active): it signs, but DNS has no"
        + " TXT record at sel._domainkey.bad.example").fix())
        .startsWith("publish the record printed by postseal keys check bad.example");
    assertThat(finding(report, "rDNS", Severity.ERROR, "192.0.2.99 has no reverse DNS (no PTR at"
        + " 99.2.0.192.in-addr.arpa)").fix())
        .startsWith("ask whoever owns 192.0.2.99").contains("set its PTR");
    assertThat(finding(report, "SPF", Severity.ERROR, "for 192.0.2.99").fix())
        .isEqualTo("add ip4:192.0.2.99 to the SPF record of bad.example, before its all");

    assertThat(report.hasErrors()).isTrue();
  }

  @Test
  void aCleanZoneGivesNoErrorsAndNoWarnings() throws Exception {
    DoctorReport report = examine("good.example", "192.0.2.20");

    assertThat(report.findings())
        .noneMatch(f -> f.severity() == Severity.ERROR || f.severity() == Severity.WARNING);
    finding(report, "MX", Severity.OK, "MX 10 mx.good.example (192.0.2.20)");
    finding(report, "SPF", Severity.OK, "1 of 10 DNS lookups used");
    finding(report, "SPF", Severity.OK, "ends in -all");
    finding(report, "SPF", Severity.OK, "SPF passes for 192.0.2.20");
    finding(report, "DKIM", Severity.OK, "selector sel (rsa-2048, active): DNS serves our rsa key");
    finding(report, "DMARC", Severity.OK, "p=reject");
    finding(report, "DMARC", Severity.INFO, "tree walk (RFC 9989 section 4.10): _dmarc.good.example (record),"
        + " _dmarc.example (none); organizational domain good.example");
    finding(report, "rDNS", Severity.OK, "192.0.2.20 -> mx.good.example -> 192.0.2.20: forward-confirmed reverse DNS"
        + " (FCrDNS) holds");
    assertThat(report.hasErrors()).isFalse();
  }

  @Test
  void aPtrNameThatDoesNotResolveBackFailsFcrdnsAndASubdomainInheritsItsParentsPolicy() throws Exception {
    DoctorReport report = examine("sub.good.example", "192.0.2.30");

    assertThat(finding(report, "rDNS", Severity.ERROR, "the PTR of 192.0.2.30 is mail.elsewhere.example, but it"
        + " resolves to 192.0.2.31: forward-confirmed reverse DNS (FCrDNS) fails").fix())
        .isEqualTo("publish mail.elsewhere.example. IN A 192.0.2.30, or have the PTR changed to a name that resolves"
            + " to 192.0.2.30");
    finding(report, "DMARC", Severity.OK, "record at _dmarc.good.example: \"v=DMARC1; p=reject;"
        + " rua=mailto:dmarc@good.example\" (sub.good.example has none of its own");
    finding(report, "DMARC", Severity.INFO, "_dmarc.sub.good.example (none), _dmarc.good.example (record)");
    assertThat(finding(report, "DKIM", Severity.ERROR, "no DKIM key for sub.good.example").fix())
        .isEqualTo("postseal keygen sub.good.example, then publish the record it prints");
  }

  @Test
  void missingRecordsAreErrorsWithTheRecordToPublish() {
    DoctorReport report = doctor.examine("nothing.good.example", Optional.empty());

    assertThat(finding(report, "SPF", Severity.ERROR, "nothing.good.example has no SPF record").fix())
        .startsWith("publish nothing.good.example. IN TXT \"v=spf1 mx -all\"");
    finding(report, "rDNS", Severity.INFO, "not checked: no server address given");
  }

  /** A resolver that answers nothing is named as the fault, not the domain: one finding, no blame on the records. */
  @Test
  void aResolverThatDoesNotAnswerIsBlamedInsteadOfTheDomain() throws Exception {
    try (java.net.DatagramSocket silent = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      Clock clock = Clock.systemUTC();
      DomainDoctor blind = new DomainDoctor(
          DnsResolver.create(List.of("127.0.0.1:" + silent.getLocalPort()), Duration.ofMillis(300), clock),
          new SigningKeyStore(state.resolve("keys"), clock, Duration.ofDays(7)), clock, Duration.ofSeconds(2));
      DoctorReport report = blind.examine("good.example", Optional.empty());
      assertThat(report.findings()).singleElement().satisfies(f -> {
        assertThat(f.area()).isEqualTo("DNS");
        assertThat(f.severity()).isEqualTo(Severity.ERROR);
        assertThat(f.message()).startsWith("the DNS resolver does not answer: no answer to a lookup of the root zone")
            .contains("check [dns] servers").endsWith("nothing about good.example could be checked");
      });
    }
  }

  /** An active key signs only when signing.algorithms lists its algorithm; doctor says when it does not. */
  @Test
  void anActiveKeyOfAnAlgorithmNotInSigningAlgorithmsSignsNothing() throws Exception {
    Clock clock = Clock.systemUTC();
    DomainDoctor ed25519Only = new DomainDoctor(DnsResolver.create(List.of(dns.address()), Duration.ofSeconds(1), clock),
        new SigningKeyStore(state.resolve("keys"), clock, Duration.ofDays(7),
            java.util.Set.of(org.postseal.dkim.DkimAlgorithm.ED25519_SHA256)), clock, Duration.ofSeconds(2));
    DoctorReport report = ed25519Only.examine("good.example", Optional.of(InetAddress.getByName("192.0.2.20")));
    assertThat(finding(report, "DKIM", Severity.WARNING, "selector sel (rsa-2048, active): signs nothing").fix())
        .isEqualTo("add \"rsa-sha256\" to signing.algorithms to sign with it as well");
    finding(report, "DKIM", Severity.ERROR, "good.example has no active key of an algorithm in signing.algorithms"
        + " (ed25519-sha256): mail goes out unsigned");
    // with the default (every algorithm) the same key is fine
    assertThat(examine("good.example", "192.0.2.20").findings()).noneMatch(f -> f.message().contains("signs nothing"));
  }
}
