package org.postseal.milter;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.postseal.config.ListenAddress;
import org.postseal.mail.HeaderField;
import org.postseal.mail.RawMessage;
import org.postseal.milter.client.Envelope;
import org.postseal.milter.client.MessageOutcome;
import org.postseal.milter.client.MilterClient;
import org.postseal.milter.client.MilterReply;
import org.postseal.milter.client.Modification;
import org.postseal.milter.client.Negotiated;

/**
 * The tests' MTA: the production {@link MilterClient} (which speaks the protocol like Postfix) with what
 * tests want on top: raw messages in, a 10 s read timeout, UTF-8 text, and outcomes that say what was
 * inserted and give the message as Postfix would deliver it ({@link MilterOutcome#applyTo}).
 * One FakeMta is one milter connection; it is not thread-safe. Use one per thread.
 */
public final class FakeMta implements Closeable {

  private final MilterClient client;

  private FakeMta(MilterClient client) {
    this.client = client;
  }

  /** Like Postfix (leading space and no-reply flags offered, 64 KiB chunks), 10 s per reply, UTF-8 text. */
  public static MilterClient.Options postfix() {
    return MilterClient.Options.postfix().withTimeout(Duration.ofSeconds(10)).withCharset(StandardCharsets.UTF_8);
  }

  /** A transaction from {@code clientIp}: sender@example.net to rcpt@example.org, not authenticated, a fresh queue id. */
  public static Envelope envelope(String clientIp) {
    return new Envelope("client.example", clientIp, "client.example", "<sender@example.net>", List.of("<rcpt@example.org>"),
        "", "Q" + Long.toHexString(System.nanoTime()).toUpperCase(Locale.ROOT));
  }

  /** Connects and negotiates options like Postfix. */
  public static FakeMta connect(InetSocketAddress milter) throws IOException {
    return connect(milter, postfix());
  }

  public static FakeMta connect(InetSocketAddress milter, MilterClient.Options options) throws IOException {
    return new FakeMta(MilterClient.open(new ListenAddress.Inet(milter.getHostString(), milter.getPort()), options));
  }

  /** Connects to a milter listening on a unix socket; reads have no timeout there: tests using it carry a JUnit {@code @Timeout}. */
  public static FakeMta connect(Path milterSocket) throws IOException {
    return new FakeMta(MilterClient.open(new ListenAddress.Unix(milterSocket), postfix()));
  }

  public Negotiated negotiated() {
    return client.negotiated();
  }

  /** Runs one whole transaction (connect and HELO first, the first time) and returns the milter's answer. */
  public MilterOutcome send(Envelope envelope, byte[] rawMessage) throws IOException {
    RawMessage message = RawMessage.parse(rawMessage);
    return new MilterOutcome(client.send(envelope, message.headers(), message.body()));
  }

  public MilterReply connect(String hostname, String ip) throws IOException {
    return client.connect(hostname, ip);
  }

  public MilterReply helo(String name) throws IOException {
    return client.helo(name);
  }

  public MilterReply mailFrom(String address, Map<String, String> macros) throws IOException {
    return client.mailFrom(address, macros);
  }

  public MilterReply rcptTo(String address) throws IOException {
    return client.rcptTo(address);
  }

  public MilterReply data(Map<String, String> macros) throws IOException {
    return client.data(macros);
  }

  /** One header field; {@code value} is everything after the colon as written, folds as CRLF. */
  public MilterReply header(String name, String value, Map<String, String> macros) throws IOException {
    return client.header(name, value, macros);
  }

  public MilterReply endOfHeaders(Map<String, String> macros) throws IOException {
    return client.endOfHeaders(macros);
  }

  /** The whole body in one chunk (at most 65535 bytes). */
  public MilterReply body(byte[] chunk, Map<String, String> macros) throws IOException {
    return client.body(chunk, 0, chunk.length, macros);
  }

  public MilterOutcome endOfMessage(Map<String, String> macros) throws IOException {
    return new MilterOutcome(client.endOfMessage(macros));
  }

  /** SMFIC_ABORT: no reply expected; the connection stays open for another message. */
  public void abort() throws IOException {
    client.abort();
  }

  /** True when the milter has not closed the connection (a read with a short timeout sees no end of stream). */
  public boolean isOpen() throws IOException {
    return client.isOpen();
  }

  /** Writes raw bytes, for protocol-abuse tests. */
  public void writeRaw(byte[] bytes) throws IOException {
    client.writeRaw(bytes);
  }

  /** Sends QUIT when the connection is still up, then closes the socket. */
  @Override
  public void close() {
    client.close();
  }

  /** Everything the milter answered to one message, with what tests ask of it. */
  public record MilterOutcome(MessageOutcome outcome) {

    /** The header edits, in order. */
    public List<Modification.HeaderChange> changes() {
      return outcome.headerChanges();
    }

    /** Quarantine, body replacement and envelope changes, in order. */
    public List<Modification> otherModifications() {
      return outcome.otherModifications();
    }

    public MilterReply reply() {
      return outcome.reply();
    }

    public Duration endOfMessageTime() {
      return outcome.endOfMessageTime();
    }

    /** The inserted fields named {@code name}, as they will appear in the message ("Name: value", CRLF folds). */
    public List<String> inserted(String name) {
      return outcome.headerChanges().stream()
          .filter(c -> c instanceof Modification.Insert i && i.name().equalsIgnoreCase(name))
          .map(c -> outcome.deliveredField(c).raw()).toList();
    }

    /** The value of the only inserted field called {@code name}, as delivered (leading space, CRLF folds). */
    public String insertedValue(String name) {
      List<String> fields = inserted(name);
      if (fields.size() != 1) {
        throw new AssertionError("expected one inserted " + name + ", got " + fields + " in " + outcome.modifications());
      }
      return fields.get(0).substring(name.length() + 1);
    }

    /** The message as Postfix would deliver it: header changes applied in order, body unchanged. */
    public byte[] applyTo(byte[] rawMessage) {
      RawMessage message = RawMessage.parse(rawMessage);
      ByteArrayOutputStream out = new ByteArrayOutputStream(rawMessage.length + 1024);
      for (HeaderField f : outcome.applyTo(message.headers())) {
        out.writeBytes((f.raw() + "\r\n").getBytes(StandardCharsets.UTF_8));
      }
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(message.body());
      return out.toByteArray();
    }
  }
}
