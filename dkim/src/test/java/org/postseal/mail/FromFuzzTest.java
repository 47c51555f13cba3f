package org.postseal.mail;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Fuzzes a whole message (any bytes) through {@link RawMessage#parse} and the From fields it finds through
 * {@link Mailbox#parseAddressList}, the two readers DMARC's From rule rests on. Properties: neither throws; every
 * field name is printable ASCII without ':' or white space; the fields and body written back out split into the
 * same message; every mailbox read from a From field, written as an address, reads back as exactly that mailbox.
 *
 * <p>{@code mvn verify} runs it over the seeds in {@code FromFuzzTestInputs/} (regression mode);
 * {@code bench/fuzz.sh from SECONDS} fuzzes it. A finding is written next to the seeds.
 */
class FromFuzzTest {

  @FuzzTest(maxDuration = "10s")
  void aMessageSplitsTheSameWrittenBackAndItsFromAddressesReadBack(byte[] input) {
    RawMessage message = RawMessage.parse(input);

    RawMessage again = RawMessage.parse(write(message));
    assertThat(again.headers()).isEqualTo(message.headers());
    assertThat(again.body()).isEqualTo(message.body());

    for (HeaderField field : message.headers()) {
      assertThat(field.name()).isNotEmpty().doesNotContain(":", " ", "\t").matches("[\\x21-\\x7E]+");
      if (!field.hasName("From")) {
        continue;
      }
      List<Mailbox> mailboxes = Mailbox.parseAddressList(field.value());
      for (Mailbox mailbox : mailboxes) {
        assertThat(Mailbox.parseAddressList(mailbox.address())).as("%s read from %s", mailbox, field.value())
            .containsExactly(mailbox);
        mailbox.domainName();
      }
    }
  }

  /** The message as Postfix would hand it on: each field, the empty line, the body; CRLF line ends. */
  private static byte[] write(RawMessage message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (HeaderField field : message.headers()) {
      out.writeBytes((field.raw() + "\r\n").getBytes(StandardCharsets.UTF_8));
    }
    out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(message.body());
    return out.toByteArray();
  }
}
