package org.postseal.dmarc.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** SMTP submission against a real server (GreenMail) and a scripted one that defers and refuses. */
class SmtpTransportTest {

  private static final byte[] MESSAGE = ("From: a@example.org\r\nTo: b@example.com\r\nSubject: dots\r\n\r\n"
      + ".leading dot\r\n..two\r\nlast line without CRLF").getBytes(StandardCharsets.US_ASCII);

  @Test
  void aRealServerAcceptsTheMessage_dotsAndAll() throws Exception {
    try (ReportSink sink = new ReportSink()) {
      SmtpOutcome outcome = new SmtpTransport("127.0.0.1", sink.port(), "mail.example.org")
          .send("a@example.org", "b@example.com", MESSAGE);
      assertThat(outcome).isInstanceOf(SmtpOutcome.Accepted.class);
      assertThat(outcome.reply()).startsWith("250");
      MimeMessage received = sink.received().get(0);
      assertThat(received.getSubject()).isEqualTo("dots");
      assertThat(received.getContent().toString()).startsWith(".leading dot\r\n..two\r\nlast line without CRLF");
    }
  }

  @Test
  void fourHundredsAreTemporary_fiveHundredsPermanent_withTheServersWords() throws Exception {
    try (ScriptedSmtpServer server = new ScriptedSmtpServer("451 4.3.0 try again later", "554 5.7.1 no thanks")) {
      SmtpTransport transport = new SmtpTransport("127.0.0.1", server.port(), "mail.example.org");
      SmtpOutcome first = transport.send("a@example.org", "b@example.com", MESSAGE);
      SmtpOutcome second = transport.send("a@example.org", "b@example.com", MESSAGE);
      assertThat(first).isInstanceOf(SmtpOutcome.TemporaryFailure.class);
      assertThat(first.reply()).isEqualTo("451 4.3.0 try again later (after end of DATA)");
      assertThat(second).isInstanceOf(SmtpOutcome.PermanentFailure.class);
      assertThat(second.reply()).startsWith("554 5.7.1 no thanks");
      assertThat(server.accepted()).isEmpty();
    }
  }

  @Test
  void noServerListening_isATemporaryFailure() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    SmtpOutcome outcome = new SmtpTransport("127.0.0.1", port, "mail.example.org")
        .send("a@example.org", "b@example.com", MESSAGE);
    assertThat(outcome).isInstanceOf(SmtpOutcome.TemporaryFailure.class);
    assertThat(outcome.reply()).startsWith("no SMTP conversation with 127.0.0.1:" + port);
  }
}
