package org.postseal.keys;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DnsNameSyntaxTest {

  @Test
  void signingDomains_areLowerCasedWithoutTrailingDot() {
    assertThat(DnsNameSyntax.normalize(" Example.COM. ")).isEqualTo("example.com");
    assertThat(DnsNameSyntax.domainProblem("example.com")).isNull();
    assertThat(DnsNameSyntax.domainProblem("mail-1.sub.example.co.uk")).isNull();
    assertThat(DnsNameSyntax.domainProblem("xn--bcher-kva.example")).isNull();
  }

  @Test
  void invalidDomains_nameTheValueTheRuleAndAnExample() {
    assertThat(DnsNameSyntax.domainProblem("exa_mple.com"))
        .contains("\"exa_mple.com\"").contains("label \"exa_mple\"").contains("e.g. example.com");
    assertThat(DnsNameSyntax.domainProblem("-bad.example")).contains("must not start or end with '-'");
    assertThat(DnsNameSyntax.domainProblem("a..example")).contains("empty label");
    assertThat(DnsNameSyntax.domainProblem("localhost")).contains("at least two labels");
    assertThat(DnsNameSyntax.domainProblem("192.0.2.1")).contains("IP address");
    assertThat(DnsNameSyntax.domainProblem("")).contains("a domain is required");
    assertThat(DnsNameSyntax.domainProblem("a".repeat(64) + ".example")).contains("64 characters, at most 63");
    String longName = ("a".repeat(60) + ".").repeat(5) + "example";
    assertThat(DnsNameSyntax.domainProblem(longName)).contains(longName.length() + " characters, at most 253");
    assertThat(DnsNameSyntax.domainProblem("bücher.example")).contains("use the A-label form xn--bcher-kva.example");
  }

  @Test
  void selectors_followRfc6376AndMustFitInTheRecordName() {
    assertThat(DnsNameSyntax.selectorProblem("s202611", "example.com")).isNull();
    assertThat(DnsNameSyntax.selectorProblem("2025a.eu", "example.com")).isNull();
    assertThat(DnsNameSyntax.selectorProblem("bad_sel", "example.com"))
        .contains("invalid selector \"bad_sel\"").contains("RFC 6376 section 3.1").contains("e.g. s202611");
    assertThat(DnsNameSyntax.selectorProblem("a b", "example.com")).contains("invalid selector");
    assertThat(DnsNameSyntax.selectorProblem("", "example.com")).contains("must not be empty");
    String domain = ("a".repeat(60) + ".").repeat(3) + "example";
    assertThat(DnsNameSyntax.selectorProblem("s".repeat(60), domain)).contains("longer than the 253");
    assertThat(DnsNameSyntax.recordName("s1", "example.com")).isEqualTo("s1._domainkey.example.com");
  }
}
