package org.postseal.spf;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 7208 section 7.4's examples, and the syntax rules of section 7.1. */
class MacroStringTest {

  private static final byte[] IPV4 = {(byte) 192, 0, 2, 3};
  private static final byte[] IPV6 = IpNetwork.parseIpv6("2001:db8::cb01").orElseThrow();

  private static String expand(String text, byte[] ip) {
    MacroString macro = MacroString.parse(text, MacroString.Syntax.EXPLANATION);
    assertThat(macro.error()).isEmpty();
    return macro.expand(new MacroString.Values("strong-bad@email.example.com", "strong-bad", "email.example.com",
        "email.example.com", ip, "mx.example.org", "mx.example.org", "receiver.example.net", 1_700_000_000L),
        SpfLimits.DEFAULT_MAX_MACRO_BYTES);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "%{s}    | strong-bad@email.example.com",
      "%{o}    | email.example.com",
      "%{d}    | email.example.com",
      "%{d4}   | email.example.com",
      "%{d3}   | email.example.com",
      "%{d2}   | example.com",
      "%{d1}   | com",
      "%{dr}   | com.example.email",
      "%{d2r}  | example.email",
      "%{l}    | strong-bad",
      "%{l-}   | strong.bad",
      "%{lr}   | strong-bad",
      "%{lr-}  | bad.strong",
      "%{l1r-} | strong",
      "%{ir}.%{v}._spf.%{d2}            | 3.2.0.192.in-addr._spf.example.com",
      "%{lr-}.lp._spf.%{d2}             | bad.strong.lp._spf.example.com",
      "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}  | bad.strong.lp.3.2.0.192.in-addr._spf.example.com",
      "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2} | 3.2.0.192.in-addr.strong.lp._spf.example.com",
      "%{d2}.trusted-domains.example.net | example.com.trusted-domains.example.net",
  })
  void rfc7208Section74Examples_expandAsPrinted(String macro, String expansion) {
    assertThat(expand(macro, IPV4)).isEqualTo(expansion);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "%{ir}.%{v}._spf.%{d2} | 1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com",
      "%{c}                  | 2001:db8::cb01",
      "%{v}                  | ip6",
  })
  void ipv6Client_expandsToNibblesAndRfc5952Text(String macro, String expansion) {
    assertThat(expand(macro, IPV6)).isEqualTo(expansion);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "%%%_%-            | '% %20'",
      "%{c} %{r} %{t}    | 192.0.2.3 receiver.example.net 1700000000",
      "%{L}              | strong-bad",
      "%{S}              | strong-bad%40email.example.com",
      "%{h}              | mx.example.org",
      "%{p}              | mx.example.org",
      "%{l2r+-}          | bad.strong",
  })
  void escapesUpperCaseAndExplanationLetters(String macro, String expansion) {
    assertThat(expand(macro, IPV4)).isEqualTo(expansion);
  }

  @ParameterizedTest
  @ValueSource(strings = {"%", "a%b", "%{", "%{x}", "%{d0}", "%{d2x}", "%(ir)", "bad\u0001char", "with space",
      "%{c}", "%{r}.example.com", "%{t}"})
  void malformedOrExplanationOnlyMacros_areSyntaxErrorsInDomainSpecs(String text) {
    assertThat(MacroString.parse(text, MacroString.Syntax.DOMAIN_SPEC).error()).isPresent();
  }

  @ParameterizedTest
  @ValueSource(strings = {"example.com", "example.com.", "%{d}", "foo.%{d2}", "a.xn--zckzah", "x.123-4",
      "%{l}.%-", "foo:bar/baz.example.com"})
  void validDomainSpecs(String text) {
    assertThat(MacroString.domainSpecError(text)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "museum", "museum.", "abc.123", "example.-com", "example.com:8080", "%{d}.",
      "foo-bar", "example.com-"})
  void invalidDomainSpecs_needAMacroOrATopLabelAtTheEnd(String text) {
    assertThat(MacroString.domainSpecError(text)).isPresent();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "example.com.                 | example.com",
      "a.b                          | a.b",
  })
  void queryNames_loseTheTrailingDot(String expanded, String name) {
    assertThat(CheckHostRun.asQueryName(expanded)).isEqualTo(name);
  }

  @ParameterizedTest
  @ValueSource(ints = {254, 300, 600})
  void longQueryNames_loseLabelsOnTheLeftUntil253(int length) {
    String name = ("abcdefghi.").repeat(length / 10 + 1) + "example.com";

    String truncated = CheckHostRun.asQueryName(name);

    assertThat(truncated).hasSizeLessThanOrEqualTo(253).endsWith(".example.com");
    assertThat(name).endsWith(truncated);
    assertThat(truncated.length()).isGreaterThan(243);
  }
}
