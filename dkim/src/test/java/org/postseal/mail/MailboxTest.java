package org.postseal.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MailboxTest {

  private static List<String> domains(String value) {
    return Mailbox.parseAddressList(value).stream().map(Mailbox::domain).toList();
  }

  @Test
  void plainAddressSpec() {
    assertThat(Mailbox.parseAddressList("joe@football.example.com"))
        .containsExactly(new Mailbox("joe", "football.example.com"));
  }

  @Test
  void nameAddrWithDisplayName() {
    assertThat(Mailbox.parseAddressList(" Joe SixPack <joe@football.example.com>"))
        .containsExactly(new Mailbox("joe", "football.example.com"));
  }

  @Test
  void quotedDisplayNameThatLooksLikeAnAddressIsIgnored() {
    assertThat(domains("\"admin@bank.com\" <x@evil.com>")).containsExactly("evil.com");
  }

  @Test
  void commentThatLooksLikeAnAddressIsIgnored() {
    assertThat(domains("x@evil.com (admin@bank.com)")).containsExactly("evil.com");
    assertThat(domains("(admin@bank.com) x@evil.com")).containsExactly("evil.com");
  }

  @Test
  void unquotedAtSignInDisplayNameMakesTheListUnparsable() {
    // not RFC 5322: picking either address would be a guess an attacker can steer
    assertThat(Mailbox.parseAddressList("admin@bank.com <x@evil.com>")).isEmpty();
  }

  @Test
  void domainIsKeptAsWritten_andComparedLowerCasedWithRootLocaleEvenUnderTurkish() {
    Locale saved = Locale.getDefault();
    Locale.setDefault(Locale.forLanguageTag("tr"));
    try {
      List<Mailbox> mailboxes = Mailbox.parseAddressList("Joe <joe@MAIL.EXAMPLE.INFO>");
      assertThat(mailboxes).extracting(Mailbox::domain).containsExactly("MAIL.EXAMPLE.INFO");
      assertThat(mailboxes.get(0).domainName().map(DomainName::value)).contains("mail.example.info");
    } finally {
      Locale.setDefault(saved);
    }
  }

  @Test
  void localPartKeepsItsCase() {
    assertThat(Mailbox.parseAddressList("Joe.Q@Example.com"))
        .containsExactly(new Mailbox("Joe.Q", "Example.com"));
  }

  @Test
  void severalAddressesInOrder() {
    assertThat(Mailbox.parseAddressList("a@one.example, \"B, the second\" <b@two.example>,c@three.example"))
        .extracting(Mailbox::address)
        .containsExactly("a@one.example", "b@two.example", "c@three.example");
  }

  @Test
  void groupMembersAreListedAndTheGroupNameIsNot() {
    assertThat(Mailbox.parseAddressList("Team: a@one.example, Bee <b@two.example>;, c@three.example"))
        .extracting(Mailbox::address)
        .containsExactly("a@one.example", "b@two.example", "c@three.example");
  }

  @Test
  void emptyGroupGivesNoMailbox() {
    assertThat(Mailbox.parseAddressList("undisclosed-recipients:;")).isEmpty();
    assertThat(Mailbox.parseAddressList("undisclosed-recipients:")).isEmpty();
  }

  @Test
  void quotedLocalPartIsUnquotedAndQuotedAgainForDisplay() {
    List<Mailbox> list = Mailbox.parseAddressList("\"john doe\"@example.com");
    assertThat(list).containsExactly(new Mailbox("john doe", "example.com"));
    assertThat(list.get(0).address()).isEqualTo("\"john doe\"@example.com");
  }

  @Test
  void obsoleteRouteIsDropped() {
    assertThat(Mailbox.parseAddressList("<@relay.example,@other.example:joe@example.com>"))
        .containsExactly(new Mailbox("joe", "example.com"));
  }

  @Test
  void obsoleteFormsAreTolerated() {
    // empty list elements, CFWS around dots, a phrase with a dot, folding
    assertThat(Mailbox.parseAddressList(",, John Q. Public <jqp @ example . com>,\r\n\t,x@y.example,"))
        .extracting(Mailbox::address)
        .containsExactly("jqp@example.com", "x@y.example");
  }

  @Test
  void nestedCommentsAndQuotedPairs() {
    assertThat(domains("(a (nested \\) comment) here) \"quo\\\"ted\" <u@d.example>"))
        .containsExactly("d.example");
  }

  @Test
  void domainLiteralKeepsBrackets() {
    assertThat(Mailbox.parseAddressList("joe@[192.0.2.1]")).containsExactly(new Mailbox("joe", "[192.0.2.1]"));
  }

  @Test
  void encodedWordDisplayNameAndUtf8Address() {
    assertThat(Mailbox.parseAddressList("=?utf-8?q?J=C3=B6rg?= <jörg@bücher.example>"))
        .containsExactly(new Mailbox("jörg", "bücher.example"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "   ", "joe", "joe@", "@example.com", "<joe@example.com", "joe@example.com>", "\"unterminated <a@b.c>",
      "a@b.c (unterminated comment", "a@b..c", "a@b.c.", "<>", "a@b.c d@e.f", "Group: a@b.c, Inner: d@e.f;;",
      "a@[1.2.3.4", "x@evil.com\u0000", "a@b.c)", "Joe <joe@example.com> trailing"})
  void unparsableInputGivesAnEmptyList(String value) {
    assertThat(Mailbox.parseAddressList(value)).isEmpty();
  }

  @Test
  void nullGivesAnEmptyList() {
    assertThat(Mailbox.parseAddressList(null)).isEmpty();
  }
}
