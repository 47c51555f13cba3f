package org.postseal.milter;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The MTA side of the milter protocol, written from the protocol description (not from jmilter's
 * client, which rejects an option negotiation reply that carries macro lists and leaks an event loop
 * per session), behaving like Postfix 3.x:
 *
 * <ul>
 *   <li>option negotiation offers protocol version 6, every action Postfix offers (0x1FF) and every
 *       protocol step; {@link Options} can withhold the leading-space and no-reply flags;</li>
 *   <li>steps the milter declined (SMFIP_NO*) are not sent, but their macros are; replies the milter
 *       declined (SMFIP_NR_*, SMFIP_NOHREPL) are not waited for;</li>
 *   <li>macros: when the milter sent macro lists, only the listed ones, per stage;</li>
 *   <li>headers: without SMFIP_HDR_LEADSPC one space after the colon is eaten; folds are sent as bare LF;</li>
 *   <li>the body goes in chunks of {@link Options#chunkSize} bytes (at most 65535), then end of message,
 *       and every modification up to the final reply is recorded.</li>
 * </ul>
 *
 * <p>{@link #send} runs a whole transaction from a raw message; {@link MilterOutcome#applyTo} applies the
 * recorded header changes the way Postfix's cleanup does, giving the message as it would be delivered.
 * One FakeMta is one milter connection; it is not thread-safe. Use one per thread.
 */
public final class FakeMta implements Closeable {

  // commands (MTA to milter)
  static final char SMFIC_ABORT = 'A';
  static final char SMFIC_BODY = 'B';
  static final char SMFIC_CONNECT = 'C';
  static final char SMFIC_MACRO = 'D';
  static final char SMFIC_BODYEOB = 'E';
  static final char SMFIC_HELO = 'H';
  static final char SMFIC_HEADER = 'L';
  static final char SMFIC_MAIL = 'M';
  static final char SMFIC_EOH = 'N';
  static final char SMFIC_OPTNEG = 'O';
  static final char SMFIC_QUIT = 'Q';
  static final char SMFIC_RCPT = 'R';
  static final char SMFIC_DATA = 'T';

  // protocol steps
  public static final int SMFIP_NOCONNECT = 0x1;
  public static final int SMFIP_NOHELO = 0x2;
  public static final int SMFIP_NOMAIL = 0x4;
  public static final int SMFIP_NORCPT = 0x8;
  public static final int SMFIP_NOBODY = 0x10;
  public static final int SMFIP_NOHDRS = 0x20;
  public static final int SMFIP_NOEOH = 0x40;
  public static final int SMFIP_NOHREPL = 0x80;
  public static final int SMFIP_NODATA = 0x200;
  public static final int SMFIP_NR_CONN = 0x1000;
  public static final int SMFIP_NR_HELO = 0x2000;
  public static final int SMFIP_NR_MAIL = 0x4000;
  public static final int SMFIP_NR_RCPT = 0x8000;
  public static final int SMFIP_NR_DATA = 0x10000;
  public static final int SMFIP_NR_EOH = 0x40000;
  public static final int SMFIP_NR_BODY = 0x80000;
  public static final int SMFIP_HDR_LEADSPC = 0x100000;
  /** Every no-reply flag. */
  public static final int NO_REPLY_FLAGS = SMFIP_NOHREPL | SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL | SMFIP_NR_RCPT
      | SMFIP_NR_DATA | 0x20000 | SMFIP_NR_EOH | SMFIP_NR_BODY;
  /** What Postfix 3.x offers with milter_protocol = 6 (MILTER8_V6_PROTO_MASK). */
  public static final int POSTFIX_V6_STEPS = 0x1FFFFF;
  /** SMFIF_ADDHDRS .. SMFIF_SETSYMLIST: what Postfix offers. */
  public static final int POSTFIX_ACTIONS = 0x1FF;

  /** How this MTA behaves. */
  public record Options(boolean leadingSpace, boolean noReply, int chunkSize, Duration timeout) {
    public Options {
      if (chunkSize < 1 || chunkSize > 65535) {
        throw new IllegalArgumentException("chunk size must be 1..65535, was " + chunkSize);
      }
    }

    /** Like Postfix: leading space and no-reply flags offered, 64 KiB chunks, 10 s per reply. */
    public static Options postfix() {
      return new Options(true, true, 65535, Duration.ofSeconds(10));
    }

    public Options withLeadingSpace(boolean value) {
      return new Options(value, noReply, chunkSize, timeout);
    }

    public Options withNoReply(boolean value) {
      return new Options(leadingSpace, value, chunkSize, timeout);
    }

    public Options withChunkSize(int value) {
      return new Options(leadingSpace, noReply, value, timeout);
    }

    public Options withTimeout(Duration value) {
      return new Options(leadingSpace, noReply, chunkSize, value);
    }

    int offeredSteps() {
      int steps = POSTFIX_V6_STEPS;
      if (!leadingSpace) {
        steps &= ~SMFIP_HDR_LEADSPC;
      }
      if (!noReply) {
        steps &= ~NO_REPLY_FLAGS;
      }
      return steps;
    }
  }

  /** What the milter answered to option negotiation. {@code macroLists} maps a stage (0..6) to its list. */
  public record Negotiated(int version, int actions, int steps, Map<Integer, String> macroLists) {
    public boolean has(int stepFlag) {
      return (steps & stepFlag) != 0;
    }
  }

  /** One packet from the milter. */
  public record Packet(char code, byte[] data) {
    /** The NUL-terminated strings of the payload, after {@code skip} leading bytes. */
    public List<String> strings(int skip) {
      List<String> out = new ArrayList<>();
      int start = skip;
      for (int i = skip; i < data.length; i++) {
        if (data[i] == 0) {
          out.add(new String(data, start, i - start, StandardCharsets.UTF_8));
          start = i + 1;
        }
      }
      if (start < data.length) {
        out.add(new String(data, start, data.length - start, StandardCharsets.UTF_8));
      }
      return out;
    }

    int index() {
      return ((data[0] & 0xFF) << 24) | ((data[1] & 0xFF) << 16) | ((data[2] & 0xFF) << 8) | (data[3] & 0xFF);
    }

    @Override
    public String toString() {
      return code + (data.length == 0 ? "" : " " + strings(0));
    }
  }

  /** A header change requested at end of message. */
  public sealed interface HeaderChange {
    /** SMFIR_INSHEADER: {@code index} 0 is the top. {@code value} as sent (jmilter adds the leading space with LEADSPC). */
    record Insert(int index, String name, String value) implements HeaderChange {
    }

    /** SMFIR_CHGHEADER: the {@code index}-th (1-based) field of that name; an empty value deletes it. */
    record Change(int index, String name, String value) implements HeaderChange {
      public boolean isDelete() {
        return value.isEmpty();
      }
    }

    /** SMFIR_ADDHEADER: append. */
    record Add(String name, String value) implements HeaderChange {
    }
  }

  /** The final reply to a message: its code and, for SMFIR_REPLYCODE, the SMTP text. */
  public record FinalReply(char code, String text) {
    public boolean isContinue() {
      return code == 'c';
    }

    public boolean isAccept() {
      return code == 'a';
    }

    /** 'y' with text such as "451 4.7.1 ...". */
    public Optional<Integer> smtpCode() {
      return code == 'y' && text.length() >= 3 ? Optional.of(Integer.parseInt(text.substring(0, 3))) : Optional.empty();
    }

    @Override
    public String toString() {
      return code == 'y' ? "reply " + text : switch (code) {
        case 'c' -> "continue";
        case 'a' -> "accept";
        case 'r' -> "reject";
        case 't' -> "tempfail";
        case 'd' -> "discard";
        default -> String.valueOf(code);
      };
    }
  }

  /**
   * Everything the milter answered at end of message.
   *
   * @param leadingSpace whether header values were negotiated to carry their leading space
   */
  public record MilterOutcome(List<HeaderChange> changes, List<Packet> otherModifications, FinalReply reply,
                              boolean leadingSpace, Duration endOfMessageTime) {

    /** The inserted fields named {@code name}, as they will appear in the message ("Name: value", CRLF folds). */
    public List<String> inserted(String name) {
      return changes.stream().filter(c -> c instanceof HeaderChange.Insert i && i.name().equalsIgnoreCase(name))
          .map(c -> (HeaderChange.Insert) c).map(i -> i.name() + ":" + deliveredValue(i.value())).toList();
    }

    /** The value of the only inserted field called {@code name}, as delivered (leading space, CRLF folds). */
    public String insertedValue(String name) {
      List<String> fields = inserted(name);
      if (fields.size() != 1) {
        throw new AssertionError("expected one inserted " + name + ", got " + fields + " in " + changes);
      }
      return fields.get(0).substring(name.length() + 1);
    }

    String deliveredValue(String sent) {
      // Postfix adds the space itself when leading space was not negotiated
      return (leadingSpace ? sent : " " + sent).replace("\n", "\r\n");
    }

    /** The message as Postfix would deliver it: header changes applied in order, body unchanged. */
    public byte[] applyTo(byte[] rawMessage) {
      RawMessage message = RawMessage.parse(rawMessage);
      List<String[]> fields = new ArrayList<>();
      for (RawMessage.Field f : message.fields()) {
        fields.add(new String[] {f.name(), f.value()});
      }
      for (HeaderChange change : changes) {
        if (change instanceof HeaderChange.Insert insert) {
          int at = Math.min(Math.max(insert.index(), 0), fields.size());
          fields.add(at, new String[] {insert.name(), deliveredValue(insert.value())});
        } else if (change instanceof HeaderChange.Add add) {
          fields.add(new String[] {add.name(), deliveredValue(add.value())});
        } else if (change instanceof HeaderChange.Change edit) {
          // Postfix counts among the fields as they are now, 1-based; index 0 means 1 (Sendmail compatibility)
          int wanted = Math.max(edit.index(), 1);
          int seen = 0;
          for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i)[0].equalsIgnoreCase(edit.name()) && ++seen == wanted) {
              if (edit.isDelete()) {
                fields.remove(i);
              } else {
                fields.set(i, new String[] {fields.get(i)[0], deliveredValue(edit.value())});
              }
              break;
            }
          }
        }
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream(rawMessage.length + 1024);
      for (String[] f : fields) {
        out.writeBytes((f[0] + ":" + f[1] + "\r\n").getBytes(StandardCharsets.UTF_8));
      }
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(message.body());
      return out.toByteArray();
    }
  }

  /**
   * The SMTP side of one message. Client host, IP and HELO describe the connection: {@link #send} uses
   * them on the first message of a connection only (one milter connection is one SMTP client), so an
   * inbound and an outbound message from different clients need two FakeMta connections.
   *
   * @param clientIp   the SMTP client (IPv4 or IPv6 literal)
   * @param authUser   the SASL login ({auth_authen}), empty when not authenticated
   * @param queueId    the queue id (macro i)
   */
  public record Envelope(String clientHost, String clientIp, String helo, String mailFrom, List<String> recipients,
                         String authUser, String queueId) {

    public static Envelope from(String clientIp) {
      return new Envelope("client.example", clientIp, "client.example", "<sender@example.net>", List.of("<rcpt@example.org>"),
          "", "Q" + Long.toHexString(System.nanoTime()).toUpperCase(Locale.ROOT));
    }

    public Envelope withAuthUser(String user) {
      return new Envelope(clientHost, clientIp, helo, mailFrom, recipients, user, queueId);
    }

    public Envelope withQueueId(String id) {
      return new Envelope(clientHost, clientIp, helo, mailFrom, recipients, authUser, id);
    }

    public Envelope withMailFrom(String address) {
      return new Envelope(clientHost, clientIp, helo, address, recipients, authUser, queueId);
    }
  }

  private final Options options;
  /** The TCP connection, or null on a unix socket (then {@link #unixChannel} is set). */
  private final Socket socket;
  private final java.nio.channels.SocketChannel unixChannel;
  private final DataInputStream in;
  private final DataOutputStream out;
  private final Negotiated negotiated;
  private boolean connected;

  private FakeMta(InetSocketAddress milter, Options options) throws IOException {
    this.options = options;
    this.socket = new Socket();
    this.unixChannel = null;
    socket.setTcpNoDelay(true);
    socket.connect(milter, (int) options.timeout().toMillis());
    socket.setSoTimeout((int) options.timeout().toMillis());
    this.in = new DataInputStream(socket.getInputStream());
    this.out = new DataOutputStream(new java.io.BufferedOutputStream(socket.getOutputStream(), 70_000));
    this.negotiated = negotiate();
  }

  /** On a unix socket reads have no timeout: tests using it carry a JUnit {@code @Timeout}. */
  private FakeMta(java.nio.file.Path milterSocket, Options options) throws IOException {
    this.options = options;
    this.socket = null;
    this.unixChannel = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(milterSocket));
    this.in = new DataInputStream(java.nio.channels.Channels.newInputStream(unixChannel));
    this.out = new DataOutputStream(new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(unixChannel),
        70_000));
    this.negotiated = negotiate();
  }

  /** Connects to a milter listening on a unix socket, as Postfix does for {@code unix:} milters. */
  public static FakeMta connect(java.nio.file.Path milterSocket) throws IOException {
    return new FakeMta(milterSocket, Options.postfix());
  }

  private boolean isClosed() {
    return socket != null ? socket.isClosed() : !unixChannel.isOpen();
  }

  private void closeTransport() throws IOException {
    if (socket != null) {
      socket.close();
    } else {
      unixChannel.close();
    }
  }

  /** Connects and negotiates options like Postfix. */
  public static FakeMta connect(InetSocketAddress milter) throws IOException {
    return connect(milter, Options.postfix());
  }

  public static FakeMta connect(InetSocketAddress milter, Options options) throws IOException {
    return new FakeMta(milter, options);
  }

  public Negotiated negotiated() {
    return negotiated;
  }

  private Negotiated negotiate() throws IOException {
    ByteArrayOutputStream payload = new ByteArrayOutputStream();
    writeInt(payload, 6);
    writeInt(payload, POSTFIX_ACTIONS);
    writeInt(payload, options.offeredSteps());
    write(SMFIC_OPTNEG, payload.toByteArray());
    Packet reply = read();
    if (reply.code() != SMFIC_OPTNEG || reply.data().length < 12) {
      throw new IOException("unexpected option negotiation reply " + reply);
    }
    byte[] d = reply.data();
    int version = intAt(d, 0);
    int actions = intAt(d, 4);
    int steps = intAt(d, 8);
    if ((actions & POSTFIX_ACTIONS) != actions) {
      throw new IOException("milter asks for actions 0x" + Integer.toHexString(actions) + " beyond what we offered");
    }
    Map<Integer, String> lists = new LinkedHashMap<>();
    int i = 12;
    while (i + 4 < d.length) {
      int stage = intAt(d, i);
      int end = i + 4;
      while (end < d.length && d[end] != 0) {
        end++;
      }
      lists.put(stage, new String(d, i + 4, end - i - 4, StandardCharsets.UTF_8));
      i = end + 1;
    }
    return new Negotiated(version, actions, steps, Map.copyOf(lists));
  }

  /** Runs one whole transaction (connect and HELO first, the first time) and returns the end-of-message answer. */
  public MilterOutcome send(Envelope envelope, byte[] rawMessage) throws IOException {
    if (!connected) {
      connect(envelope.clientHost(), envelope.clientIp());
      helo(envelope.helo());
      connected = true;
    }
    Map<String, String> mailMacros = new HashMap<>();
    if (!envelope.authUser().isEmpty()) {
      mailMacros.put("{auth_authen}", envelope.authUser());
      mailMacros.put("{auth_type}", "PLAIN");
    }
    mailFrom(envelope.mailFrom(), mailMacros);
    for (String rcpt : envelope.recipients()) {
      rcptTo(rcpt);
    }
    Map<String, String> queueMacro = Map.of("i", envelope.queueId());
    data(queueMacro);
    RawMessage message = RawMessage.parse(rawMessage);
    for (RawMessage.Field field : message.fields()) {
      header(field.name(), field.value(), queueMacro);
    }
    endOfHeaders(queueMacro);
    byte[] body = message.body();
    for (int offset = 0; offset < body.length; offset += options.chunkSize()) {
      body(Arrays.copyOfRange(body, offset, Math.min(body.length, offset + options.chunkSize())), queueMacro);
    }
    return endOfMessage(queueMacro);
  }

  /** SMFIC_CONNECT with the connect macros Postfix would send for this client. */
  public Optional<Packet> connect(String hostname, String ip) throws IOException {
    Map<String, String> macros = new HashMap<>();
    macros.put("j", "mta.postseal.test");
    macros.put("{daemon_name}", "smtpd");
    macros.put("{client_addr}", ip);
    macros.put("{client_name}", hostname);
    macro(SMFIC_CONNECT, 0, macros);
    ByteArrayOutputStream payload = new ByteArrayOutputStream();
    writeString(payload, hostname);
    boolean v6 = ip.indexOf(':') >= 0;
    payload.write(v6 ? '6' : '4');
    payload.write(0x64); // port 25700: any client port
    payload.write(0x64);
    writeString(payload, ip);
    return step(SMFIC_CONNECT, SMFIP_NOCONNECT, SMFIP_NR_CONN, payload.toByteArray());
  }

  public Optional<Packet> helo(String name) throws IOException {
    macro(SMFIC_HELO, 1, Map.of());
    ByteArrayOutputStream payload = new ByteArrayOutputStream();
    writeString(payload, name);
    return step(SMFIC_HELO, SMFIP_NOHELO, SMFIP_NR_HELO, payload.toByteArray());
  }

  public Optional<Packet> mailFrom(String address, Map<String, String> macros) throws IOException {
    macro(SMFIC_MAIL, 2, macros);
    ByteArrayOutputStream payload = new ByteArrayOutputStream();
    writeString(payload, address);
    return step(SMFIC_MAIL, SMFIP_NOMAIL, SMFIP_NR_MAIL, payload.toByteArray());
  }

  public Optional<Packet> rcptTo(String address) throws IOException {
    macro(SMFIC_RCPT, 3, Map.of("{rcpt_addr}", address));
    ByteArrayOutputStream payload = new ByteArrayOutputStream();
    writeString(payload, address);
    return step(SMFIC_RCPT, SMFIP_NORCPT, SMFIP_NR_RCPT, payload.toByteArray());
  }

  public Optional<Packet> data(Map<String, String> macros) throws IOException {
    macro(SMFIC_DATA, 4, macros);
    return step(SMFIC_DATA, SMFIP_NODATA, SMFIP_NR_DATA, new byte[0]);
  }

  /**
   * One header field; {@code value} is everything after the colon as written in the message, folds as
   * CRLF. Sent the way Postfix does: LF folds, and one leading space eaten unless leading space was
   * negotiated.
   */
  public Optional<Packet> header(String name, String value, Map<String, String> macros) throws IOException {
    macro(SMFIC_HEADER, 6, macros);
    String sent = value.replace("\r\n", "\n");
    if (!negotiated.has(SMFIP_HDR_LEADSPC) && sent.startsWith(" ")) {
      sent = sent.substring(1);
    }
    ByteArrayOutputStream payload = new ByteArrayOutputStream();
    writeString(payload, name);
    writeString(payload, sent);
    return step(SMFIC_HEADER, SMFIP_NOHDRS, SMFIP_NOHREPL, payload.toByteArray());
  }

  public Optional<Packet> endOfHeaders(Map<String, String> macros) throws IOException {
    macro(SMFIC_EOH, 6, macros);
    return step(SMFIC_EOH, SMFIP_NOEOH, SMFIP_NR_EOH, new byte[0]);
  }

  public Optional<Packet> body(byte[] chunk, Map<String, String> macros) throws IOException {
    macro(SMFIC_BODY, 5, macros);
    return step(SMFIC_BODY, SMFIP_NOBODY, SMFIP_NR_BODY, chunk);
  }

  /** End of message: reads modifications until the final reply. */
  public MilterOutcome endOfMessage(Map<String, String> macros) throws IOException {
    macro(SMFIC_BODYEOB, 5, macros);
    long start = System.nanoTime();
    write(SMFIC_BODYEOB, new byte[0]);
    List<HeaderChange> changes = new ArrayList<>();
    List<Packet> other = new ArrayList<>();
    while (true) {
      Packet p = read();
      switch (p.code()) {
        case 'p' -> {
          // progress: keep waiting
        }
        case 'i' -> {
          List<String> s = p.strings(4);
          changes.add(new HeaderChange.Insert(p.index(), s.get(0), s.size() > 1 ? s.get(1) : ""));
        }
        case 'm' -> {
          List<String> s = p.strings(4);
          changes.add(new HeaderChange.Change(p.index(), s.get(0), s.size() > 1 ? s.get(1) : ""));
        }
        case 'h' -> {
          List<String> s = p.strings(0);
          changes.add(new HeaderChange.Add(s.get(0), s.size() > 1 ? s.get(1) : ""));
        }
        case 'a', 'c', 'd', 'r', 't', 'f' -> {
          return new MilterOutcome(List.copyOf(changes), List.copyOf(other), new FinalReply(p.code(), ""),
              negotiated.has(SMFIP_HDR_LEADSPC), Duration.ofNanos(System.nanoTime() - start));
        }
        case 'y' -> {
          return new MilterOutcome(List.copyOf(changes), List.copyOf(other),
              new FinalReply('y', p.strings(0).isEmpty() ? "" : p.strings(0).get(0)),
              negotiated.has(SMFIP_HDR_LEADSPC), Duration.ofNanos(System.nanoTime() - start));
        }
        default -> other.add(p);
      }
    }
  }

  /** SMFIC_ABORT: no reply expected; the connection stays open for another message. */
  public void abort() throws IOException {
    write(SMFIC_ABORT, new byte[0]);
  }

  /** SMFIC_QUIT, then closes the socket. */
  public void quit() throws IOException {
    try {
      write(SMFIC_QUIT, new byte[0]);
    } finally {
      closeTransport();
    }
  }

  /** True when the milter has not closed the connection (a read with a short timeout sees no EOF). */
  public boolean isOpen() throws IOException {
    if (isClosed()) {
      return false;
    }
    if (socket == null) {
      throw new IllegalStateException("isOpen needs a read timeout, which a unix socket channel has not");
    }
    int saved = socket.getSoTimeout();
    socket.setSoTimeout(100);
    try {
      int b = socket.getInputStream().read();
      if (b < 0) {
        socket.close();
        return false;
      }
      throw new IOException("unexpected byte from the milter: " + b);
    } catch (SocketTimeoutException e) {
      return true;
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().contains("unexpected byte")) {
        throw e;
      }
      return false;
    } finally {
      if (!socket.isClosed()) {
        socket.setSoTimeout(saved);
      }
    }
  }

  /** Writes raw bytes, for protocol-abuse tests. */
  public void writeRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Sends QUIT when the connection is still up, then closes the socket; a connection the milter dropped closes quietly. */
  @Override
  public void close() throws IOException {
    if (!isClosed()) {
      try {
        quit();
      } catch (IOException e) {
        closeTransport();
      }
    }
  }

  private Optional<Packet> step(char command, int noStepFlag, int noReplyFlag, byte[] payload) throws IOException {
    if (negotiated.has(noStepFlag)) {
      return Optional.empty();
    }
    write(command, payload);
    if (negotiated.has(noReplyFlag)) {
      return Optional.empty();
    }
    Packet reply = read();
    if ("acdrtyf".indexOf(reply.code()) < 0) {
      throw new IOException("unexpected reply to '" + command + "': " + reply);
    }
    return Optional.of(reply);
  }

  /** Sends the macros of one stage, filtered by the milter's list for that stage when it sent lists. */
  private void macro(char command, int stage, Map<String, String> macros) throws IOException {
    Map<String, String> sent = new LinkedHashMap<>();
    if (negotiated.macroLists().isEmpty()) {
      sent.putAll(macros);
    } else {
      String list = negotiated.macroLists().getOrDefault(stage, "");
      List<String> wanted = Arrays.asList(list.split(" "));
      macros.forEach((k, v) -> {
        if (wanted.contains(k)) {
          sent.put(k, v);
        }
      });
    }
    ByteArrayOutputStream payload = new ByteArrayOutputStream();
    payload.write(command);
    sent.forEach((k, v) -> {
      writeString(payload, k);
      writeString(payload, v);
    });
    write(SMFIC_MACRO, payload.toByteArray());
  }

  private void write(char command, byte[] payload) throws IOException {
    out.writeInt(payload.length + 1);
    out.write(command);
    out.write(payload);
    out.flush();
  }

  private Packet read() throws IOException {
    int length;
    try {
      length = in.readInt();
    } catch (EOFException e) {
      throw new EOFException("the milter closed the connection");
    }
    if (length < 1 || length > 16 * 1024 * 1024) {
      throw new IOException("bad packet length " + length);
    }
    char code = (char) in.readUnsignedByte();
    byte[] data = new byte[length - 1];
    in.readFully(data);
    return new Packet(code, data);
  }

  private static void writeString(ByteArrayOutputStream out, String s) {
    out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    out.write(0);
  }

  private static void writeInt(ByteArrayOutputStream out, int v) {
    out.write(v >>> 24);
    out.write(v >>> 16);
    out.write(v >>> 8);
    out.write(v);
  }

  private static int intAt(byte[] d, int offset) {
    return ((d[offset] & 0xFF) << 24) | ((d[offset + 1] & 0xFF) << 16) | ((d[offset + 2] & 0xFF) << 8) | (d[offset + 3] & 0xFF);
  }
}
