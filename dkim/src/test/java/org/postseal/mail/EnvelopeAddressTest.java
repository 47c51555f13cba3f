package org.postseal.mail;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EnvelopeAddressTest {

  private static EnvelopeAddress.Address address(String argument) {
    return (EnvelopeAddress.Address) EnvelopeAddress.parse(argument);
  }

  private static String problem(String argument) {
    return ((EnvelopeAddress.Malformed) EnvelopeAddress.parse(argument)).problem();
  }

  @Test
  void nullSender_withOrWithoutBracketsAndSpace() {
    for (String argument : new String[] {"<>", " <> ", "< >", "", "  ", null}) {
      assertThat(EnvelopeAddress.parse(argument)).as(String.valueOf(argument)).isEqualTo(new EnvelopeAddress.NullSender());
    }
    assertThat(EnvelopeAddress.parse("<>").text()).isEmpty();
  }

  @Test
  void address_withOrWithoutBrackets() {
    assertThat(address("<Alice@Example.COM>")).isEqualTo(new EnvelopeAddress.Address("Alice", "Example.COM"));
    assertThat(address("alice@example.com")).isEqualTo(new EnvelopeAddress.Address("alice", "example.com"));
    assertThat(address(" <alice@example.com> ").text()).isEqualTo("alice@example.com");
    assertThat(address("<alice@Example.COM.>").domain()).contains(DomainName.parse("example.com").orElseThrow());
  }

  @Test
  void quotedLocalParts_mayHoldAtSignsAndSpace() {
    EnvelopeAddress.Address quoted = address("<\"john @ doe\"@example.com>");
    assertThat(quoted.localPart()).isEqualTo("\"john @ doe\"");
    assertThat(quoted.domainPart()).isEqualTo("example.com");
    assertThat(address("<\"a\\\"b\"@example.com>").localPart()).isEqualTo("\"a\\\"b\"");
  }

  @Test
  void whiteSpaceInTheLocalPart_isTolerated_asSpfsTestSuiteExpects() {
    assertThat(address("Macro Error@e8.example.com")).isEqualTo(new EnvelopeAddress.Address("Macro Error", "e8.example.com"));
    assertThat(address("<a@exa mple.com>").domain()).isEmpty();
  }

  @Test
  void sourceRoutes_areDropped_andAnEmptyLocalPartIsKept() {
    assertThat(address("<@relay1.example,@relay2.example:joe@example.com>"))
        .isEqualTo(new EnvelopeAddress.Address("joe", "example.com"));
    assertThat(address("@example.net")).isEqualTo(new EnvelopeAddress.Address("", "example.net"));
  }

  @Test
  void domainsThatAreNotHostNames_areAddressesWithoutADomainName() {
    EnvelopeAddress.Address literal = address("<foo@[192.0.2.5]>");
    assertThat(literal.domainPart()).isEqualTo("[192.0.2.5]");
    assertThat(literal.domain()).isEmpty();
    assertThat(address("<a@b\u00fccher.example>").domain().orElseThrow().value()).isEqualTo("xn--bcher-kva.example");
  }

  @Test
  void malformed_isNeitherTheNullSenderNorAnAddress() {
    assertThat(problem("<a@example.com> <b@example.org>")).contains("more than one address");
    assertThat(problem("a@example.com, b@example.org")).contains("second '@'").contains("more than one address");
    assertThat(problem("<a@b@example.com>")).contains("second '@'");
    assertThat(problem("<postmaster>")).isEqualTo("has no domain");
    assertThat(problem("<a@>")).isEqualTo("has an empty domain");
    assertThat(problem("<a@example.com")).contains("unbalanced");
    assertThat(problem("a@example.com>")).contains("unbalanced");
    assertThat(problem(">")).contains("unbalanced");
    assertThat(problem("<\"open@example.com>")).contains("unterminated");
    EnvelopeAddress garbage = EnvelopeAddress.parse("  garbage here ");
    assertThat(((EnvelopeAddress.Malformed) garbage).problem()).isEqualTo("has no domain");
    assertThat(garbage).isInstanceOf(EnvelopeAddress.Malformed.class);
    assertThat(garbage.text()).isEqualTo("garbage here");
  }
}
