package org.postseal.dmarc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DmarcRecordParserTest {

  static DmarcRecord record(String text) {
    DmarcRecordParser.Parsed parsed = DmarcRecordParser.parse(text);
    assertThat(parsed).as(text).isInstanceOf(DmarcRecordParser.Valid.class);
    return ((DmarcRecordParser.Valid) parsed).record();
  }

  @Test
  void everyTag_isRead() {
    DmarcRecord r = record("v=DMARC1; p=reject; sp=quarantine; np=reject; psd=n; t=y; adkim=s; aspf=s;"
        + " rua=mailto:agg@example.com,mailto:agg@report.example!10m; ruf=mailto:fail@example.com; fo=1:d:s");

    assertThat(r.policy()).isEqualTo(DmarcPolicy.REJECT);
    assertThat(r.subdomainPolicy()).contains(DmarcPolicy.QUARANTINE);
    assertThat(r.nonExistentDomainPolicy()).contains(DmarcPolicy.REJECT);
    assertThat(r.psd()).isEqualTo(DmarcRecord.Psd.N);
    assertThat(r.isTesting()).isTrue();
    assertThat(r.dkimAlignment()).isEqualTo(DmarcAlignmentMode.STRICT);
    assertThat(r.spfAlignment()).isEqualTo(DmarcAlignmentMode.STRICT);
    assertThat(r.aggregateReportUris()).containsExactly("mailto:agg@example.com", "mailto:agg@report.example");
    assertThat(r.failureReportUris()).containsExactly("mailto:fail@example.com");
    assertThat(r.failureOptions()).isEqualTo("1:d:s");
    assertThat(r.hasValidPolicy()).isTrue();
    assertThat(r.problems()).isEmpty();
  }

  @Test
  void minimalRecord_hasTheDefaults() {
    DmarcRecord r = record("v=DMARC1");

    assertThat(r.policy()).isEqualTo(DmarcPolicy.NONE);
    assertThat(r.subdomainPolicy()).isEmpty();
    assertThat(r.nonExistentDomainPolicy()).isEmpty();
    assertThat(r.subdomainPolicyOrDefault()).isEqualTo(DmarcPolicy.NONE);
    assertThat(r.psd()).isEqualTo(DmarcRecord.Psd.U);
    assertThat(r.isTesting()).isFalse();
    assertThat(r.dkimAlignment()).isEqualTo(DmarcAlignmentMode.RELAXED);
    assertThat(r.spfAlignment()).isEqualTo(DmarcAlignmentMode.RELAXED);
    assertThat(r.failureOptions()).isEqualTo("0");
    assertThat(r.hasValidPolicy()).isTrue();
  }

  @Test
  void subdomainPolicies_fallBackToTheParentTag() {
    assertThat(record("v=DMARC1; p=reject").nonExistentDomainPolicyOrDefault()).isEqualTo(DmarcPolicy.REJECT);
    assertThat(record("v=DMARC1; p=reject; sp=none").nonExistentDomainPolicyOrDefault()).isEqualTo(DmarcPolicy.NONE);
    assertThat(record("v=DMARC1; p=none; np=quarantine").subdomainPolicyOrDefault()).isEqualTo(DmarcPolicy.NONE);
  }

  @Test
  void rfc7489TagsRemovedByRfc9989_stillParse() {
    DmarcRecord r = record("v=DMARC1; p=quarantine; pct=25; rf=afrf; ri=3600");

    assertThat(r.percent()).isEqualTo(OptionalInt.of(25));
    assertThat(r.reportFormat()).isEqualTo(Optional.of("afrf"));
    assertThat(r.reportInterval()).isEqualTo(OptionalLong.of(3600));
    assertThat(r.problems()).isEmpty();
  }

  @Test
  void whiteSpaceAroundSeparatorsAndTrailingSemicolons_areAllowed() {
    DmarcRecord r = record("v = DMARC1 ;p = Reject ;\tadkim=S; ;");

    assertThat(r.policy()).isEqualTo(DmarcPolicy.REJECT);
    assertThat(r.dkimAlignment()).isEqualTo(DmarcAlignmentMode.STRICT);
    assertThat(r.problems()).isEmpty();
  }

  @Test
  void unknownTags_areIgnoredSilently() {
    DmarcRecord r = record("v=DMARC1; p=none; future=thing; x=1");

    assertThat(r.problems()).isEmpty();
    assertThat(r.policy()).isEqualTo(DmarcPolicy.NONE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"p=reject; v=DMARC1", "v=dmarc1; p=reject", "v=DMARC2; p=reject", "", "v=spf1 -all",
      "p=reject", "v=; p=reject"})
  void withoutVDmarc1First_itIsNotADmarcRecord(String text) {
    assertThat(DmarcRecordParser.parse(text)).isInstanceOf(DmarcRecordParser.NotDmarc.class);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "v=DMARC1; p=bogus                | p=bogus is not none, quarantine or reject",
      "v=DMARC1; p=reject; sp=maybe     | sp=maybe is not none, quarantine or reject",
      "v=DMARC1; p=reject; np=yes       | np=yes is not none, quarantine or reject",
  })
  void invalidPolicyValues_makeThePolicyInvalid(String text, String problem) {
    DmarcRecord r = record(text);

    assertThat(r.hasValidPolicy()).isFalse();
    assertThat(r.problems()).contains(problem);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "v=DMARC1; p=reject; adkim=x     | adkim=x is not r or s; using r",
      "v=DMARC1; p=reject; aspf=strict | aspf=strict is not r or s; using r",
      "v=DMARC1; p=reject; t=maybe     | t=maybe is not y or n; using n",
      "v=DMARC1; p=reject; psd=x       | psd=x is not y, n or u; using u",
      "v=DMARC1; p=reject; fo=0:1      | fo=0:1 is not a list of 0, 1, d, s; using 0",
      "v=DMARC1; p=reject; fo=d:d      | fo=d:d is not a list of 0, 1, d, s; using 0",
      "v=DMARC1; p=reject; pct=150     | pct=150 is not 0..100",
      "v=DMARC1; p=reject; rua=agg     | rua entry \"agg\" is not a URI",
      "v=DMARC1; p=reject; 9x=1        | ignored malformed tag \"9x=1\"",
      "v=DMARC1; p=reject; adkim       | ignored malformed tag \"adkim\"",
  })
  void badTagValues_fallBackToDefaultsWithAProblemNoted(String text, String problem) {
    DmarcRecord r = record(text);

    assertThat(r.problems()).contains(problem);
    assertThat(r.policy()).isEqualTo(DmarcPolicy.REJECT);
    assertThat(r.hasValidPolicy()).isTrue();
    assertThat(r.dkimAlignment()).isEqualTo(DmarcAlignmentMode.RELAXED);
    assertThat(r.isTesting()).isFalse();
    assertThat(r.psd()).isEqualTo(DmarcRecord.Psd.U);
    assertThat(r.failureOptions()).isEqualTo("0");
  }

  @ParameterizedTest
  @ValueSource(strings = {"v=DMARC1; p=reject; p=none", "v=DMARC1; adkim=r; adkim=s; p=reject",
      "v=DMARC1; p=reject; RUA=mailto:a@example.com; rua=mailto:b@example.com", "v=DMARC1; p=none; v=DMARC1"})
  void aTagThatAppearsTwice_makesTheWholeRecordInvalid(String text) {
    assertThat(DmarcRecordParser.parse(text)).isInstanceOfSatisfying(DmarcRecordParser.Invalid.class,
        invalid -> assertThat(invalid.reason()).contains("appears twice"));
  }

  @Test
  void invalidReportUris_areLeftOutAndTheValidOnesKept() {
    DmarcRecord r = record("v=DMARC1; p=none; rua=mailto:a@example.com, not a uri ,https://r.example/x");

    assertThat(r.aggregateReportUris()).containsExactly("mailto:a@example.com", "https://r.example/x");
    assertThat(r.problems()).hasSize(1);
  }
}
