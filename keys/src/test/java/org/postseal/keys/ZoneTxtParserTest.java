package org.postseal.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ZoneTxtParserTest {

  private static ZoneTxtParser.Txt txt(String text) {
    ZoneTxtParser.Parsed parsed = ZoneTxtParser.parse(text);
    assertThat(parsed).isInstanceOf(ZoneTxtParser.Txt.class);
    return (ZoneTxtParser.Txt) parsed;
  }

  private static String invalid(String text) {
    ZoneTxtParser.Parsed parsed = ZoneTxtParser.parse(text);
    assertThat(parsed).isInstanceOf(ZoneTxtParser.Invalid.class);
    return ((ZoneTxtParser.Invalid) parsed).reason();
  }

  @Test
  void opendkimGenkeyOutput_isReJoined() {
    String text = "s1._domainkey\tIN\tTXT\t( \"v=DKIM1; h=sha256; k=rsa; \"\n"
        + "\t  \"p=MIIBIjANBgkq\"\n"
        + "\t  \"hkiG9w0BAQEFAAOC\" )  ; ----- DKIM key s1 for example.com\n";

    ZoneTxtParser.Txt parsed = txt(text);

    assertThat(parsed.owner()).contains("s1._domainkey");
    assertThat(parsed.strings()).containsExactly("v=DKIM1; h=sha256; k=rsa; ", "p=MIIBIjANBgkq", "hkiG9w0BAQEFAAOC");
    assertThat(parsed.joined()).isEqualTo("v=DKIM1; h=sha256; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOC");
  }

  @Test
  void ttlClassEscapesAndBareWords_areUnderstood() {
    ZoneTxtParser.Txt parsed = txt("sel._domainkey.example.com. 3600 IN TXT \"a\\\"b\" \"c\\\\d\" \"\\065Z\" word");

    assertThat(parsed.owner()).contains("sel._domainkey.example.com.");
    assertThat(parsed.strings()).containsExactly("a\"b", "c\\d", "AZ", "word");
  }

  @Test
  void bareQuotedStrings_asHostingPanelsAskForThem_haveNoOwner() {
    ZoneTxtParser.Txt parsed = txt("\"v=DKIM1; k=ed25519; \" \"p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"");

    assertThat(parsed.owner()).isEqualTo(Optional.empty());
    assertThat(parsed.joined()).isEqualTo("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
  }

  @Test
  void renderedRecords_ofEveryLength_parseBackToTheirStrings() {
    for (int length : List.of(0, 1, 254, 255, 256, 509, 510, 511, 1000)) {
      String value = "x".repeat(length);

      List<String> strings = DkimTxtRecord.split(value);
      StringBuilder zone = new StringBuilder("n.example. IN TXT (");
      strings.forEach(s -> zone.append(" \"").append(s).append("\"\n"));
      ZoneTxtParser.Txt parsed = txt(zone.append(")").toString());

      assertThat(parsed.joined()).as("length %d", length).isEqualTo(value);
      assertThat(parsed.strings()).isEqualTo(strings);
      assertThat(strings).allSatisfy(s -> assertThat(s.length()).isLessThanOrEqualTo(255));
      assertThat(strings).hasSize(Math.max(1, (length + 254) / 255));
    }
  }

  @Test
  void brokenText_isInvalidWithAReason() {
    assertThat(invalid("n IN TXT \"unterminated")).contains("not closed");
    assertThat(invalid("n IN TXT ( \"a\"")).contains("'(' without ')'");
    assertThat(invalid("n IN TXT \"a\" )")).contains("')' without '('");
    assertThat(invalid("n IN TXT \"" + "y".repeat(256) + "\"")).contains("256 bytes").contains("at most 255");
    assertThat(invalid("n IN A 192.0.2.1")).contains("no TXT");
    assertThat(invalid("n IN TXT")).contains("no strings");
    assertThat(invalid("a IN TXT \"1\"\nb IN TXT \"2\"")).contains("more than one record").contains("line 2");
    assertThat(invalid("; only a comment\n")).contains("no record");
    assertThat(invalid("n \"x\" TXT \"y\"")).contains("before TXT");
  }
}
