package org.postseal.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RawMessageTest {

  private static RawMessage parse(String text) {
    return RawMessage.parse(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String body(RawMessage message) {
    return new String(message.body(), StandardCharsets.UTF_8);
  }

  @Test
  void fieldsAreKeptAsWritten_foldsAsCrlf() {
    RawMessage message = parse("From: Alice <alice@example.org>\r\nSubject: one\r\n\ttwo\r\n  three\r\nX-Empty:\r\n\r\n"
        + "body\r\n");
    assertThat(message.headers()).containsExactly(new HeaderField("From", " Alice <alice@example.org>"),
        new HeaderField("Subject", " one\r\n\ttwo\r\n  three"), new HeaderField("X-Empty", ""));
    assertThat(body(message)).isEqualTo("body\r\n");
  }

  @Test
  void lfOnlyInput_becomesCrlf_inFoldsAndBody() {
    RawMessage message = parse("From: alice@example.org\nSubject: one\n two\n\nline one\nline two\n");
    assertThat(message.headers()).containsExactly(new HeaderField("From", " alice@example.org"),
        new HeaderField("Subject", " one\r\n two"));
    assertThat(body(message)).isEqualTo("line one\r\nline two\r\n");
    assertThat(body(parse("A: b\r\n\r\nmixed\nends\r\n"))).isEqualTo("mixed\r\nends\r\n");
  }

  @Test
  void whiteSpaceBeforeTheColon_isTheSameField() {
    // RFC 5322 section 4.5 (obs-optional); Postfix hands the milter this field as "From"
    RawMessage message = parse("From: alice@bank.example\r\nFrom : mallory@attacker.example\r\nTo\t: bob@example.org\r\n\r\n");
    assertThat(message.headers()).containsExactly(new HeaderField("From", " alice@bank.example"),
        new HeaderField("From", " mallory@attacker.example"), new HeaderField("To", " bob@example.org"));
    assertThat(message.headers()).filteredOn(h -> h.hasName("From")).hasSize(2);
  }

  @Test
  void noBody_andEmptyBody() {
    RawMessage noSeparator = parse("From: alice@example.org\r\nSubject: x\r\n");
    assertThat(noSeparator.headers()).hasSize(2);
    assertThat(noSeparator.body()).isEmpty();
    RawMessage noFinalLineEnd = parse("From: alice@example.org\r\nSubject: x");
    assertThat(noFinalLineEnd.headers()).containsExactly(new HeaderField("From", " alice@example.org"),
        new HeaderField("Subject", " x"));
    RawMessage emptyBody = parse("From: alice@example.org\r\n\r\n");
    assertThat(emptyBody.headers()).containsExactly(new HeaderField("From", " alice@example.org"));
    assertThat(emptyBody.body()).isEmpty();
    RawMessage blankLinesOnly = parse("From: alice@example.org\r\n\r\n\r\n\r\n");
    assertThat(body(blankLinesOnly)).isEqualTo("\r\n\r\n");
    assertThat(RawMessage.parse(new byte[0]).headers()).isEmpty();
  }

  @Test
  void noHeader_isAllBody() {
    RawMessage message = parse("\r\nonly body\r\n");
    assertThat(message.headers()).isEmpty();
    assertThat(body(message)).isEqualTo("only body\r\n");
  }

  @Test
  void aLineThatIsNoField_endsTheHeaderAndStartsTheBody() {
    // Postfix's MIME parser: "garbage in header" switches to the body
    RawMessage message = parse("From: alice@example.org\r\nthis is no field\r\nSubject: late\r\n\r\nbody\r\n");
    assertThat(message.headers()).containsExactly(new HeaderField("From", " alice@example.org"));
    assertThat(body(message)).isEqualTo("this is no field\r\nSubject: late\r\n\r\nbody\r\n");
    assertThat(parse(" indented first\r\nFrom: a@b.example\r\n\r\n").headers()).isEmpty();
    assertThat(parse(": no name\r\n\r\n").headers()).isEmpty();
    assertThat(parse("From alice@example.org Sat Nov 28 09:00:00 2026\r\nFrom: a@b.example\r\n\r\n").headers()).isEmpty();
  }

  @Test
  void headerText_isDecodedInTheGivenCharset() {
    byte[] raw = "Subject: gr\u00fc\u00dfe\r\n\r\n".getBytes(StandardCharsets.UTF_8);
    assertThat(RawMessage.parse(raw).headers().get(0).value()).isEqualTo(" gr\u00fc\u00dfe");
    String latin1 = RawMessage.parse(raw, StandardCharsets.ISO_8859_1).headers().get(0).value();
    assertThat(latin1.getBytes(StandardCharsets.ISO_8859_1)).isEqualTo(" gr\u00fc\u00dfe".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void bodyBytes_areKeptExactly() {
    byte[] raw = new byte[] {'A', ':', ' ', 'b', '\r', '\n', '\r', '\n', (byte) 0xff, 0, '\r', '\n'};
    assertThat(RawMessage.parse(raw).body()).containsExactly((byte) 0xff, 0, '\r', '\n');
  }
}
