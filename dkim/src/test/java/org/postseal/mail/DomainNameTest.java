package org.postseal.mail;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.postseal.mail.DomainName.Syntax;

class DomainNameTest {

  private static String value(String text) {
    return DomainName.parse(text).orElseThrow().value();
  }

  private static String problem(String text, Syntax syntax) {
    return ((DomainName.Invalid) DomainName.parse(text, syntax)).problem();
  }

  @Test
  void caseTrailingDotAndSurroundingSpace_areDropped() {
    assertThat(value("Example.COM")).isEqualTo("example.com");
    assertThat(value("example.com.")).isEqualTo("example.com");
    assertThat(value(" Mail.Example.com. ")).isEqualTo("mail.example.com");
    assertThat(DomainName.parse("EXAMPLE.com.")).isEqualTo(DomainName.parse("example.com"));
    assertThat(DomainName.parse("example.com").orElseThrow()).hasToString("example.com")
        .hasSameHashCodeAs(DomainName.parse("Example.Com").orElseThrow());
  }

  @Test
  void unicodeLabels_becomeALabels() {
    assertThat(value("b\u00fccher.example")).isEqualTo("xn--bcher-kva.example");
    assertThat(value("B\u00dcCHER.example.")).isEqualTo("xn--bcher-kva.example");
    assertThat(value("xn--bcher-kva.example")).isEqualTo("xn--bcher-kva.example");
    // the ideographic full stop separates labels too (RFC 3490 section 3.1)
    assertThat(value("b\u00fccher\u3002example")).isEqualTo("xn--bcher-kva.example");
    assertThat(problem("\ufffd.example", Syntax.HOST_NAME)).startsWith("is not a valid internationalized domain name");
    assertThat(problem("\u05d0a.example", Syntax.HOST_NAME)).startsWith("is not a valid internationalized domain name");
  }

  @Test
  void onlyOneTrailingDotIsDropped_andEmptyLabelsAreInvalid() {
    assertThat(problem("example.com..", Syntax.HOST_NAME)).startsWith("has an empty label");
    assertThat(problem("a..example", Syntax.HOST_NAME)).startsWith("has an empty label");
    assertThat(problem(".example", Syntax.HOST_NAME)).startsWith("has an empty label");
    assertThat(problem(".", Syntax.HOST_NAME)).isEqualTo("is empty");
    assertThat(problem("  ", Syntax.HOST_NAME)).isEqualTo("is empty");
    assertThat(problem(null, Syntax.HOST_NAME)).isEqualTo("is empty");
  }

  @Test
  void labelsAreLettersDigitsAndInnerHyphens() {
    assertThat(value("mail-1.sub.example.co.uk")).isEqualTo("mail-1.sub.example.co.uk");
    assertThat(value("1.2.3.example")).isEqualTo("1.2.3.example");
    assertThat(value("localhost")).isEqualTo("localhost");
    assertThat(problem("-bad.example", Syntax.HOST_NAME)).contains("\"-bad\"").contains("must not start or end with '-'");
    assertThat(problem("bad-.example", Syntax.HOST_NAME)).contains("must not start or end with '-'");
    assertThat(problem("exa mple.com", Syntax.HOST_NAME)).contains("\"exa mple\"").contains("letters, digits and '-'");
    assertThat(problem("[192.0.2.1]", Syntax.HOST_NAME)).isEqualTo("is an address literal, not a domain");
  }

  @Test
  void underscore_isOnlyTakenWhereTheCallerAsksForIt() {
    assertThat(DomainName.parse("_dmarc.example.com")).isEmpty();
    assertThat(problem("exa_mple.com", Syntax.HOST_NAME)).contains("\"exa_mple\"").contains("letters, digits and '-'");
    assertThat(DomainName.parse("_dmarc.Example.com.", Syntax.WITH_UNDERSCORE).toOptional().orElseThrow().value())
        .isEqualTo("_dmarc.example.com");
    assertThat(DomainName.parse("sel_1.example_", Syntax.WITH_UNDERSCORE)).isInstanceOf(DomainName.Valid.class);
    assertThat(problem("a_-b.ex ample", Syntax.WITH_UNDERSCORE)).contains("letters, digits, '-' and '_'");
    assertThat(problem("-x_.example", Syntax.WITH_UNDERSCORE)).contains("must not start or end with '-'");
  }

  @Test
  void lengthLimits_are63PerLabelAnd253InAll() {
    String label63 = "a".repeat(63);
    assertThat(DomainName.parse(label63 + ".example")).isPresent();
    assertThat(problem("a".repeat(64) + ".example", Syntax.HOST_NAME))
        .isEqualTo("has a label \"" + "a".repeat(64) + "\" of 64 characters, at most 63 allowed");
    String name253 = (label63 + ".").repeat(3) + "a".repeat(61);
    assertThat(name253).hasSize(253);
    assertThat(DomainName.parse(name253)).isPresent();
    assertThat(DomainName.parse(name253 + ".")).isPresent();
    assertThat(problem(name253 + "a", Syntax.HOST_NAME)).isEqualTo("has 254 characters, at most 253 allowed");
  }

  @Test
  void invalid_describesTheTextAndTheProblem() {
    DomainName.Invalid invalid = (DomainName.Invalid) DomainName.parse("a..b", Syntax.HOST_NAME);
    assertThat(invalid.text()).isEqualTo("a..b");
    assertThat(invalid.describe()).startsWith("\"a..b\" has an empty label");
    assertThat(invalid.toOptional()).isEmpty();
  }

  @Test
  void labelsAndSubdomains() {
    DomainName mail = DomainName.parse("mail.example.com").orElseThrow();
    DomainName example = DomainName.parse("example.com").orElseThrow();
    assertThat(mail.labels()).containsExactly("mail", "example", "com");
    assertThat(mail.isSubdomainOf(example)).isTrue();
    assertThat(example.isSubdomainOf(example)).isTrue();
    assertThat(example.isSubdomainOf(mail)).isFalse();
    assertThat(DomainName.parse("badexample.com").orElseThrow().isSubdomainOf(example)).isFalse();
  }

  @Test
  void matches_isTrueOnlyForTextAlreadyWrittenAsAName() {
    assertThat(Syntax.HOST_NAME.matches("Example.com")).isTrue();
    assertThat(Syntax.HOST_NAME.matches("example.com.")).isFalse();
    assertThat(Syntax.HOST_NAME.matches(" example.com")).isFalse();
    assertThat(Syntax.HOST_NAME.matches("b\u00fccher.example")).isFalse();
    assertThat(Syntax.HOST_NAME.matches("_dmarc.example.com")).isFalse();
    assertThat(Syntax.WITH_UNDERSCORE.matches("_dmarc.example.com")).isTrue();
  }
}
