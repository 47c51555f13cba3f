package org.postseal.milter.client;

import static org.postseal.milter.client.MilterProtocol.*;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postseal.config.ListenAddress;
import org.postseal.mail.EnvelopeAddress;
import org.postseal.mail.HeaderField;

/**
 * One milter connection, MTA side, written from the protocol description and Postfix's milter8.c (not
 * from jmilter's client, which rejects an option negotiation reply that carries macro lists and leaks an
 * event loop per session). It behaves like Postfix 3.x with {@code milter_protocol = 6}:
 *
 * <ul>
 *   <li>option negotiation offers version 6, every action Postfix offers (0x1FF) and every protocol step;
 *       {@link Options} can withhold the leading-space and no-reply flags. A milter asking for more
 *       actions is refused, as Postfix refuses it;</li>
 *   <li>steps the milter declined (SMFIP_NO*) are not sent, but their macros are; replies it declined
 *       (SMFIP_NR_*, SMFIP_NOHREPL) are not waited for; SMFIR_PROGRESS is waited through at every step;</li>
 *   <li>macros go before every step, even an empty set. A stage the milter listed at option negotiation
 *       gets only the listed macros; any other stage gets the defaults (milter8.c falls back to the
 *       main.cf lists for a stage the milter left empty);</li>
 *   <li>headers: folds go as bare LF and, without SMFIP_HDR_LEADSPC, the one space after the colon is
 *       eaten (Sendmail compatibility);</li>
 *   <li>the body goes in chunks of at most {@link Options#chunkSize} bytes, then end of message, and every
 *       modification up to the final reply is recorded.</li>
 * </ul>
 *
 * <p>Every packet is written and flushed on its own (one write per packet, TCP_NODELAY), as Postfix does,
 * so that a milter that reacts badly to small writes is measured as it behaves behind Postfix. Strings
 * travel in {@link Options#charset}: ISO-8859-1 sends message bytes exactly as read.
 *
 * <p>Not thread-safe: one client per thread. Only {@link #disconnect} and {@link #waitingSinceNanos} may
 * be called from another thread, so that a watchdog can end a read from a milter that stopped answering
 * (a unix socket has no read timeout).
 */
public final class MilterClient implements Closeable {

  /** The largest packet we read: a body replacement chunk is the largest a milter sends. */
  static final int MAX_PACKET = 64 * 1024 * 1024;
  /** The MTA's own name (macro j). */
  private static final String MTA_NAME = "mta.postseal.test";
  private static final byte[] EMPTY = new byte[0];

  /**
   * How this MTA behaves.
   *
   * @param leadingSpace offer SMFIP_HDR_LEADSPC
   * @param noReply      offer the no-reply flags
   * @param chunkSize    body bytes per packet, 1..65535
   * @param timeout      per connect and per read on TCP; zero waits for ever
   * @param charset      how strings (header fields, macros, addresses, replies) are encoded on the wire
   */
  public record Options(boolean leadingSpace, boolean noReply, int chunkSize, Duration timeout, Charset charset) {
    public Options {
      if (chunkSize < 1 || chunkSize > MAX_CHUNK) {
        throw new IllegalArgumentException("chunk size must be 1.." + MAX_CHUNK + ", was " + chunkSize);
      }
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
      }
    }

    /** Like Postfix: leading space and no-reply flags offered, 64 KiB chunks, no read timeout, ISO-8859-1. */
    public static Options postfix() {
      return new Options(true, true, MAX_CHUNK, Duration.ZERO, StandardCharsets.ISO_8859_1);
    }

    public Options withLeadingSpace(boolean value) {
      return new Options(value, noReply, chunkSize, timeout, charset);
    }

    public Options withNoReply(boolean value) {
      return new Options(leadingSpace, value, chunkSize, timeout, charset);
    }

    public Options withChunkSize(int value) {
      return new Options(leadingSpace, noReply, value, timeout, charset);
    }

    public Options withTimeout(Duration value) {
      return new Options(leadingSpace, noReply, chunkSize, value, charset);
    }

    public Options withCharset(Charset value) {
      return new Options(leadingSpace, noReply, chunkSize, timeout, value);
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

  private final Options options;
  /** The TCP connection, or null on a unix socket (then {@link #unixChannel} is set). */
  private final Socket socket;
  private final SocketChannel unixChannel;
  private final DataInputStream in;
  private final DataOutputStream out;
  /** Reused for every packet we build; the body is written from the caller's array. */
  private final PacketBuilder payload = new PacketBuilder();
  private final Negotiated negotiated;
  /** The macro names the milter listed, per stage; a stage it did not list is absent. */
  private final Map<Integer, List<String>> macroLists = new LinkedHashMap<>();
  private boolean greeted;
  /** System.nanoTime() when a read started, 0 when not waiting. */
  private volatile long waitingSinceNanos;

  private MilterClient(Options options, Socket socket, SocketChannel unixChannel, InputStream in, OutputStream out)
      throws IOException {
    this.options = options;
    this.socket = socket;
    this.unixChannel = unixChannel;
    this.in = new DataInputStream(new BufferedInputStream(in, 16 * 1024));
    // room for the largest body packet, so that each packet leaves in one write
    this.out = new DataOutputStream(new BufferedOutputStream(out, MAX_CHUNK + 64));
    this.negotiated = negotiate();
  }

  /** Connects and negotiates options. */
  public static MilterClient open(ListenAddress target, Options options) throws IOException {
    if (target instanceof ListenAddress.Unix unix) {
      SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
      try {
        channel.connect(UnixDomainSocketAddress.of(unix.path()));
        return new MilterClient(options, null, channel, Channels.newInputStream(channel), Channels.newOutputStream(channel));
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    }
    ListenAddress.Inet inet = (ListenAddress.Inet) target;
    Socket socket = new Socket();
    try {
      int millis = (int) Math.min(options.timeout().toMillis(), Integer.MAX_VALUE);
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(inet.host(), inet.port()), millis);
      socket.setSoTimeout(millis);
      return new MilterClient(options, socket, null, socket.getInputStream(), socket.getOutputStream());
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  public Negotiated negotiated() {
    return negotiated;
  }

  /** True when the milter asked for header values with their leading space (SMFIP_HDR_LEADSPC). */
  public boolean hasLeadingSpace() {
    return negotiated.has(SMFIP_HDR_LEADSPC);
  }

  /** When the read in progress started (System.nanoTime()), 0 when none is; any thread may ask. */
  public long waitingSinceNanos() {
    return waitingSinceNanos;
  }

  private Negotiated negotiate() throws IOException {
    payload.reset().putInt(6).putInt(POSTFIX_ACTIONS).putInt(options.offeredSteps());
    write(SMFIC_OPTNEG);
    Packet reply = read();
    byte[] d = reply.data();
    if (reply.code() != SMFIC_OPTNEG || d.length < 12) {
      throw new IOException("unexpected option negotiation reply '" + reply.code() + "' of " + d.length + " bytes");
    }
    int version = intAt(d, 0);
    int actions = intAt(d, 4);
    int steps = intAt(d, 8);
    if (version > 6) {
      throw new IOException("milter speaks protocol version " + version + ", we offered 6"); // Postfix refuses it too
    }
    if ((actions & POSTFIX_ACTIONS) != actions) {
      // Postfix refuses such a milter too
      throw new IOException("milter asks for actions 0x" + Integer.toHexString(actions) + " beyond 0x1ff");
    }
    Map<Integer, String> lists = new LinkedHashMap<>();
    int i = 12;
    while (i + 4 < d.length) {
      int stage = intAt(d, i);
      int end = i + 4;
      while (end < d.length && d[end] != 0) {
        end++;
      }
      String list = new String(d, i + 4, end - i - 4, options.charset());
      lists.put(stage, list);
      if (!list.isBlank()) {
        macroLists.put(stage, Arrays.asList(list.trim().split("\\s+")));
      }
      i = end + 1;
    }
    return new Negotiated(version, actions, steps, Map.copyOf(lists));
  }

  /**
   * SMFIC_CONNECT and SMFIC_HELO. Returns the reply that decided the session, else the last reply
   * ({@link MilterReply#NONE} when neither step was answered).
   */
  public MilterReply greet(String clientHost, String clientIp, String helo) throws IOException {
    greeted = true;
    MilterReply connected = connect(clientHost, clientIp);
    if (connected.endsTransaction()) {
      return connected;
    }
    MilterReply greeting = helo(helo);
    return greeting == MilterReply.NONE ? connected : greeting;
  }

  /** SMFIC_CONNECT with the connect macros Postfix sends for this client. */
  public MilterReply connect(String clientHost, String clientIp) throws IOException {
    Map<String, String> macros = new LinkedHashMap<>();
    macros.put("j", MTA_NAME);
    macros.put("{daemon_name}", "smtpd");
    macros.put("{client_addr}", clientIp);
    macros.put("{client_name}", clientHost);
    macros.put("{client_ptr}", clientHost);
    macro(SMFIC_CONNECT, SMFIM_CONNECT, macros);
    payload.reset().putString(clientHost, options.charset());
    payload.putByte(clientIp.indexOf(':') >= 0 ? '6' : '4').putByte(0x64).putByte(0x64); // port 25700: any client port
    payload.putString(clientIp, options.charset());
    return step(SMFIC_CONNECT, SMFIP_NOCONNECT, SMFIP_NR_CONN);
  }

  public MilterReply helo(String name) throws IOException {
    macro(SMFIC_HELO, SMFIM_HELO, Map.of());
    payload.reset().putString(name, options.charset());
    return step(SMFIC_HELO, SMFIP_NOHELO, SMFIP_NR_HELO);
  }

  /** SMFIC_MAIL; {@code address} in angle brackets. */
  public MilterReply mailFrom(String address, Map<String, String> macros) throws IOException {
    macro(SMFIC_MAIL, SMFIM_ENVFROM, macros);
    payload.reset().putString(address, options.charset());
    return step(SMFIC_MAIL, SMFIP_NOMAIL, SMFIP_NR_MAIL);
  }

  /** SMFIC_RCPT; {@code address} in angle brackets. */
  public MilterReply rcptTo(String address) throws IOException {
    macro(SMFIC_RCPT, SMFIM_ENVRCPT, Map.of("{rcpt_addr}", EnvelopeAddress.parse(address).text()));
    payload.reset().putString(address, options.charset());
    return step(SMFIC_RCPT, SMFIP_NORCPT, SMFIP_NR_RCPT);
  }

  public MilterReply data(Map<String, String> macros) throws IOException {
    macro(SMFIC_DATA, SMFIM_DATA, macros);
    payload.reset();
    return step(SMFIC_DATA, SMFIP_NODATA, SMFIP_NR_DATA);
  }

  /**
   * One header field; {@code value} is everything after the colon as written in the message, folds as
   * CRLF. Sent the way Postfix does: LF folds, and one leading space eaten unless leading space was
   * negotiated.
   */
  public MilterReply header(String name, String value, Map<String, String> macros) throws IOException {
    macro(SMFIC_HEADER, SMFIM_EOH, macros);
    String sent = value.replace("\r\n", "\n");
    if (!hasLeadingSpace() && sent.startsWith(" ")) {
      sent = sent.substring(1);
    }
    payload.reset().putString(name, options.charset()).putString(sent, options.charset());
    return step(SMFIC_HEADER, SMFIP_NOHDRS, SMFIP_NOHREPL);
  }

  public MilterReply endOfHeaders(Map<String, String> macros) throws IOException {
    macro(SMFIC_EOH, SMFIM_EOH, macros);
    payload.reset();
    return step(SMFIC_EOH, SMFIP_NOEOH, SMFIP_NR_EOH);
  }

  /** One body chunk of at most 65535 bytes, written from {@code body} without a copy. */
  public MilterReply body(byte[] body, int offset, int length, Map<String, String> macros) throws IOException {
    if (length > MAX_CHUNK) {
      throw new IllegalArgumentException("a body chunk holds at most " + MAX_CHUNK + " bytes, was " + length);
    }
    macro(SMFIC_BODY, SMFIM_EOM, macros);
    if (negotiated.has(SMFIP_NOBODY)) {
      return MilterReply.NONE;
    }
    writePacket(SMFIC_BODY, body, offset, length);
    return negotiated.has(SMFIP_NR_BODY) ? MilterReply.NONE : reply(SMFIC_BODY);
  }

  /** End of message: reads modifications until the final reply. */
  public MessageOutcome endOfMessage(Map<String, String> macros) throws IOException {
    macro(SMFIC_BODYEOB, SMFIM_EOM, macros);
    long start = System.nanoTime();
    payload.reset();
    write(SMFIC_BODYEOB);
    List<Modification> modifications = new ArrayList<>();
    while (true) {
      Packet p = read();
      MilterReply end = finalReply(p);
      if (end != null) {
        return new MessageOutcome(List.copyOf(modifications), end, true, hasLeadingSpace(), System.nanoTime() - start);
      }
      switch (p.code()) {
        case SMFIR_PROGRESS -> {
          // the milter is still working: keep waiting
        }
        case SMFIR_INSHEADER -> modifications.add(new Modification.Insert(p.index(), p.string(4, 0), p.string(4, 1)));
        case SMFIR_CHGHEADER -> modifications.add(new Modification.Change(p.index(), p.string(4, 0), p.string(4, 1)));
        case SMFIR_ADDHEADER -> modifications.add(new Modification.Add(p.string(0, 0), p.string(0, 1)));
        case SMFIR_REPLBODY -> modifications.add(new Modification.ReplaceBody(p.data()));
        case SMFIR_QUARANTINE -> modifications.add(new Modification.Quarantine(p.string(0, 0)));
        default -> modifications.add(new Modification.Other(p.code(), p.strings(0)));
      }
    }
  }

  /**
   * One whole transaction, MAIL FROM to the final reply, with connect and HELO first on a connection not
   * yet greeted. A step answered with anything but continue ends the transaction early, as in Postfix:
   * the outcome carries that reply and no modifications.
   */
  public MessageOutcome send(Envelope envelope, List<HeaderField> header, byte[] body) throws IOException {
    if (!greeted) {
      MilterReply greeting = greet(envelope.clientHost(), envelope.clientIp(), envelope.helo());
      if (greeting.endsTransaction()) {
        return MessageOutcome.early(greeting);
      }
    }
    Map<String, String> mailMacros = new LinkedHashMap<>();
    mailMacros.put("{mail_addr}", EnvelopeAddress.parse(envelope.mailFrom()).text());
    if (!envelope.authUser().isEmpty()) {
      mailMacros.put("{auth_type}", "PLAIN");
      mailMacros.put("{auth_authen}", envelope.authUser());
    }
    MilterReply reply = mailFrom(envelope.mailFrom(), mailMacros);
    if (reply.endsTransaction()) {
      return MessageOutcome.early(reply);
    }
    for (String recipient : envelope.recipients()) {
      reply = rcptTo(recipient);
      if (reply.endsTransaction()) {
        return MessageOutcome.early(reply);
      }
    }
    // Postfix assigns the queue id (macro i) at DATA by default (smtpd_delay_open_until_valid_rcpt)
    Map<String, String> queueMacro = Map.of("i", envelope.queueId());
    reply = data(queueMacro);
    if (reply.endsTransaction()) {
      return MessageOutcome.early(reply);
    }
    for (HeaderField field : header) {
      reply = header(field.name(), field.value(), queueMacro);
      if (reply.endsTransaction()) {
        return MessageOutcome.early(reply);
      }
    }
    reply = endOfHeaders(queueMacro);
    if (reply.endsTransaction()) {
      return MessageOutcome.early(reply);
    }
    if (!negotiated.has(SMFIP_NOBODY)) {
      for (int offset = 0; offset < body.length; offset += options.chunkSize()) {
        reply = body(body, offset, Math.min(options.chunkSize(), body.length - offset), queueMacro);
        if (reply.code() == SMFIR_SKIP) {
          break; // the milter has seen enough of the body
        }
        if (reply.endsTransaction()) {
          return MessageOutcome.early(reply);
        }
      }
    }
    return endOfMessage(queueMacro);
  }

  /** SMFIC_ABORT: no reply expected; the connection stays open for another transaction. */
  public void abort() throws IOException {
    payload.reset();
    write(SMFIC_ABORT);
  }

  /** SMFIC_QUIT (no reply), then closes the connection. */
  public void quit() throws IOException {
    try {
      payload.reset();
      write(SMFIC_QUIT);
    } finally {
      disconnect();
    }
  }

  /** Sends QUIT when the connection is still up, then closes it; a connection the milter dropped closes quietly. */
  @Override
  public void close() {
    if (!isClosed()) {
      try {
        quit();
      } catch (IOException e) {
        // the milter has gone already: nothing to tell it, and quit() closed the socket
      }
    }
  }

  /** Closes the connection without QUIT. Any thread may call it: a read in progress then fails. */
  public void disconnect() {
    try {
      if (socket != null) {
        socket.close();
      } else {
        unixChannel.close();
      }
    } catch (IOException e) {
      // closing a socket that failed: nothing left to do
    }
  }

  private boolean isClosed() {
    return socket != null ? socket.isClosed() : !unixChannel.isOpen();
  }

  /**
   * True when the milter has not closed the connection: a read of up to 100 ms sees no end of stream.
   * TCP only (a unix socket channel has no read timeout). Call it between transactions, when the milter
   * owes no reply.
   */
  public boolean isOpen() throws IOException {
    if (isClosed()) {
      return false;
    }
    if (socket == null) {
      throw new IllegalStateException("isOpen needs a read timeout, which a unix socket channel has not");
    }
    int saved = socket.getSoTimeout();
    socket.setSoTimeout(100);
    int b;
    try {
      b = in.read();
    } catch (SocketTimeoutException e) {
      return true;
    } catch (IOException e) {
      return false; // reset by the milter
    } finally {
      if (!socket.isClosed()) {
        socket.setSoTimeout(saved);
      }
    }
    if (b < 0) {
      disconnect();
      return false;
    }
    throw new IOException("unexpected byte from the milter between transactions: " + b);
  }

  /** Writes raw bytes as they are, for protocol-abuse tests. */
  public void writeRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Sends a step built in {@link #payload} unless declined; returns its reply, or NONE when none is expected. */
  private MilterReply step(char command, int noStepFlag, int noReplyFlag) throws IOException {
    if (negotiated.has(noStepFlag)) {
      return MilterReply.NONE;
    }
    write(command);
    if (negotiated.has(noReplyFlag)) {
      return MilterReply.NONE;
    }
    return reply(command);
  }

  /** Reads the reply to a step before end of message: progress is waited through, modifications are not allowed. */
  private MilterReply reply(char command) throws IOException {
    while (true) {
      Packet p = read();
      if (p.code() == SMFIR_PROGRESS) {
        continue;
      }
      MilterReply reply = finalReply(p);
      if (reply == null) {
        throw new IOException("unexpected reply '" + p.code() + "' to command '" + command + "'");
      }
      return reply;
    }
  }

  /** The reply that ends a step, or null when {@code p} is progress or a modification. */
  private MilterReply finalReply(Packet p) {
    return switch (p.code()) {
      case SMFIR_ACCEPT, SMFIR_CONTINUE, SMFIR_DISCARD, SMFIR_REJECT, SMFIR_TEMPFAIL, SMFIR_CONN_FAIL, SMFIR_SKIP,
          SMFIR_SHUTDOWN -> MilterReply.of(p.code());
      case SMFIR_REPLYCODE -> new MilterReply(SMFIR_REPLYCODE, p.string(0, 0));
      default -> null;
    };
  }

  /** Sends the macros of one stage (even none, as Postfix does), filtered by the milter's list for that stage. */
  private void macro(char command, int stage, Map<String, String> macros) throws IOException {
    payload.reset().putByte(command);
    List<String> wanted = macroLists.get(stage);
    for (Map.Entry<String, String> e : macros.entrySet()) {
      if (wanted == null || isListed(wanted, e.getKey())) {
        payload.putString(e.getKey(), options.charset()).putString(e.getValue(), options.charset());
      }
    }
    write(SMFIC_MACRO);
  }

  /** A macro is listed with or without its braces: "{client_addr}" and "client_addr" name the same one. */
  private static boolean isListed(List<String> wanted, String name) {
    return wanted.contains(name) || (name.startsWith("{") && wanted.contains(name.substring(1, name.length() - 1)));
  }

  private void write(char command) throws IOException {
    writePacket(command, payload.bytes(), 0, payload.size());
  }

  /** One packet: length, command, data; flushed on its own, so one write per packet. */
  private void writePacket(char command, byte[] data, int offset, int length) throws IOException {
    out.writeInt(length + 1);
    out.write(command);
    out.write(data, offset, length);
    out.flush();
  }

  private Packet read() throws IOException {
    waitingSinceNanos = System.nanoTime();
    try {
      int length;
      try {
        length = in.readInt();
      } catch (EOFException e) {
        throw new EOFException("the milter closed the connection");
      }
      if (length < 1 || length > MAX_PACKET) {
        throw new IOException("bad packet length " + length + " from the milter (allowed 1.." + MAX_PACKET + ")");
      }
      try {
        char code = (char) in.readUnsignedByte();
        byte[] data = length == 1 ? EMPTY : new byte[length - 1];
        in.readFully(data);
        return new Packet(code, data, options.charset());
      } catch (EOFException e) {
        throw new EOFException("the milter closed the connection inside a packet of " + length + " bytes");
      }
    } finally {
      waitingSinceNanos = 0;
    }
  }

  private static int intAt(byte[] d, int offset) {
    return ((d[offset] & 0xFF) << 24) | ((d[offset + 1] & 0xFF) << 16) | ((d[offset + 2] & 0xFF) << 8) | (d[offset + 3] & 0xFF);
  }

  /** One packet from the milter. */
  private record Packet(char code, byte[] data, Charset charset) {
    /** The NUL-terminated strings of the payload after {@code skip} bytes. */
    List<String> strings(int skip) {
      List<String> out = new ArrayList<>();
      int start = skip;
      for (int i = skip; i < data.length; i++) {
        if (data[i] == 0) {
          out.add(new String(data, start, i - start, charset));
          start = i + 1;
        }
      }
      if (start < data.length) {
        out.add(new String(data, start, data.length - start, charset));
      }
      return out;
    }

    /** The {@code n}-th string after {@code skip} bytes, empty when the payload has fewer. */
    String string(int skip, int n) {
      List<String> all = strings(skip);
      return n < all.size() ? all.get(n) : "";
    }

    /** The index that leads an insert or change header packet. */
    int index() throws IOException {
      if (data.length < 4) {
        throw new IOException("'" + code + "' packet of " + data.length + " bytes has no header index");
      }
      return intAt(data, 0);
    }
  }

  /** A growable packet payload, reused for every packet of a connection. */
  private static final class PacketBuilder {
    private byte[] buffer = new byte[256];
    private int size;

    PacketBuilder reset() {
      size = 0;
      return this;
    }

    PacketBuilder putByte(int b) {
      ensure(1);
      buffer[size++] = (byte) b;
      return this;
    }

    PacketBuilder putInt(int v) {
      return putByte(v >>> 24).putByte(v >>> 16).putByte(v >>> 8).putByte(v);
    }

    PacketBuilder putString(String s, Charset charset) {
      byte[] b = s.getBytes(charset);
      ensure(b.length + 1);
      System.arraycopy(b, 0, buffer, size, b.length);
      size += b.length;
      buffer[size++] = 0;
      return this;
    }

    private void ensure(int more) {
      if (size + more > buffer.length) {
        buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more));
      }
    }

    byte[] bytes() {
      return buffer;
    }

    int size() {
      return size;
    }
  }
}
