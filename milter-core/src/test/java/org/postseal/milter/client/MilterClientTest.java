package org.postseal.milter.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postseal.config.ListenAddress;
import org.postseal.mail.HeaderField;

/**
 * The client's framing and reply parsing against a scripted milter on a loopback socket that sends
 * crafted packets: what the client writes, and how it reads what comes back.
 */
@Timeout(20)
class MilterClientTest {

  private static final MilterClient.Options OPTIONS = MilterClient.Options.postfix().withTimeout(Duration.ofSeconds(5));
  private static final Envelope ENVELOPE = new Envelope("client.example", "203.0.113.5", "client.example",
      "<sender@example.net>", List.of("<rcpt@example.org>"), "", "QID1");

  private ServerSocket server;
  private CompletableFuture<Void> milter;

  /** A packet as the milter sees it. */
  private record Packet(char code, byte[] data) {
    /** The NUL-separated strings of the payload after {@code skip} bytes. */
    List<String> strings(int skip) {
      String text = new String(data, skip, data.length - skip, StandardCharsets.ISO_8859_1);
      List<String> out = new ArrayList<>(List.of(text.split("\0", -1)));
      out.remove(out.size() - 1); // after the last NUL
      return out;
    }
  }

  /** What the scripted milter does with its end of the connection. */
  private interface Script {
    void run(DataInputStream in, DataOutputStream out) throws IOException;
  }

  private ListenAddress start(Script script) throws IOException {
    server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    milter = CompletableFuture.runAsync(() -> {
      try (Socket s = server.accept()) {
        script.run(new DataInputStream(s.getInputStream()), new DataOutputStream(s.getOutputStream()));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    return new ListenAddress.Inet("127.0.0.1", server.getLocalPort());
  }

  /** Waits for the script: its assertions fail the test. */
  private void scriptFinished() throws Exception {
    milter.get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws IOException {
    if (server != null) {
      server.close();
    }
  }

  private static Packet read(DataInputStream in) throws IOException {
    int length = in.readInt();
    char code = (char) in.readUnsignedByte();
    byte[] data = new byte[length - 1];
    in.readFully(data);
    return new Packet(code, data);
  }

  /** Reads packets until one with {@code code} (skipping macros); fails on any other. */
  private static Packet expect(DataInputStream in, char code) throws IOException {
    Packet p = read(in);
    while (p.code() == MilterProtocol.SMFIC_MACRO && code != MilterProtocol.SMFIC_MACRO) {
      p = read(in);
    }
    assertThat(p.code()).as("command").isEqualTo(code);
    return p;
  }

  private static void write(DataOutputStream out, char code, byte[] data) throws IOException {
    out.writeInt(data.length + 1);
    out.write(code);
    out.write(data);
    out.flush();
  }

  private static void write(DataOutputStream out, char code) throws IOException {
    write(out, code, new byte[0]);
  }

  private static byte[] payload(Object... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (Object part : parts) {
      if (part instanceof Integer i) {
        b.writeBytes(new byte[] {(byte) (i >>> 24), (byte) (i >>> 16), (byte) (i >>> 8), (byte) (int) i});
      } else {
        b.writeBytes(((String) part).getBytes(StandardCharsets.ISO_8859_1));
        b.write(0);
      }
    }
    return b.toByteArray();
  }

  /** Reads the option negotiation, checks what Postfix offers, answers with {@code steps} and the macro lists. */
  private static void negotiate(DataInputStream in, DataOutputStream out, int steps, Object... macroLists) throws IOException {
    Packet optneg = expect(in, MilterProtocol.SMFIC_OPTNEG);
    assertThat(optneg.data()).hasSize(12);
    Object[] reply = new Object[3 + macroLists.length];
    reply[0] = 6;
    reply[1] = 0x31;
    reply[2] = steps;
    System.arraycopy(macroLists, 0, reply, 3, macroLists.length);
    write(out, MilterProtocol.SMFIC_OPTNEG, payload(reply));
  }

  @Test
  void optionNegotiationOffersWhatPostfixOffersAndReadsMacroLists() throws Exception {
    ListenAddress address = start((in, out) -> {
      Packet optneg = expect(in, MilterProtocol.SMFIC_OPTNEG);
      DataInputStream d = new DataInputStream(new java.io.ByteArrayInputStream(optneg.data()));
      assertThat(d.readInt()).as("version").isEqualTo(6);
      assertThat(d.readInt()).as("actions").isEqualTo(MilterProtocol.POSTFIX_ACTIONS);
      assertThat(d.readInt()).as("steps").isEqualTo(MilterProtocol.POSTFIX_V6_STEPS & ~MilterProtocol.NO_REPLY_FLAGS);
      write(out, MilterProtocol.SMFIC_OPTNEG, payload(6, 0x31, MilterProtocol.SMFIP_HDR_LEADSPC,
          MilterProtocol.SMFIM_CONNECT, "{client_addr}", MilterProtocol.SMFIM_EOM, "i"));
      expect(in, MilterProtocol.SMFIC_QUIT);
    });
    try (MilterClient client = MilterClient.open(address, OPTIONS.withNoReply(false))) {
      Negotiated n = client.negotiated();
      assertThat(n.version()).isEqualTo(6);
      assertThat(n.actions()).isEqualTo(0x31);
      assertThat(client.hasLeadingSpace()).isTrue();
      assertThat(n.macroLists()).containsExactlyInAnyOrderEntriesOf(Map.of(0, "{client_addr}", 5, "i"));
    }
    scriptFinished();
  }

  @Test
  void aMilterAskingForActionsPostfixDoesNotOfferIsRefused() throws Exception {
    ListenAddress address = start((in, out) -> {
      expect(in, MilterProtocol.SMFIC_OPTNEG);
      write(out, MilterProtocol.SMFIC_OPTNEG, payload(6, 0x400, 0));
    });
    assertThatThrownBy(() -> MilterClient.open(address, OPTIONS)).isInstanceOf(IOException.class)
        .hasMessageContaining("actions 0x400");
    scriptFinished();
  }

  @Test
  void macrosGoOnlyAsListedForAListedStageAndAllForTheOthers() throws Exception {
    List<Packet> macros = new ArrayList<>();
    ListenAddress address = start((in, out) -> {
      negotiate(in, out, MilterProtocol.SMFIP_NR_CONN | MilterProtocol.SMFIP_NOHELO, MilterProtocol.SMFIM_CONNECT, "client_addr j");
      macros.add(expect(in, MilterProtocol.SMFIC_MACRO));
      Packet connect = expect(in, MilterProtocol.SMFIC_CONNECT);
      assertThat(connect.strings(0).get(0)).isEqualTo("client.example");
      // the declined HELO is not sent, but its (empty) macros are
      macros.add(expect(in, MilterProtocol.SMFIC_MACRO));
      macros.add(expect(in, MilterProtocol.SMFIC_MACRO));
      Packet mail = expect(in, MilterProtocol.SMFIC_MAIL);
      assertThat(mail.strings(0)).containsExactly("<sender@example.net>");
      write(out, MilterProtocol.SMFIR_REJECT);
      expect(in, MilterProtocol.SMFIC_QUIT);
    });
    try (MilterClient client = MilterClient.open(address, OPTIONS)) {
      assertThat(client.greet("client.example", "203.0.113.5", "helo.example")).isEqualTo(MilterReply.NONE);
      MessageOutcome outcome = client.send(ENVELOPE, List.of(), new byte[0]);
      assertThat(outcome.reply().code()).isEqualTo(MilterProtocol.SMFIR_REJECT);
      assertThat(outcome.atEndOfMessage()).isFalse();
      assertThat(outcome.modifications()).isEmpty();
    }
    scriptFinished();
    // a macro packet: the command it belongs to, then name NUL value NUL ...
    assertThat(macros).extracting(p -> (char) p.data()[0]).containsExactly('C', 'H', 'M');
    assertThat(macros.get(0).strings(1)).containsExactly("j", "mta.postseal.test", "{client_addr}", "203.0.113.5");
    assertThat(macros.get(1).strings(1)).isEmpty();
    assertThat(macros.get(2).strings(1)).containsExactly("{mail_addr}", "sender@example.net");
  }

  @Test
  void progressBeforeTheReplyIsWaitedThroughAtEveryStep() throws Exception {
    ListenAddress address = start((in, out) -> {
      negotiate(in, out, 0);
      expect(in, MilterProtocol.SMFIC_CONNECT);
      write(out, MilterProtocol.SMFIR_PROGRESS);
      write(out, MilterProtocol.SMFIR_PROGRESS);
      write(out, MilterProtocol.SMFIR_CONTINUE);
      expect(in, MilterProtocol.SMFIC_HELO);
      write(out, MilterProtocol.SMFIR_REPLYCODE, payload("421 4.7.0 go away"));
      expect(in, MilterProtocol.SMFIC_QUIT);
    });
    try (MilterClient client = MilterClient.open(address, OPTIONS)) {
      MilterReply reply = client.greet("client.example", "203.0.113.5", "helo.example");
      assertThat(reply.text()).isEqualTo("421 4.7.0 go away");
      assertThat(reply.smtpCode()).contains(421);
      assertThat(reply.endsTransaction()).isTrue();
      assertThat(reply.summary()).isEqualTo("reply 421 4.7.0");
    }
    scriptFinished();
  }

  @Test
  void endOfMessageCollectsEveryModificationInOrderUntilTheFinalReply() throws Exception {
    byte[] body = new byte[70_000];
    java.util.Arrays.fill(body, (byte) 'x');
    ListenAddress address = start((in, out) -> {
      negotiate(in, out, MilterProtocol.NO_REPLY_FLAGS | MilterProtocol.SMFIP_HDR_LEADSPC);
      for (char step : new char[] {'C', 'H', 'M', 'R', 'T'}) {
        expect(in, step);
      }
      Packet header = expect(in, MilterProtocol.SMFIC_HEADER);
      assertThat(header.strings(0)).containsExactly("Subject", " folded\n\tline");
      expect(in, MilterProtocol.SMFIC_EOH);
      assertThat(expect(in, MilterProtocol.SMFIC_BODY).data()).hasSize(65535);
      assertThat(expect(in, MilterProtocol.SMFIC_BODY).data()).hasSize(70_000 - 65535);
      expect(in, MilterProtocol.SMFIC_BODYEOB);
      write(out, MilterProtocol.SMFIR_PROGRESS);
      write(out, MilterProtocol.SMFIR_INSHEADER, payload(0, "DKIM-Signature", " v=1;\n\ta=rsa-sha256"));
      write(out, MilterProtocol.SMFIR_CHGHEADER, payload(2, "X-Old", ""));
      write(out, MilterProtocol.SMFIR_PROGRESS);
      write(out, MilterProtocol.SMFIR_ADDHEADER, payload("X-Added", " yes"));
      write(out, MilterProtocol.SMFIR_QUARANTINE, payload("held for review"));
      write(out, MilterProtocol.SMFIR_REPLBODY, "new body\r\n".getBytes(StandardCharsets.US_ASCII));
      write(out, '+', payload("<extra@example.org>"));
      write(out, MilterProtocol.SMFIR_ACCEPT);
      expect(in, MilterProtocol.SMFIC_QUIT);
    });
    try (MilterClient client = MilterClient.open(address, OPTIONS)) {
      MessageOutcome outcome = client.send(ENVELOPE, List.of(new HeaderField("Subject", " folded\r\n\tline")), body);
      assertThat(outcome.reply().isAccept()).isTrue();
      assertThat(outcome.atEndOfMessage()).isTrue();
      assertThat(outcome.leadingSpace()).isTrue();
      assertThat(outcome.modifications()).hasSize(6);
      assertThat(outcome.headerChanges()).containsExactly(
          new Modification.Insert(0, "DKIM-Signature", " v=1;\n\ta=rsa-sha256"),
          new Modification.Change(2, "X-Old", ""),
          new Modification.Add("X-Added", " yes"));
      List<Modification> other = outcome.otherModifications();
      assertThat(other.get(0)).isEqualTo(new Modification.Quarantine("held for review"));
      assertThat(other.get(1)).isInstanceOfSatisfying(Modification.ReplaceBody.class,
          b -> assertThat(new String(b.chunk(), StandardCharsets.US_ASCII)).isEqualTo("new body\r\n"));
      assertThat(other.get(2)).isEqualTo(new Modification.Other('+', List.of("<extra@example.org>")));
      List<HeaderField> delivered = outcome.applyTo(List.of(new HeaderField("X-Old", " 1"), new HeaderField("X-Old", " 2"),
          new HeaderField("From", " a@example.com")));
      assertThat(delivered).extracting(HeaderField::raw)
          .containsExactly("DKIM-Signature: v=1;\r\n\ta=rsa-sha256", "X-Old: 1", "From: a@example.com", "X-Added: yes");
    }
    scriptFinished();
  }

  @ParameterizedTest(name = "final reply {0}")
  @ValueSource(chars = {'a', 'c', 'd', 'r', 't', 'f', '4'})
  void everyFinalReplyEndsEndOfMessage(char code) throws Exception {
    ListenAddress address = start((in, out) -> {
      negotiate(in, out, MilterProtocol.SMFIP_NOCONNECT | MilterProtocol.SMFIP_NOHELO | MilterProtocol.NO_REPLY_FLAGS);
      expect(in, MilterProtocol.SMFIC_BODYEOB);
      write(out, code);
      expect(in, MilterProtocol.SMFIC_QUIT);
    });
    try (MilterClient client = MilterClient.open(address, OPTIONS)) {
      MessageOutcome outcome = client.endOfMessage(Map.of("i", "QID1"));
      assertThat(outcome.reply().code()).isEqualTo(code);
      assertThat(outcome.modifications()).isEmpty();
    }
    scriptFinished();
  }

  @Test
  void skipAtABodyChunkSendsNoMoreBody() throws Exception {
    ListenAddress address = start((in, out) -> {
      negotiate(in, out, MilterProtocol.SMFIP_NOCONNECT | MilterProtocol.SMFIP_NOHELO | MilterProtocol.NO_REPLY_FLAGS
          & ~MilterProtocol.SMFIP_NR_BODY);
      expect(in, MilterProtocol.SMFIC_MAIL);
      expect(in, MilterProtocol.SMFIC_RCPT);
      expect(in, MilterProtocol.SMFIC_DATA);
      expect(in, MilterProtocol.SMFIC_EOH);
      expect(in, MilterProtocol.SMFIC_BODY);
      write(out, MilterProtocol.SMFIR_SKIP);
      expect(in, MilterProtocol.SMFIC_BODYEOB);
      write(out, MilterProtocol.SMFIR_CONTINUE);
      expect(in, MilterProtocol.SMFIC_QUIT);
    });
    try (MilterClient client = MilterClient.open(address, OPTIONS.withChunkSize(10))) {
      MessageOutcome outcome = client.send(ENVELOPE, List.of(), new byte[100]);
      assertThat(outcome.reply().isContinue()).isTrue();
    }
    scriptFinished();
  }

  /** Connects, lets the milter answer CONNECT with {@code answer}, and returns what {@code connect} threw. */
  private Throwable connectFailure(Script answer) throws Exception {
    ListenAddress address = start((in, out) -> {
      negotiate(in, out, 0);
      expect(in, MilterProtocol.SMFIC_CONNECT);
      answer.run(in, out);
    });
    Throwable thrown;
    try (MilterClient client = MilterClient.open(address, OPTIONS)) {
      thrown = catchThrowable(() -> client.connect("client.example", "203.0.113.5"));
    }
    scriptFinished();
    return thrown;
  }

  @Test
  void aModificationBeforeEndOfMessageIsAProtocolError() throws Exception {
    assertThat(connectFailure((in, out) -> write(out, MilterProtocol.SMFIR_ADDHEADER, payload("X-Early", "no"))))
        .isInstanceOf(IOException.class).hasMessage("unexpected reply 'h' to command 'C'");
  }

  @ParameterizedTest(name = "length {0}")
  @ValueSource(ints = {0, -1, 64 * 1024 * 1024 + 1, Integer.MAX_VALUE})
  void aFrameOfImpossibleLengthIsAClearError(int length) throws Exception {
    Throwable thrown = connectFailure((in, out) -> {
      out.writeInt(length);
      out.write('c');
      out.flush();
    });
    assertThat(thrown).isInstanceOf(IOException.class)
        .hasMessage("bad packet length " + length + " from the milter (allowed 1..67108864)");
  }

  @Test
  void aFrameCutShortByTheMilterIsAClearError() throws Exception {
    Throwable thrown = connectFailure((in, out) -> {
      out.writeInt(20);
      out.write('y');
      out.write("550 ".getBytes(StandardCharsets.US_ASCII));
      out.flush();
    });
    assertThat(thrown).isInstanceOf(EOFException.class).hasMessage("the milter closed the connection inside a packet of 20 bytes");
  }

  @Test
  void aMilterThatClosesBetweenPacketsIsReportedAsSuch() throws Exception {
    assertThat(connectFailure((in, out) -> { }))
        .isInstanceOf(EOFException.class).hasMessage("the milter closed the connection");
  }

  @Test
  void everyPacketIsFramedWithItsLengthAndCommand() throws Exception {
    List<Packet> seen = new ArrayList<>();
    ListenAddress address = start((in, out) -> {
      negotiate(in, out, MilterProtocol.NO_REPLY_FLAGS);
      for (int i = 0; i < 4; i++) {
        seen.add(read(in));
      }
    });
    try (MilterClient client = MilterClient.open(address, OPTIONS)) {
      assertThat(client.connect("client.example", "2001:db8::25")).isEqualTo(MilterReply.NONE);
      client.abort();
    }
    scriptFinished();
    assertThat(seen).extracting(Packet::code).containsExactly('D', 'C', 'A', 'Q');
    // host NUL, family '6', port (2 bytes), address NUL
    assertThat(seen.get(1).data())
        .containsExactly(concat(payload("client.example"), new byte[] {'6', 0x64, 0x64}, payload("2001:db8::25")));
    assertThat(seen.get(2).data()).isEmpty();
    assertThat(seen.get(3).data()).isEmpty();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      b.writeBytes(p);
    }
    return b.toByteArray();
  }
}
