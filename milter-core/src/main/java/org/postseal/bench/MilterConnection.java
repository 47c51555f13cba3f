package org.postseal.bench;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postseal.config.ListenAddress;
import org.postseal.mail.HeaderField;

/**
 * One milter connection, MTA side, behaving like Postfix 3.x with {@code milter_protocol = 6}: option
 * negotiation offers version 6, actions 0x1FF and every protocol step including leading space and the
 * no-reply flags; steps the milter declines are not sent (their macros are), replies it declines are not
 * waited for; when it sends macro lists, only the listed macros go out.
 *
 * <p>Every packet is written and flushed on its own, as Postfix does (one write per command), so that a
 * milter that reacts badly to small writes (Nagle, delayed ACK) is measured as it behaves behind Postfix.
 * Strings travel as ISO-8859-1 so that message bytes go out exactly as read. Not thread-safe: one per
 * session thread. {@link #waitingSinceNanos} lets a watchdog close a connection whose milter stopped
 * answering (a unix socket channel has no read timeout).
 */
final class MilterConnection implements Closeable {

  /** Postfix's MILTER_CHUNK_SIZE: the largest body packet. */
  static final int MAX_CHUNK = 65535;
  private static final int MAX_PACKET = 64 * 1024 * 1024;

  private static final int SMFIP_NOCONNECT = 0x1;
  private static final int SMFIP_NOHELO = 0x2;
  private static final int SMFIP_NOMAIL = 0x4;
  private static final int SMFIP_NORCPT = 0x8;
  private static final int SMFIP_NOBODY = 0x10;
  private static final int SMFIP_NOHDRS = 0x20;
  private static final int SMFIP_NOEOH = 0x40;
  private static final int SMFIP_NOHREPL = 0x80;
  private static final int SMFIP_NODATA = 0x200;
  private static final int SMFIP_NR_CONN = 0x1000;
  private static final int SMFIP_NR_HELO = 0x2000;
  private static final int SMFIP_NR_MAIL = 0x4000;
  private static final int SMFIP_NR_RCPT = 0x8000;
  private static final int SMFIP_NR_DATA = 0x10000;
  private static final int SMFIP_NR_EOH = 0x40000;
  private static final int SMFIP_NR_BODY = 0x80000;
  private static final int SMFIP_HDR_LEADSPC = 0x100000;
  /** What Postfix 3.x offers with milter_protocol = 6 (MILTER8_V6_PROTO_MASK). */
  private static final int POSTFIX_V6_STEPS = 0x1FFFFF;
  /** SMFIF_ADDHDRS .. SMFIF_SETSYMLIST: every action Postfix offers. */
  private static final int POSTFIX_ACTIONS = 0x1FF;

  /** Macro stages (SMFIM_*) in the option negotiation reply. */
  private static final int STAGE_CONNECT = 0;
  private static final int STAGE_HELO = 1;
  private static final int STAGE_MAIL = 2;
  private static final int STAGE_RCPT = 3;
  private static final int STAGE_DATA = 4;
  private static final int STAGE_EOM = 5;
  private static final int STAGE_EOH = 6;

  private final SocketChannel channel;
  private final DataInputStream in;
  private final DataOutputStream out;
  private final int steps;
  private final Map<Integer, List<String>> macroLists;
  /** System.nanoTime() when a read started, 0 when not waiting. */
  volatile long waitingSinceNanos;

  private MilterConnection(SocketChannel channel) throws IOException {
    this.channel = channel;
    this.in = new DataInputStream(new java.io.BufferedInputStream(Channels.newInputStream(channel), 16 * 1024));
    this.out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel), MAX_CHUNK + 64));
    int[] negotiated = new int[1];
    this.macroLists = negotiate(negotiated);
    this.steps = negotiated[0];
  }

  /** Connects and negotiates options. */
  static MilterConnection open(ListenAddress target) throws IOException {
    SocketChannel channel;
    if (target instanceof ListenAddress.Unix unix) {
      channel = SocketChannel.open(StandardProtocolFamily.UNIX);
      channel.connect(UnixDomainSocketAddress.of(unix.path()));
    } else {
      ListenAddress.Inet inet = (ListenAddress.Inet) target;
      channel = SocketChannel.open();
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      channel.connect(new InetSocketAddress(inet.host(), inet.port()));
    }
    try {
      return new MilterConnection(channel);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** True when the milter asked for header values with their leading space (SMFIP_HDR_LEADSPC). */
  boolean hasLeadingSpace() {
    return has(SMFIP_HDR_LEADSPC);
  }

  private boolean has(int flag) {
    return (steps & flag) != 0;
  }

  private Map<Integer, List<String>> negotiate(int[] negotiatedSteps) throws IOException {
    PacketBuilder payload = new PacketBuilder();
    payload.putInt(6).putInt(POSTFIX_ACTIONS).putInt(POSTFIX_V6_STEPS);
    write('O', payload);
    Packet reply = read();
    byte[] d = reply.data();
    if (reply.code() != 'O' || d.length < 12) {
      throw new IOException("unexpected option negotiation reply '" + reply.code() + "'");
    }
    int actions = intAt(d, 4);
    if ((actions & POSTFIX_ACTIONS) != actions) {
      // Postfix refuses such a milter too
      throw new IOException("milter asks for actions 0x" + Integer.toHexString(actions) + " beyond 0x1ff");
    }
    negotiatedSteps[0] = intAt(d, 8);
    Map<Integer, List<String>> lists = new LinkedHashMap<>();
    int i = 12;
    while (i + 4 < d.length) {
      int stage = intAt(d, i);
      int end = i + 4;
      while (end < d.length && d[end] != 0) {
        end++;
      }
      String list = new String(d, i + 4, end - i - 4, StandardCharsets.ISO_8859_1).trim();
      lists.put(stage, Arrays.asList(list.split("\\s+")));
      i = end + 1;
    }
    return lists;
  }

  /** SMFIC_CONNECT and SMFIC_HELO with the macros Postfix sends; returns the reply code of the last step answered. */
  char connect(SessionProfile profile) throws IOException {
    Map<String, String> macros = new LinkedHashMap<>();
    macros.put("j", "mta.bench.test");
    macros.put("{daemon_name}", "smtpd");
    macros.put("{client_addr}", profile.clientIp());
    macros.put("{client_name}", profile.clientHost());
    macros.put("{client_ptr}", profile.clientHost());
    macro('C', STAGE_CONNECT, macros);
    PacketBuilder connect = new PacketBuilder().putString(profile.clientHost());
    connect.putByte(profile.clientIp().indexOf(':') >= 0 ? '6' : '4').putByte(0x64).putByte(0x64); // any client port
    connect.putString(profile.clientIp());
    char first = step('C', SMFIP_NOCONNECT, SMFIP_NR_CONN, connect);
    if (first != 'c' && first != 0) {
      return first;
    }
    macro('H', STAGE_HELO, Map.of());
    return step('H', SMFIP_NOHELO, SMFIP_NR_HELO, new PacketBuilder().putString(profile.helo()));
  }

  /**
   * One transaction, MAIL FROM to the final reply. Steps answered with anything but continue end the
   * transaction early (the outcome carries that reply and no edits), as Postfix would.
   */
  MessageOutcome send(SessionProfile profile, BenchMessage message, String queueId) throws IOException {
    Map<String, String> mailMacros = new LinkedHashMap<>();
    mailMacros.put("i", queueId);
    mailMacros.put("{mail_addr}", profile.mailFrom());
    if (!profile.authUser().isEmpty()) {
      mailMacros.put("{auth_type}", "PLAIN");
      mailMacros.put("{auth_authen}", profile.authUser());
    }
    macro('M', STAGE_MAIL, mailMacros);
    char reply = step('M', SMFIP_NOMAIL, SMFIP_NR_MAIL, new PacketBuilder().putString("<" + profile.mailFrom() + ">"));
    if (isFinal(reply)) {
      return MessageOutcome.early(reply);
    }
    macro('R', STAGE_RCPT, Map.of("{rcpt_addr}", profile.recipient()));
    reply = step('R', SMFIP_NORCPT, SMFIP_NR_RCPT, new PacketBuilder().putString("<" + profile.recipient() + ">"));
    if (isFinal(reply)) {
      return MessageOutcome.early(reply);
    }
    Map<String, String> queueMacro = Map.of("i", queueId);
    macro('T', STAGE_DATA, queueMacro);
    reply = step('T', SMFIP_NODATA, SMFIP_NR_DATA, new PacketBuilder());
    if (isFinal(reply)) {
      return MessageOutcome.early(reply);
    }
    boolean leadingSpace = hasLeadingSpace();
    for (HeaderField field : message.headers()) {
      // Postfix sends folds as bare LF and, without SMFIP_HDR_LEADSPC, eats the one space after the colon
      String value = field.value().replace("\r\n", "\n");
      if (!leadingSpace && value.startsWith(" ")) {
        value = value.substring(1);
      }
      macro('L', STAGE_EOH, queueMacro);
      reply = step('L', SMFIP_NOHDRS, SMFIP_NOHREPL, new PacketBuilder().putString(field.name()).putString(value));
      if (isFinal(reply)) {
        return MessageOutcome.early(reply);
      }
    }
    macro('N', STAGE_EOH, queueMacro);
    reply = step('N', SMFIP_NOEOH, SMFIP_NR_EOH, new PacketBuilder());
    if (isFinal(reply)) {
      return MessageOutcome.early(reply);
    }
    byte[] body = message.body();
    if (!has(SMFIP_NOBODY)) {
      for (int offset = 0; offset < body.length; offset += MAX_CHUNK) {
        int length = Math.min(MAX_CHUNK, body.length - offset);
        macro('B', STAGE_EOM, queueMacro);
        writeRaw('B', body, offset, length);
        if (!has(SMFIP_NR_BODY)) {
          reply = reply('B');
          if (reply == 's') {
            break; // skip: the milter has seen enough of the body
          }
          if (isFinal(reply)) {
            return MessageOutcome.early(reply);
          }
        }
      }
    }
    macro('E', STAGE_EOM, queueMacro);
    write('E', new PacketBuilder());
    return endOfMessage();
  }

  /** Reads header edits and other modifications until the final reply. */
  private MessageOutcome endOfMessage() throws IOException {
    List<MessageOutcome.Edit> edits = new ArrayList<>();
    while (true) {
      Packet p = read();
      switch (p.code()) {
        case 'p' -> {
          // progress: keep waiting
        }
        case 'i' -> edits.add(MessageOutcome.Edit.of(MessageOutcome.EditKind.INSERT, p.index(), p.strings(4)));
        case 'm' -> {
          List<String> s = p.strings(4);
          boolean delete = s.size() < 2 || s.get(1).isEmpty();
          edits.add(MessageOutcome.Edit.of(delete ? MessageOutcome.EditKind.DELETE : MessageOutcome.EditKind.CHANGE,
              p.index(), s));
        }
        case 'h' -> edits.add(MessageOutcome.Edit.of(MessageOutcome.EditKind.ADD, 0, p.strings(0)));
        case 'a', 'c', 'd', 'r', 't', 'f' -> {
          return new MessageOutcome(List.copyOf(edits), MessageOutcome.replyName(p.code(), ""), hasLeadingSpace());
        }
        case 'y' -> {
          List<String> s = p.strings(0);
          return new MessageOutcome(List.copyOf(edits), MessageOutcome.replyName('y', s.isEmpty() ? "" : s.get(0)),
              hasLeadingSpace());
        }
        default -> edits.add(new MessageOutcome.Edit(MessageOutcome.EditKind.OTHER, 0, "'" + p.code() + "'", ""));
      }
    }
  }

  private static boolean isFinal(char reply) {
    return reply != 0 && reply != 'c';
  }

  /** SMFIC_QUIT (no reply), then closes. */
  void quit() {
    try {
      write('Q', new PacketBuilder());
    } catch (IOException e) {
      // the milter has gone already: nothing to tell it
    }
    close();
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // closing a socket that failed: nothing left to do
    }
  }

  /** Sends a step unless declined; returns its reply code, or 0 when none was expected. */
  private char step(char command, int noStepFlag, int noReplyFlag, PacketBuilder payload) throws IOException {
    if (has(noStepFlag)) {
      return 0;
    }
    write(command, payload);
    if (has(noReplyFlag)) {
      return 0;
    }
    return reply(command);
  }

  private char reply(char command) throws IOException {
    Packet reply = read();
    char code = reply.code();
    if ("acdrtyfs".indexOf(code) < 0) {
      throw new IOException("unexpected reply '" + code + "' to command '" + command + "'");
    }
    return code;
  }

  /** Sends the macros of one stage, filtered by the milter's list for that stage when it sent lists. */
  private void macro(char command, int stage, Map<String, String> macros) throws IOException {
    PacketBuilder payload = new PacketBuilder().putByte(command);
    // like Postfix: a stage the milter listed gets only those macros, the others get Postfix's defaults
    List<String> wanted = macroLists.get(stage);
    boolean any = false;
    for (Map.Entry<String, String> e : macros.entrySet()) {
      if (wanted == null || wanted.contains(e.getKey()) || wanted.contains(e.getKey().replace("{", "").replace("}", ""))) {
        payload.putString(e.getKey()).putString(e.getValue());
        any = true;
      }
    }
    if (any || wanted == null) {
      write('D', payload);
    }
  }

  private void write(char command, PacketBuilder payload) throws IOException {
    writeRaw(command, payload.bytes(), 0, payload.size());
  }

  private void writeRaw(char command, byte[] data, int offset, int length) throws IOException {
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
        throw new IOException("bad packet length " + length);
      }
      char code = (char) in.readUnsignedByte();
      byte[] data = new byte[length - 1];
      in.readFully(data);
      return new Packet(code, data);
    } finally {
      waitingSinceNanos = 0;
    }
  }

  private static int intAt(byte[] d, int offset) {
    return ((d[offset] & 0xFF) << 24) | ((d[offset + 1] & 0xFF) << 16) | ((d[offset + 2] & 0xFF) << 8) | (d[offset + 3] & 0xFF);
  }

  /** One packet from the milter. */
  private record Packet(char code, byte[] data) {
    /** The NUL-terminated strings of the payload after {@code skip} bytes. */
    List<String> strings(int skip) {
      List<String> out = new ArrayList<>();
      int start = skip;
      for (int i = skip; i < data.length; i++) {
        if (data[i] == 0) {
          out.add(new String(data, start, i - start, StandardCharsets.ISO_8859_1));
          start = i + 1;
        }
      }
      if (start < data.length) {
        out.add(new String(data, start, data.length - start, StandardCharsets.ISO_8859_1));
      }
      return out;
    }

    int index() {
      return data.length < 4 ? 0 : intAt(data, 0);
    }
  }

  /** A growable packet payload. */
  private static final class PacketBuilder {
    private byte[] buffer = new byte[256];
    private int size;

    PacketBuilder putByte(int b) {
      ensure(1);
      buffer[size++] = (byte) b;
      return this;
    }

    PacketBuilder putInt(int v) {
      return putByte(v >>> 24).putByte(v >>> 16).putByte(v >>> 8).putByte(v);
    }

    PacketBuilder putString(String s) {
      byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
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
