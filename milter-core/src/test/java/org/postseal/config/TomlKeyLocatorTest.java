package org.postseal.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TomlKeyLocatorTest {

  @Test
  void findsKeysAfterMultiLineArraysStringsAndComments() {
    TomlKeyLocator locator = TomlKeyLocator.index("""
        # listen = "not this one"
        listen = "inet:127.0.0.1:8891"   # a comment with key = value
        text = "a = b # c"
        poem = \"\"\"
        first = line
        [not-a-table]
        \"\"\"

        [signing]
        internal-networks = [
          "10.0.0.0/8",   # key = value in a comment
          "::1/128",
        ]
        algorithms = ["rsa-sha256"]
        "quoted.key" = 1
        dotted . key = 2
        inline = { a = 1, b = [1,
          2] }
        after = true
        """);
    assertThat(locator.lineOf("listen")).isEqualTo(2);
    assertThat(locator.lineOf("text")).isEqualTo(3);
    assertThat(locator.lineOf("signing")).isEqualTo(9);
    assertThat(locator.lineOf("signing.internal-networks")).isEqualTo(10);
    assertThat(locator.lineOf("signing.algorithms")).isEqualTo(14);
    assertThat(locator.lineOf("signing.quoted.key")).isEqualTo(15);
    assertThat(locator.lineOf("signing.dotted.key")).isEqualTo(16);
    assertThat(locator.lineOf("signing.inline.b")).isEqualTo(17);
    assertThat(locator.lineOf("signing.after")).isEqualTo(19);
    assertThat(locator.lineOf("not-a-table")).isZero();
    assertThat(locator.lineOf("signing.unknown")).isEqualTo(9);
  }
}
