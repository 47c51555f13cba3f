package org.postseal.spf;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postseal.dns.DnsResolver;
import org.postseal.dns.FakeDnsServer;

/** The doctor's view of an SPF record, against a real DNS server on loopback. */
class SpfDomainCheckTest {

  private FakeDnsServer dns;
  private SpfDomainCheck check;

  @BeforeEach
  void start() {
    dns = FakeDnsServer.start();
    dns.load("""
        good.example.      TXT "v=spf1 mx include:_spf.provider.example -all"
        _spf.provider.example. TXT "v=spf1 a include:_spf2.provider.example ~all"
        _spf2.provider.example. TXT "v=spf1 ip4:192.0.2.0/24 -all"
        heavy.example.     TXT "v=spf1 a mx ptr exists:x.heavy.example a:a.heavy.example a:b.heavy.example include:good.example redirect=good.example"
        loop.example.      TXT "v=spf1 include:loop.example -all"
        macro.example.     TXT "v=spf1 include:%{d}.spf.example ?all"
        broken.example.    TXT "v=spf1 include:missing.example -all"
        two.example.       TXT "v=spf1 -all"
        two.example.       TXT "v=spf1 +all"
        bad.example.       TXT "v=spf1 ip4:300.1.1.1 -all"
        """);
    check = new SpfDomainCheck(DnsResolver.create(List.of(dns.address()), Duration.ofSeconds(2), Clock.systemUTC()),
        Duration.ofSeconds(2));
  }

  @AfterEach
  void stop() {
    dns.close();
  }

  @Test
  void lookups_areCountedThroughEveryInclude_asCheckHostCountsThem() {
    SpfDomainReport report = check.check("good.example");

    assertThat(report.status()).isEqualTo(SpfDomainReport.Status.FOUND);
    // mx, include, then a and include in the first include: 4 terms that query DNS
    assertThat(report.lookups()).isEqualTo(4);
    assertThat(report.lookupLimit()).isEqualTo(SpfLimits.RFC_MAX_DNS_TERMS);
    assertThat(report.isOverLookupLimit()).isFalse();
    assertThat(report.ending()).contains(SpfQualifier.FAIL);
    assertThat(report.problems()).isEmpty();
  }

  @Test
  void aRecordOverTheLimit_isReported_andPtrIsNoted() {
    SpfDomainReport report = check.check("heavy.example");

    assertThat(report.lookups()).isGreaterThan(report.lookupLimit());
    assertThat(report.isOverLookupLimit()).isTrue();
    assertThat(report.usesPtr()).isTrue();
  }

  @Test
  void loops_missingIncludesAndMacros_areNamed() {
    assertThat(check.check("loop.example").problems()).singleElement().asString().contains("loop");
    assertThat(check.check("broken.example").problems()).singleElement().asString()
        .contains("include:missing.example").contains("no SPF record");
    SpfDomainReport macro = check.check("macro.example");
    assertThat(macro.notes()).singleElement().asString().contains("macros");
    assertThat(macro.ending()).contains(SpfQualifier.NEUTRAL);
  }

  @Test
  void noneSeveralInvalidAndDnsFailure_areStatuses() {
    dns.failWith("down.example", FakeDnsServer.Failure.SERVFAIL);

    assertThat(check.check("nothing.example").status()).isEqualTo(SpfDomainReport.Status.NO_RECORD);
    assertThat(check.check("two.example").status()).isEqualTo(SpfDomainReport.Status.SEVERAL_RECORDS);
    assertThat(check.check("bad.example").status()).isEqualTo(SpfDomainReport.Status.INVALID);
    assertThat(check.check("down.example").status()).isEqualTo(SpfDomainReport.Status.DNS_FAILURE);
  }
}
