package org.postseal.keys;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SigningNamesTest {

  private static String accepted(SigningNames.Checked checked) {
    assertThat(checked).isInstanceOf(SigningNames.Accepted.class);
    return ((SigningNames.Accepted) checked).name();
  }

  private static String domainProblem(String raw) {
    SigningNames.Checked checked = SigningNames.signingDomain(raw);
    assertThat(checked).as(raw).isInstanceOf(SigningNames.Refused.class);
    return ((SigningNames.Refused) checked).problem();
  }

  private static String selectorProblem(String raw, String domain) {
    SigningNames.Checked checked = SigningNames.newSelector(raw, domain);
    assertThat(checked).as(raw).isInstanceOf(SigningNames.Refused.class);
    return ((SigningNames.Refused) checked).problem();
  }

  @Test
  void signingDomains_areLowerCasedWithoutTrailingDot_andUnicodeBecomesALabels() {
    assertThat(accepted(SigningNames.signingDomain(" Example.COM. "))).isEqualTo("example.com");
    assertThat(accepted(SigningNames.signingDomain("mail-1.sub.example.co.uk"))).isEqualTo("mail-1.sub.example.co.uk");
    assertThat(accepted(SigningNames.signingDomain("xn--bcher-kva.example"))).isEqualTo("xn--bcher-kva.example");
    assertThat(accepted(SigningNames.signingDomain("b\u00fccher.example"))).isEqualTo("xn--bcher-kva.example");
  }

  @Test
  void invalidDomains_nameTheValueTheRuleAndAnExample() {
    assertThat(domainProblem("exa_mple.com"))
        .contains("\"exa_mple.com\"").contains("label \"exa_mple\"").contains("e.g. example.com");
    assertThat(domainProblem("-bad.example")).contains("must not start or end with '-'");
    assertThat(domainProblem("a..example")).contains("empty label");
    assertThat(domainProblem("localhost")).contains("at least two labels");
    assertThat(domainProblem("192.0.2.1")).contains("IP address");
    assertThat(domainProblem("")).contains("a domain is required");
    assertThat(domainProblem("a".repeat(64) + ".example")).contains("64 characters, at most 63");
    String longName = ("a".repeat(60) + ".").repeat(5) + "example";
    assertThat(domainProblem(longName)).contains(longName.length() + " characters, at most 253");
  }

  @Test
  void selectors_followRfc6376AndMustFitInTheRecordName() {
    assertThat(accepted(SigningNames.newSelector("S202611", "example.com"))).isEqualTo("s202611");
    assertThat(accepted(SigningNames.newSelector("2025a.eu", "example.com"))).isEqualTo("2025a.eu");
    assertThat(selectorProblem("bad_sel", "example.com"))
        .contains("invalid selector \"bad_sel\"").contains("RFC 6376 section 3.1").contains("e.g. s202611");
    assertThat(selectorProblem("a b", "example.com")).contains("invalid selector");
    assertThat(selectorProblem("", "example.com")).contains("must not be empty");
    String domain = ("a".repeat(60) + ".").repeat(3) + "example";
    assertThat(selectorProblem("s".repeat(60), domain)).contains("longer than the 253");
    assertThat(SigningNames.recordName("s1", "example.com")).isEqualTo("s1._domainkey.example.com");
  }

  @Test
  void existingSelectors_mayHoldUnderscores_asHandPlacedKeysDo() {
    assertThat(accepted(SigningNames.existingSelector("Old_Sel"))).isEqualTo("old_sel");
    assertThat(SigningNames.existingSelector("a b")).isInstanceOf(SigningNames.Refused.class);
  }
}
