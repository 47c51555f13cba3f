package org.postseal.milter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postseal.milter.HostileClient.cat;
import static org.postseal.milter.HostileClient.z;

import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which packets may reach jmilter: each case is one that jmilter 0.6.1 mishandles (its sources at v0.6.1). */
class CommandSyntaxTest {

  private static Optional<String> check(char command, byte[] payload) {
    return CommandSyntax.problem(command, payload, true);
  }

  @Test
  void whatPostfixSendsPasses() {
    assertThat(check('O', new byte[] {0, 0, 0, 6, 0, 0, 1, (byte) 0xFF, 0, 0x1F, (byte) 0xFF, (byte) 0xFF})).isEmpty();
    assertThat(check('D', cat(new byte[] {'C'}, z("j"), z("mx.example"), z("{client_addr}"), z("192.0.2.1")))).isEmpty();
    assertThat(check('D', new byte[] {'B'})).as("an empty macro packet, sent before every step").isEmpty();
    assertThat(check('C', cat(z("client.example"), new byte[] {'4', 0x64, 0x64}, z("192.0.2.1")))).isEmpty();
    assertThat(check('C', cat(z("client.example"), new byte[] {'6', 0x64, 0x64}, z("2001:db8::1")))).isEmpty();
    // the unknown family as Postfix sends it, without a final NUL, which jmilter needs added
    assertThat(check('C', cat(z("localhost"), new byte[] {'U'}))).isEmpty();
    assertThat(CommandSyntax.asJmilterExpects('C', cat(z("localhost"), new byte[] {'U'})))
        .isEqualTo(cat(z("localhost"), new byte[] {'U', 0}));
    assertThat(check('H', z("client.example"))).isEmpty();
    assertThat(check('M', cat(z("<a@example.net>"), z("SIZE=100"), z("BODY=8BITMIME")))).isEmpty();
    assertThat(check('R', z("<b@example.org>"))).isEmpty();
    assertThat(check('L', cat(z("Subject"), z(" hi")))).isEmpty();
    assertThat(check('L', cat(z("X-Empty"), z("")))).as("an empty value").isEmpty();
    assertThat(check('B', new byte[65_535])).isEmpty();
    for (char command : "ANTEQKU".toCharArray()) {
      assertThat(check(command, new byte[0])).as("%s", command).isEmpty();
    }
  }

  @Test
  void unknownCommandsAreRefused() {
    assertThat(check('Z', new byte[0])).contains("unknown command 0x5a");
    assertThat(CommandSyntax.problem(0xFF, new byte[0], true)).contains("unknown command 0xff");
  }

  @Test
  void onlyNegotiationAbortAndQuitMayComeBeforeNegotiation() {
    assertThat(CommandSyntax.problem('M', z("<a@example.net>"), false)).contains("MAIL before option negotiation");
    assertThat(CommandSyntax.problem('C', cat(z("h"), new byte[] {'U'}), false)).contains("connect before option negotiation");
    assertThat(CommandSyntax.problem('A', new byte[0], false)).isEmpty();
    assertThat(CommandSyntax.problem('Q', new byte[0], false)).isEmpty();
  }

  @Test
  void truncatedOrMisshapenPacketsAreRefused() {
    assertThat(check('O', new byte[8])).contains("option negotiation of 8 bytes (12 expected)");
    assertThat(check('O', new byte[] {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0})).contains("protocol version 1 (2..127 expected)");
    assertThat(check('O', new byte[] {0, 0, 1, 6, 0, 0, 0, 0, 0, 0, 0, 0})).contains("protocol version 262 (2..127 expected)");
    // jmilter reads the last byte signed: 250 would be -6 (a fuzzing finding)
    assertThat(check('O', new byte[] {0, 0, 0, (byte) 250, 0, 0, 0, 0, 0, 0, 0, 0})).contains(
        "protocol version 250 (2..127 expected)");
    assertThat(check('D', new byte[0])).contains("macros without a stage");
    assertThat(check('D', cat(new byte[] {'C'}, z("j")))).contains("a macro name without a value");
    assertThat(check('D', cat(new byte[] {'C'}, z("j"), "x".getBytes()))).contains("macros not terminated by NUL");
    assertThat(check('C', new byte[0])).contains("connect without host name and family");
    assertThat(check('C', z("host"))).contains("connect without host name and family");
    assertThat(check('C', cat(z("host"), new byte[] {'4', 0}))).contains("connect without port and address");
    assertThat(check('C', cat(z("host"), new byte[] {'X', 0, 0}, z("x")))).contains("connect with unknown address family 0x58");
    assertThat(check('C', cat(z("host"), new byte[] {'4', 0, 0}, "1.2.3.4".getBytes()))).contains(
        "connect without a terminating NUL");
    assertThat(check('C', cat(z("host"), new byte[] {'4', 0}, z("")))).contains("connect without port and address");
    assertThat(check('H', "no-nul".getBytes())).contains("HELO without a terminating NUL");
    assertThat(check('L', new byte[0])).contains("header field without name and value");
    assertThat(check('L', z("Subject"))).contains("header field without name and value");
    assertThat(check('L', cat(z("Subject"), "no-nul".getBytes()))).contains("header field without name and value");
  }

  /** jmilter resolves the text of a family-'4' address with InetAddress.getByName: a name would be a DNS lookup. */
  @Test
  void anIpv4AddressMustBeALiteral() {
    assertThat(check('C', cat(z("host"), new byte[] {'4', 0, 25}, z("attacker.example")))).contains(
        "connect with an IPv4 address that is not a literal");
    assertThat(check('C', cat(z("host"), new byte[] {'4', 0, 25}, z("256.1.1.1")))).isPresent();
    assertThat(check('C', cat(z("host"), new byte[] {'4', 0, 25}, z("1.2.3.4\0junk")))).isPresent();
  }

  /** Each NUL-terminated string becomes an object in jmilter: a packet of NULs would make hundreds of thousands. */
  @Test
  void packetsOfManyStringsAreRefused() {
    byte[] nuls = new byte[200_000];
    assertThat(check('M', cat(z("<a@example.net>"), nuls))).contains("MAIL with more than 64 arguments");
    assertThat(check('R', nuls)).contains("RCPT with more than 64 arguments");
    byte[] macros = cat(new byte[] {'C'}, Arrays.copyOf(nuls, 130));
    assertThat(check('D', macros)).contains("more than 64 macros in one packet");
  }
}
