package org.postseal.server;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * The warm-up's DNS: a UDP responder on a free loopback port serving only the made-up domain's TXT records
 * ({@link org.postseal.pipeline.SyntheticMail}), with a TTL of {@link #TTL_SECONDS}; any other name does not exist. Through it the warm-up's lookups run the real resolver (dnsjava's UDP client, our answer reader), which
 * answers from a map left cold: the first real message verified after a start then took 26 ms from connect to final
 * reply, of which about 20 between MAIL FROM and the reply, where its lookups run (README "Performance"). Nothing but
 * the warm-up's resolver knows the port; it lives as long as the warm-up.
 */
final class WarmupDns implements AutoCloseable {

  /**
   * How long the resolver keeps an answer: most made-up messages are answered from its cache, as most real mail is, and
   * the UDP path runs again every second. With TTL 0 every lookup asked, and on a loaded 2-core machine the warm-up
   * then made 5-93 messages in its 1.5 s instead of hundreds.
   */
  static final int TTL_SECONDS = 1;
  /** RFC 1035 section 2.3.4: plain UDP messages; ours are far smaller. */
  private static final int UDP_BYTES = 512;

  private final DatagramSocket socket;
  private final Map<String, String> txt;
  private final Thread thread;
  private final AtomicInteger answered = new AtomicInteger();

  private WarmupDns(DatagramSocket socket, Map<String, String> txt) {
    this.socket = socket;
    this.txt = Map.copyOf(txt);
    this.thread = new Thread(this::serve, "postseal-warmup-dns");
    this.thread.setDaemon(true);
  }

  /** Binds a free loopback port and answers {@code txt} (owner name without the final dot to record text). */
  static WarmupDns start(Map<String, String> txt) throws IOException {
    WarmupDns dns = new WarmupDns(new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)), txt);
    dns.thread.start();
    return dns;
  }

  /** The responder as a {@code dns.servers} entry. */
  String server() {
    return socket.getLocalAddress().getHostAddress() + ":" + socket.getLocalPort();
  }

  /** Questions answered so far. */
  int answered() {
    return answered.get();
  }

  private void serve() {
    byte[] buffer = new byte[UDP_BYTES];
    while (!socket.isClosed()) {
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      try {
        socket.receive(packet);
        byte[] reply = answer(new Message(Arrays.copyOf(packet.getData(), packet.getLength()))).toWire(UDP_BYTES);
        socket.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
        answered.incrementAndGet();
      } catch (IOException | RuntimeException e) {
        // closed (the end of the warm-up), or a packet that is no query: only our own resolver knows the port
      }
    }
  }

  private Message answer(Message query) {
    Message reply = new Message(query.getHeader().getID());
    reply.getHeader().setFlag(Flags.QR);
    reply.getHeader().setFlag(Flags.AA);
    Record question = query.getQuestion();
    if (question == null) {
      reply.getHeader().setRcode(Rcode.FORMERR);
      return reply;
    }
    reply.addRecord(question, Section.QUESTION);
    String value = txt.get(question.getName().toString(true).toLowerCase(Locale.ROOT));
    if (value == null) {
      reply.getHeader().setRcode(Rcode.NXDOMAIN);
    } else if (question.getType() == Type.TXT) {
      reply.addRecord(new TXTRecord(question.getName(), DClass.IN, TTL_SECONDS, strings(value)), Section.ANSWER);
    }
    return reply;
  }

  /** RFC 1035 section 3.3.14: one TXT record of strings of at most 255 bytes. */
  private static List<String> strings(String value) {
    List<String> strings = new ArrayList<>();
    for (int i = 0; i < value.length(); i += 255) {
      strings.add(value.substring(i, Math.min(value.length(), i + 255)));
    }
    return strings;
  }

  @Override
  public void close() {
    socket.close();
  }
}
