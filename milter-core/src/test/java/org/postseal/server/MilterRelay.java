package org.postseal.server;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.postseal.dmarc.outbox.SmtpOutcome;
import org.postseal.dmarc.outbox.SmtpTransport;
import org.postseal.milter.FakeMta;
import org.postseal.milter.client.Envelope;

/**
 * What the local Postfix is to our reports, in small: an SMTP server on 127.0.0.1 that takes each message from an
 * internal client, runs it through a running Postseal as Postfix's smtpd_milters would (so it is signed: outbound),
 * applies the header edits and relays it to the next SMTP server. Its reply to DATA is that server's.
 */
final class MilterRelay implements AutoCloseable {

  /** The client address the relay presents to the milter: inside signing.internal-networks. */
  static final String INTERNAL_CLIENT = "10.1.2.3";

  private final ServerSocket socket;
  private final Thread thread;
  private final List<String> milterReplies = java.util.Collections.synchronizedList(new ArrayList<>());
  private volatile InetSocketAddress milter;
  private volatile SmtpTransport next;

  MilterRelay() throws IOException {
    socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    thread = new Thread(this::serve, "milter-relay");
    thread.setDaemon(true);
    thread.start();
  }

  int port() {
    return socket.getLocalPort();
  }

  /** Where the milter listens and where messages go on: known once Postseal and the sink run. */
  void route(InetSocketAddress milterAddress, SmtpTransport nextHop) {
    this.milter = milterAddress;
    this.next = nextHop;
  }

  /** What the milter answered to each message relayed. */
  List<String> milterReplies() {
    return List.copyOf(milterReplies);
  }

  private void serve() {
    while (!socket.isClosed()) {
      try (Socket client = socket.accept()) {
        converse(client);
      } catch (IOException e) {
        // the client went away, or we are closing
      }
    }
  }

  private void converse(Socket client) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.ISO_8859_1));
    OutputStream out = client.getOutputStream();
    write(out, "220 relay.test ESMTP");
    String mailFrom = "";
    List<String> recipients = new ArrayList<>();
    String line;
    while ((line = in.readLine()) != null) {
      String command = line.toUpperCase(Locale.ROOT);
      if (command.startsWith("MAIL FROM:")) {
        mailFrom = line.substring(10).strip();
        write(out, "250 ok");
      } else if (command.startsWith("RCPT TO:")) {
        recipients.add(line.substring(8).strip());
        write(out, "250 ok");
      } else if (command.startsWith("DATA")) {
        write(out, "354 go on");
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        while ((line = in.readLine()) != null && !line.equals(".")) {
          message.write((line.startsWith("..") ? line.substring(1) : line).getBytes(StandardCharsets.ISO_8859_1));
          message.write('\r');
          message.write('\n');
        }
        write(out, relay(mailFrom, recipients, message.toByteArray()));
      } else if (command.startsWith("QUIT")) {
        write(out, "221 bye");
        return;
      } else {
        write(out, "250 ok");
      }
    }
  }

  private String relay(String mailFrom, List<String> recipients, byte[] message) {
    try (FakeMta mta = FakeMta.connect(milter)) {
      FakeMta.MilterOutcome outcome = mta.send(new Envelope("relay.test", INTERNAL_CLIENT, "relay.test", mailFrom,
          recipients, "", "RELAY" + System.nanoTime()), message);
      milterReplies.add(outcome.reply().toString());
      if (!outcome.reply().isContinue()) {
        return "451 4.7.1 the milter said " + outcome.reply();
      }
      byte[] signed = outcome.applyTo(message);
      String rcpt = recipients.get(0).replaceAll("^<|>$", "");
      SmtpOutcome sent = next.send(mailFrom.replaceAll("^<|>$", ""), rcpt, signed);
      return sent instanceof SmtpOutcome.Accepted ? "250 relayed: " + sent.reply()
          : (sent instanceof SmtpOutcome.PermanentFailure ? "554 " : "451 ") + sent.reply();
    } catch (IOException | RuntimeException e) {
      return "451 4.3.0 relay failed: " + e;
    }
  }

  private static void write(OutputStream out, String reply) throws IOException {
    out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
