package org.postseal.milter;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.postseal.milter.client.MilterProtocol;

/**
 * A milter client that breaks the rules on purpose, over a real TCP socket: it writes packets without reading
 * the replies, sends packets of any length, trickles bytes, or stays silent. What {@link FakeMta} (which
 * behaves) cannot do. One instance is one connection; not thread-safe, except {@link #close}.
 */
public final class HostileClient implements Closeable {

  /** What Postfix offers minus the no-reply flags: every step is answered, so unread replies pile up. */
  public static final int STEPS_ALL_REPLIES = MilterProtocol.POSTFIX_V6_STEPS & ~MilterProtocol.NO_REPLY_FLAGS;
  /** What Postfix offers: header fields and body chunks get no reply. */
  public static final int STEPS_POSTFIX = MilterProtocol.POSTFIX_V6_STEPS;

  private final Socket socket;
  private final DataOutputStream out;
  private final DataInputStream in;
  private long written;
  private int negotiatedSteps;

  private HostileClient(Socket socket) throws IOException {
    this.socket = socket;
    this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 64 * 1024));
    this.in = new DataInputStream(socket.getInputStream());
  }

  /** Connects from 127.0.0.1. */
  public static HostileClient connect(InetSocketAddress milter) throws IOException {
    return connect(milter, "127.0.0.1");
  }

  /** Connects from {@code localAddress}: any 127.x.y.z works on Linux, which lets one test be several clients. */
  public static HostileClient connect(InetSocketAddress milter, String localAddress) throws IOException {
    Socket socket = new Socket();
    try {
      socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
      socket.connect(milter, 10_000);
      socket.setSoTimeout(10_000);
      return new HostileClient(socket);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** Option negotiation offering {@code steps}; reads the milter's answer. */
  public HostileClient negotiate(int steps) throws IOException {
    byte[] payload = new byte[12];
    putInt(payload, 0, 6);
    putInt(payload, 4, MilterProtocol.POSTFIX_ACTIONS);
    putInt(payload, 8, steps);
    packet(MilterProtocol.SMFIC_OPTNEG, payload).flush();
    byte[] reply = readPacket();
    if (reply[0] != MilterProtocol.SMFIC_OPTNEG || reply.length < 13) {
      throw new IOException("option negotiation answered with '" + (char) reply[0] + "'");
    }
    negotiatedSteps = ((reply[9] & 0xFF) << 24) | ((reply[10] & 0xFF) << 16) | ((reply[11] & 0xFF) << 8) | (reply[12] & 0xFF);
    return this;
  }

  /**
   * Connect, HELO, MAIL FROM, RCPT TO, DATA and one header field (From), as an inbound message from
   * 203.0.113.9, reading the replies the milter owes when {@code readReplies} (which needs {@link #STEPS_POSTFIX}:
   * RCPT, header fields, end of headers and body chunks unanswered).
   */
  public HostileClient beginMessage(boolean readReplies) throws IOException {
    int unanswered = MilterProtocol.SMFIP_NR_RCPT | MilterProtocol.SMFIP_NOHREPL | MilterProtocol.SMFIP_NR_EOH
        | MilterProtocol.SMFIP_NR_BODY;
    if (readReplies && (negotiatedSteps & unanswered) != unanswered) {
      throw new IllegalStateException("reading replies needs RCPT, header, end of headers and body unanswered");
    }
    packet(MilterProtocol.SMFIC_CONNECT, cat(z("client.example"), new byte[] {'4', 0x64, 0x64}, z("203.0.113.9")));
    step(readReplies);
    packet(MilterProtocol.SMFIC_HELO, z("client.example"));
    step(readReplies);
    packet(MilterProtocol.SMFIC_MACRO, cat(new byte[] {'M'}, z("{mail_addr}"), z("sender@example.net")));
    packet(MilterProtocol.SMFIC_MAIL, z("<sender@example.net>"));
    step(readReplies);
    packet(MilterProtocol.SMFIC_RCPT, z("<rcpt@example.org>"));
    packet(MilterProtocol.SMFIC_MACRO, cat(new byte[] {'T'}, z("i"), z("HOSTILE1")));
    packet(MilterProtocol.SMFIC_DATA, new byte[0]);
    step(readReplies);
    header("From", "sender@example.net");
    return this;
  }

  /** One header field packet (name NUL value NUL); no reply is read. */
  public HostileClient header(String name, String value) throws IOException {
    return packet(MilterProtocol.SMFIC_HEADER, cat(z(name), z(value)));
  }

  /** A header field packet whose value is {@code valueBytes} of 'a'. */
  public HostileClient header(String name, int valueBytes) throws IOException {
    byte[] value = new byte[valueBytes];
    Arrays.fill(value, (byte) 'a');
    return packet(MilterProtocol.SMFIC_HEADER, cat(z(name), value, new byte[1]));
  }

  /** End of headers, one body chunk, end of message; returns the final reply ("c" continue, "y451 ..." a reply code). */
  public String endMessage(byte[] body) throws IOException {
    packet(MilterProtocol.SMFIC_EOH, new byte[0]);
    packet(MilterProtocol.SMFIC_BODY, body);
    packet(MilterProtocol.SMFIC_BODYEOB, new byte[0]).flush();
    while (true) {
      byte[] reply = readPacket();
      char code = (char) reply[0];
      if (code == 'c' || code == 'a' || code == 't' || code == 'r' || code == 'd') {
        return String.valueOf(code);
      }
      if (code == 'y') {
        return "y" + new String(reply, 1, reply.length - 2, StandardCharsets.ISO_8859_1);
      }
      // header edits and progress: read on
    }
  }

  /** One packet with a correct length; buffered until {@link #flush}. */
  public HostileClient packet(char command, byte[] payload) throws IOException {
    out.writeInt(payload.length + 1);
    out.write(command);
    out.write(payload);
    written += 5 + payload.length;
    return this;
  }

  /** Bytes as they are. */
  public HostileClient raw(byte[] bytes) throws IOException {
    out.write(bytes);
    written += bytes.length;
    return this;
  }

  public HostileClient flush() throws IOException {
    out.flush();
    return this;
  }

  /** Bytes handed to the socket so far (a blocked write counts once it returns). */
  public long written() {
    return written;
  }

  /** Reads one packet from the milter: its command byte, then its payload. */
  public byte[] readPacket() throws IOException {
    int length = in.readInt();
    if (length < 1 || length > 64 * 1024 * 1024) {
      throw new IOException("bad packet length " + length);
    }
    byte[] packet = new byte[length];
    in.readFully(packet);
    return packet;
  }

  /** True when the milter closed the connection within {@code wait} (end of stream or a reset). */
  public boolean isClosedByMilterWithin(Duration wait) throws IOException {
    socket.setSoTimeout((int) wait.toMillis());
    InputStream raw = socket.getInputStream();
    long deadline = System.nanoTime() + wait.toNanos();
    byte[] discard = new byte[4096];
    try {
      while (System.nanoTime() < deadline) {
        if (raw.read(discard) < 0) {
          return true;
        }
      }
      return false;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (EOFException e) {
      return true;
    } catch (IOException e) {
      return true; // reset
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing a socket the milter may have dropped: nothing left to do
    }
  }

  private void step(boolean readReply) throws IOException {
    flush();
    if (readReply) {
      readPacket();
    }
  }

  /** {@code text} and a terminating NUL. */
  public static byte[] z(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
    return Arrays.copyOf(bytes, bytes.length + 1);
  }

  public static byte[] cat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    byte[] all = new byte[length];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return all;
  }

  private static void putInt(byte[] buffer, int at, int value) {
    buffer[at] = (byte) (value >>> 24);
    buffer[at + 1] = (byte) (value >>> 16);
    buffer[at + 2] = (byte) (value >>> 8);
    buffer[at + 3] = (byte) value;
  }
}
