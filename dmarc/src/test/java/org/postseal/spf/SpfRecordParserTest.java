package org.postseal.spf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SpfRecordParserTest {

  private static SpfRecord valid(String text) {
    SpfRecordParser.Parsed parsed = SpfRecordParser.parse(text);
    assertThat(parsed).isInstanceOf(SpfRecordParser.Valid.class);
    return ((SpfRecordParser.Valid) parsed).record();
  }

  @Test
  void everyMechanismAndModifier_isRead() {
    SpfRecord record = valid("v=spf1 +a -mx:mail.example.com/24//64 ~ptr ?ip4:192.0.2.0/24 ip6:2001:DB8::/32"
        + " include:_spf.example.net exists:%{ir}.bl.example.org a//0 -all redirect=other.example"
        + " exp=explain.%{d} x-custom=%{l}");

    assertThat(record.mechanisms()).extracting(SpfMechanism::term).containsExactly(
        "a", "-mx:mail.example.com/24//64", "~ptr", "?ip4:192.0.2.0/24", "ip6:2001:db8::/32",
        "include:_spf.example.net", "exists:%{ir}.bl.example.org", "a//0", "-all");
    assertThat(record.redirect()).contains("other.example");
    assertThat(record.explanation()).contains("explain.%{d}");
    assertThat(record.unknownModifiers()).containsExactly("x-custom=%{l}");
    assertThat(record.hasAll()).isTrue();
    assertThat(record.mechanisms().get(1)).isEqualTo(
        new SpfMechanism.Mx(SpfQualifier.FAIL, "mail.example.com", 24, 64));
  }

  @Test
  void namesAndVersion_areCaseInsensitive() {
    SpfRecord record = valid("V=SpF1 IP4:192.0.2.1 Include:Example.COM REDIRECT=example.net");

    assertThat(record.mechanisms()).extracting(SpfMechanism::term)
        .containsExactly("ip4:192.0.2.1/32", "include:Example.COM");
    assertThat(record.redirect()).isEqualTo(Optional.of("example.net"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"v=spf1", "v=spf1 ", "v=spf1   -all  ", "v=SPF1 ?all"})
  void spacesAndEmptyRecords_areValid(String text) {
    assertThat(SpfRecordParser.parse(text)).isInstanceOf(SpfRecordParser.Valid.class);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "v=spf1 -all moo                          | unknown mechanism \"moo\"",
      "v=spf1 redirect=a.example redirect=b.example | appears more than once",
      "v=spf1 exp=                              | empty domain-spec",
      "v=spf1 a:foo-bar                         | top-level label",
      "v=spf1 ip4:1.2.3.4/33                    | more than 32",
      "v=spf1 ip6:::1/129                       | more than 128",
      "v=spf1 ip4:1.2.3                         | is not an IPv4 address",
      "v=spf1 -all.                             | takes no argument",
      "v=spf1 foo=%abc                          | is not a macro",
      "v=spf1 1up=foo                           | neither a mechanism nor a modifier",
      "v=spf1 exp=%{r}.example.com              | not a valid macro here",
      "v=spf10 -all                             | does not start with \"v=spf1\"",
  })
  void syntaxErrors_sayWhatIsWrong(String text, String reason) {
    SpfRecordParser.Parsed parsed = SpfRecordParser.parse(text);

    assertThat(parsed).isInstanceOf(SpfRecordParser.Invalid.class);
    assertThat(((SpfRecordParser.Invalid) parsed).reason()).contains(reason);
  }

  @Test
  void controlAndNonAsciiCharacters_makeTheRecordInvalid() {
    for (String text : List.of("v=spf1 a\tptr -all", "v=spf1 a:ex\u00e4mple.com -all", "v=spf1 ip4:192.0.2.1\n")) {
      assertThat(SpfRecordParser.parse(text)).as(text).isInstanceOf(SpfRecordParser.Invalid.class);
    }
  }

  @ParameterizedTest
  @CsvSource({"v=spf1, true", "v=spf1 -all, true", "V=SPF1 a, true", "v=spf1a, false", "v=spf10, false",
      "' v=spf1', false", "spf2.0/pra, false", "'', false"})
  void selection_isVersionThenSpaceOrEnd(String txt, boolean isSpf) {
    assertThat(SpfRecordParser.isSpfRecord(txt)).isEqualTo(isSpf);
  }
}
