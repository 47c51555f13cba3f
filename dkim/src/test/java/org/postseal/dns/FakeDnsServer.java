package org.postseal.dns;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Master;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * A real authoritative DNS server on 127.0.0.1 (UDP and TCP on one ephemeral port) for tests: script the
 * DNS, run the code, check what it asked. Shared with the other modules through the dkim test-jar.
 *
 * <p>Zones are BIND master-file text ({@link #load(String)}), parsed by dnsjava's {@link Master}. Names
 * without a trailing dot are taken as absolute unless {@code $ORIGIN} says otherwise; the default TTL is
 * 3600. Each SOA starts a zone; records outside every loaded SOA belong to a built-in root zone whose SOA
 * gives negative answers a TTL of {@link #DEFAULT_NEGATIVE_TTL}, so fixture files can list just the records
 * they need. A quoted string longer than 255 bytes is split into several character-strings, as
 * {@code opendkim-genkey} does for long keys. Answers follow the DNS rules a resolver relies on:
 * NXDOMAIN versus NODATA (an empty non-terminal is NODATA, RFC 8020) with the zone's SOA in the authority
 * section (TTL min(SOA TTL, MINIMUM), RFC 2308), CNAME chains inside the loaded data, wildcards
 * (RFC 4592), and UDP answers truncated to the client's EDNS size (or 512) with TC set.
 *
 * <p>{@link #failWith} makes one name (or one type of a name) fail on purpose, {@link #failEverything} every name;
 * {@link #delayAnswers} slows every answer down;
 * {@link #queryCount} says how often a name was asked. Thread-safe.
 */
public final class FakeDnsServer implements AutoCloseable {

  /** How a name fails on purpose. */
  public enum Failure {
    /** Never answers (UDP nor TCP). */
    TIMEOUT,
    /** Answers SERVFAIL. */
    SERVFAIL,
    /** Answers REFUSED. */
    REFUSED,
    /** Over UDP, an answer with TC set and no records; over TCP the real answer. */
    TRUNCATE,
    /** Over UDP, an answer with TC set and no records; over TCP the connection is closed unanswered. */
    TRUNCATE_NO_TCP,
    /** Stays silent to the first query for the name, answers every later one: a lost UDP packet. */
    DROP_FIRST
  }

  /** Negative-answer TTL of the built-in root zone's SOA. */
  public static final Duration DEFAULT_NEGATIVE_TTL = Duration.ofSeconds(300);

  private static final long DEFAULT_TTL = 3600;
  private static final int MAX_CNAME_HOPS = 16;
  private static final int MAX_STRING_BYTES = 255;
  private static final int ANSWER_EDNS_SIZE = 1232;
  private static final int PLAIN_UDP_SIZE = 512;

  private final DatagramSocket udp;
  private final ServerSocket tcp;
  private final ExecutorService threads;
  private final ScheduledExecutorService delayer;
  private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
  private final Map<Name, List<Record>> records = new LinkedHashMap<>();
  private final List<SOARecord> soas = new ArrayList<>();
  private final SOARecord rootSoa;
  private final Map<Name, Failure> failures = new ConcurrentHashMap<>();
  private final Map<Name, Map<Integer, Failure>> typeFailures = new ConcurrentHashMap<>();
  /** When set, every query fails this way (the server down, broken or slow for everyone). */
  private volatile Failure everything;
  private final Map<Name, AtomicInteger> queries = new ConcurrentHashMap<>();
  private final Map<Name, AtomicInteger> tcpQueries = new ConcurrentHashMap<>();
  private volatile Duration delay = Duration.ZERO;
  /** Per zone cut: answers for the name and every name below it are sent this much later. */
  private final Map<Name, Duration> zoneDelays = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private FakeDnsServer(DatagramSocket udp, ServerSocket tcp) {
    this.udp = udp;
    this.tcp = tcp;
    AtomicInteger count = new AtomicInteger();
    this.threads = Executors.newCachedThreadPool(task -> {
      Thread t = new Thread(task, "fake-dns-" + udp.getLocalPort() + "-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.delayer = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread t = new Thread(task, "fake-dns-" + udp.getLocalPort() + "-delay");
      t.setDaemon(true);
      return t;
    });
    Name host = Name.fromConstantString("ns.fake-dns.test.");
    Name admin = Name.fromConstantString("hostmaster.fake-dns.test.");
    this.rootSoa = new SOARecord(Name.root, DClass.IN, DEFAULT_TTL, host, admin, 1, 3600, 600, 86400,
        DEFAULT_NEGATIVE_TTL.toSeconds());
  }

  /** Binds UDP and TCP on the same ephemeral port of 127.0.0.1 and starts serving (no records yet). */
  public static FakeDnsServer start() {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    for (int attempt = 0; attempt < 50; attempt++) {
      DatagramSocket udp = null;
      try {
        udp = new DatagramSocket(new InetSocketAddress(loopback, 0));
        ServerSocket tcp = new ServerSocket();
        try {
          tcp.setReuseAddress(false);
          tcp.bind(new InetSocketAddress(loopback, udp.getLocalPort()), 50);
        } catch (BindException e) {
          // the TCP side of this port is taken: try another port
          tcp.close();
          udp.close();
          continue;
        }
        FakeDnsServer server = new FakeDnsServer(udp, tcp);
        server.threads.execute(server::serveUdp);
        server.threads.execute(server::acceptTcp);
        return server;
      } catch (IOException e) {
        if (udp != null) {
          udp.close();
        }
        throw new UncheckedIOException("cannot bind the fake DNS server on 127.0.0.1", e);
      }
    }
    throw new IllegalStateException("no port of 127.0.0.1 was free for both UDP and TCP after 50 attempts");
  }

  public int port() {
    return udp.getLocalPort();
  }

  /** "127.0.0.1:PORT", a {@code dns.servers} entry for {@link DnsResolver#create}. */
  public String address() {
    return udp.getLocalAddress().getHostAddress() + ":" + port();
  }

  /**
   * Adds the records of one master file (several zones, $ORIGIN and $TTL allowed). Records add to those
   * loaded before; an SOA replaces an earlier SOA of the same name.
   *
   * @throws IllegalArgumentException with the parser's message (it names the line) when the text is not valid
   */
  public void load(String zoneText) {
    List<Record> parsed = new ArrayList<>();
    Master master = new Master(new ByteArrayInputStream(splitLongStrings(zoneText).getBytes(StandardCharsets.UTF_8)),
        Name.root, DEFAULT_TTL);
    try (master) {
      Record r;
      while ((r = master.nextRecord()) != null) {
        parsed.add(r);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("zone text is not a valid master file: " + e.getMessage(), e);
    }
    synchronized (this) {
      for (Record r : parsed) {
        if (r instanceof SOARecord soa) {
          soas.removeIf(old -> old.getName().equals(soa.getName()));
          soas.add(soa);
          continue;
        }
        List<Record> atName = records.computeIfAbsent(r.getName(), n -> new ArrayList<>());
        if (!atName.contains(r)) {
          atName.add(r);
        }
      }
    }
  }

  /** {@link #load(String)} for a file (UTF-8). */
  public void load(Path zoneFile) {
    try {
      load(Files.readString(zoneFile, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read zone file " + zoneFile, e);
    }
  }

  /** From now on, every query for exactly {@code name} (any type, any case) fails this way. */
  public void failWith(String name, Failure mode) {
    failures.put(toName(name), mode);
  }

  /**
   * From now on, every query for exactly {@code name} (any case) and {@code type} fails this way; other
   * types of the same name are answered. Test suites need it where one record type of a name is served and
   * another times out (the RFC 7208 suite's "TIMEOUT" pseudo-record after a TXT record).
   */
  public void failWith(String name, RecordType type, Failure mode) {
    typeFailures.computeIfAbsent(toName(name), n -> new ConcurrentHashMap<>()).put(AnswerReader.dnsType(type), mode);
  }

  /**
   * From now on, every query for every name fails this way: {@link Failure#TIMEOUT} is a server that is down (it
   * drops everything), {@link Failure#SERVFAIL} a broken one, {@link Failure#TRUNCATE} one that answers only over
   * TCP. {@link #clearFailures} ends it.
   */
  public void failEverything(Failure mode) {
    everything = mode;
  }

  public void clearFailures() {
    failures.clear();
    typeFailures.clear();
    everything = null;
  }

  /** Every answer (failures included) is sent this much later; {@link Duration#ZERO} to stop. */
  public void delayAnswers(Duration delay) {
    this.delay = delay;
  }

  /**
   * Answers for {@code domain} and every name below it ("_dmarc.", "sel._domainkey.") are sent this much later
   * (instead of the server-wide delay): one sender domain with slow DNS among fast ones. {@link Duration#ZERO}
   * to stop.
   */
  public void delayAnswers(String domain, Duration delay) {
    if (delay.isZero()) {
      zoneDelays.remove(toName(domain));
    } else {
      zoneDelays.put(toName(domain), delay);
    }
  }

  /** Queries received for {@code name} (any type, UDP and TCP, answered or not). */
  public int queryCount(String name) {
    AtomicInteger n = queries.get(toName(name));
    return n == null ? 0 : n.get();
  }

  /** Queries received over TCP for {@code name}. */
  public int tcpQueryCount(String name) {
    AtomicInteger n = tcpQueries.get(toName(name));
    return n == null ? 0 : n.get();
  }

  @Override
  public void close() {
    closed = true;
    udp.close();
    try {
      tcp.close();
    } catch (IOException e) {
      // closing anyway
    }
    for (Socket s : connections) {
      try {
        s.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    delayer.shutdownNow();
    threads.shutdownNow();
  }

  private static Name toName(String name) {
    try {
      return Name.fromString(name, Name.root);
    } catch (TextParseException e) {
      throw new IllegalArgumentException("not a DNS name: " + name, e);
    }
  }

  private void serveUdp() {
    byte[] buffer = new byte[65535];
    while (!closed) {
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      try {
        udp.receive(packet);
      } catch (IOException e) {
        if (closed) {
          return;
        }
        continue;
      }
      byte[] in = Arrays.copyOf(packet.getData(), packet.getLength());
      SocketAddress client = packet.getSocketAddress();
      byte[] out = answer(in, false);
      if (out != null) {
        later(delayFor(in), () -> {
          try {
            udp.send(new DatagramPacket(out, out.length, client));
          } catch (IOException e) {
            // the client is gone or the server closed: nothing to do in a test server
          }
        });
      }
    }
  }

  private void acceptTcp() {
    while (!closed) {
      Socket socket;
      try {
        socket = tcp.accept();
      } catch (IOException e) {
        if (closed) {
          return;
        }
        continue;
      }
      connections.add(socket);
      threads.execute(() -> serveTcp(socket));
    }
  }

  /** One connection, many queries (RFC 7766: clients such as dnsjava keep the connection open). */
  private void serveTcp(Socket socket) {
    try (socket) {
      DataInputStream in = new DataInputStream(socket.getInputStream());
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      while (!closed) {
        int length;
        try {
          length = in.readUnsignedShort();
        } catch (EOFException e) {
          return;
        }
        byte[] query = new byte[length];
        in.readFully(query);
        byte[] answer = answer(query, true);
        if (answer == CLOSE) {
          return;
        }
        if (answer != null) {
          later(delayFor(query), () -> {
            synchronized (out) {
              try {
                out.writeShort(answer.length);
                out.write(answer);
                out.flush();
              } catch (IOException e) {
                // the client closed the connection
              }
            }
          });
        }
      }
    } catch (IOException e) {
      // connection closed by the client or by close()
    } finally {
      connections.remove(socket);
    }
  }

  /** The delay for the answer to this wire query: its zone's, else the server-wide one. */
  private Duration delayFor(byte[] wire) {
    if (!zoneDelays.isEmpty()) {
      try {
        Record question = new Message(wire).getQuestion();
        for (Name name = question == null ? null : question.getName(); name != null && name.labels() > 0;
             name = name.labels() > 1 ? new Name(name, 1) : null) {
          Duration d = zoneDelays.get(name);
          if (d != null) {
            return d;
          }
        }
      } catch (IOException e) {
        // not a DNS message: answer() says FORMERR without delay of its own
      }
    }
    return delay;
  }

  private void later(Duration d, Runnable send) {
    if (d.isZero()) {
      send.run();
    } else if (!closed) {
      delayer.schedule(send, d.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  /** What {@link #answer} returns when a TCP connection is to be closed unanswered. */
  private static final byte[] CLOSE = new byte[0];

  /** The wire answer to a wire query, null to stay silent, {@link #CLOSE} to close a TCP connection. */
  private byte[] answer(byte[] wire, boolean overTcp) {
    Message query;
    try {
      query = new Message(wire);
    } catch (IOException e) {
      if (wire.length < Header.LENGTH) {
        return null;
      }
      Message formErr = new Message(((wire[0] & 0xFF) << 8) | (wire[1] & 0xFF));
      formErr.getHeader().setFlag(Flags.QR);
      formErr.getHeader().setRcode(Rcode.FORMERR);
      return formErr.toWire(PLAIN_UDP_SIZE);
    }
    Record question = query.getQuestion();
    Message response = new Message(query.getHeader().getID());
    Header header = response.getHeader();
    header.setFlag(Flags.QR);
    if (query.getHeader().getFlag(Flags.RD)) {
      header.setFlag(Flags.RD);
    }
    header.setOpcode(query.getHeader().getOpcode());
    OPTRecord clientOpt = query.getOPT();
    if (clientOpt != null) {
      response.addRecord(new OPTRecord(ANSWER_EDNS_SIZE, 0, 0), Section.ADDITIONAL);
    }
    int maxSize = overTcp ? 65535 : clientOpt == null ? PLAIN_UDP_SIZE : Math.max(PLAIN_UDP_SIZE, clientOpt.getPayloadSize());
    if (question == null || query.getHeader().getOpcode() != Opcode.QUERY) {
      header.setRcode(question == null ? Rcode.FORMERR : Rcode.NOTIMP);
      return response.toWire(maxSize);
    }
    response.addRecord(question, Section.QUESTION);
    Name qname = question.getName();
    queries.computeIfAbsent(qname, n -> new AtomicInteger()).incrementAndGet();
    if (overTcp) {
      tcpQueries.computeIfAbsent(qname, n -> new AtomicInteger()).incrementAndGet();
    }
    Failure failure = everything;
    if (failure == null) {
      failure = failures.get(qname);
    }
    if (failure == null) {
      failure = typeFailures.getOrDefault(qname, Map.of()).get(question.getType());
    }
    if (failure == Failure.TRUNCATE_NO_TCP && overTcp) {
      return CLOSE;
    }
    if (failure == Failure.TIMEOUT) {
      return null;
    }
    if (failure == Failure.DROP_FIRST && queries.get(qname).get() == 1) {
      return null;
    }
    if (failure == Failure.SERVFAIL || failure == Failure.REFUSED) {
      header.setRcode(failure == Failure.SERVFAIL ? Rcode.SERVFAIL : Rcode.REFUSED);
      return response.toWire(maxSize);
    }
    if ((failure == Failure.TRUNCATE || failure == Failure.TRUNCATE_NO_TCP) && !overTcp) {
      header.setFlag(Flags.TC);
      return response.toWire(maxSize);
    }
    synchronized (this) {
      resolve(qname, question.getType(), response);
    }
    // toWire truncates to maxSize and sets TC when the answer does not fit (RFC 1035 section 4.2.1)
    return response.toWire(maxSize);
  }

  /** Fills the answer and authority sections and the rcode, as an authoritative server would. */
  private void resolve(Name qname, int qtype, Message response) {
    Header header = response.getHeader();
    Name current = qname;
    for (int hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
      SOARecord soa = zoneOf(current);
      header.setFlag(Flags.AA);
      List<Record> atName = recordsAt(current);
      List<Record> matching = new ArrayList<>();
      Record cname = null;
      for (Record r : atName) {
        if (r.getType() == qtype || qtype == Type.ANY) {
          matching.add(r);
        } else if (r.getType() == Type.CNAME) {
          cname = r;
        }
      }
      if (qtype == Type.SOA && current.equals(soa.getName())) {
        matching.add(soa);
      }
      if (!matching.isEmpty()) {
        for (Record r : matching) {
          response.addRecord(r, Section.ANSWER);
        }
        return;
      }
      if (cname != null) {
        response.addRecord(cname, Section.ANSWER);
        current = ((CNAMERecord) cname).getTarget();
        continue;
      }
      if (!exists(current)) {
        header.setRcode(Rcode.NXDOMAIN);
      }
      response.addRecord(negativeSoa(soa), Section.AUTHORITY);
      return;
    }
    header.setRcode(Rcode.SERVFAIL);
  }

  /** The records owned by {@code name}, or those of the wildcard that covers it (RFC 4592 section 3.3.1). */
  private List<Record> recordsAt(Name name) {
    List<Record> own = records.get(name);
    if (own != null) {
      return own;
    }
    if (exists(name)) {
      return List.of();
    }
    for (int strip = 1; strip < name.labels(); strip++) {
      Name encloser = new Name(name, strip);
      if (exists(encloser) || encloser.equals(Name.root)) {
        List<Record> wild = records.get(concatenate(Name.fromConstantString("*"), encloser));
        if (wild == null) {
          return List.of();
        }
        List<Record> synthesized = new ArrayList<>();
        for (Record r : wild) {
          synthesized.add(r.withName(name));
        }
        return synthesized;
      }
    }
    return List.of();
  }

  private static Name concatenate(Name prefix, Name suffix) {
    try {
      return Name.concatenate(prefix, suffix);
    } catch (NameTooLongException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** True when the name owns records or has descendants that do (an empty non-terminal exists). */
  private boolean exists(Name name) {
    for (SOARecord soa : soas) {
      if (soa.getName().equals(name)) {
        return true;
      }
    }
    for (Name owner : records.keySet()) {
      if (owner.subdomain(name)) {
        return true;
      }
    }
    return false;
  }

  /** The SOA of the closest enclosing loaded zone, else the built-in root zone's. */
  private SOARecord zoneOf(Name name) {
    SOARecord best = null;
    for (SOARecord soa : soas) {
      if (name.subdomain(soa.getName()) && (best == null || soa.getName().labels() > best.getName().labels())) {
        best = soa;
      }
    }
    // the built-in root zone holds whatever was loaded outside an SOA and answers negatively for the rest
    return best != null ? best : rootSoa;
  }

  /** The SOA as a negative answer carries it: TTL min(SOA TTL, MINIMUM) (RFC 2308 section 3). */
  private static SOARecord negativeSoa(SOARecord soa) {
    long ttl = Math.min(soa.getTTL(), soa.getMinimum());
    return new SOARecord(soa.getName(), soa.getDClass(), ttl, soa.getHost(), soa.getAdmin(), soa.getSerial(),
        soa.getRefresh(), soa.getRetry(), soa.getExpire(), soa.getMinimum());
  }

  /**
   * Splits every quoted string longer than 255 bytes into several quoted strings ("..." "..."), the form a
   * TXT record with a long value must take (RFC 1035 section 3.3.14: one character-string holds 255 bytes).
   */
  static String splitLongStrings(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    boolean inQuote = false;
    int bytes = 0;
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (!inQuote) {
        if (c == ';') {
          int end = text.indexOf('\n', i);
          end = end < 0 ? text.length() : end;
          out.append(text, i, end);
          i = end;
          continue;
        }
        if (c == '"') {
          inQuote = true;
          bytes = 0;
        }
        out.append(c);
        i++;
        continue;
      }
      if (c == '"') {
        inQuote = false;
        out.append(c);
        i++;
        continue;
      }
      int end;
      int length;
      if (c == '\\') {
        boolean decimal = i + 3 < text.length() && Character.isDigit(text.charAt(i + 1))
            && Character.isDigit(text.charAt(i + 2)) && Character.isDigit(text.charAt(i + 3));
        end = Math.min(text.length(), i + (decimal ? 4 : 2));
        length = 1;
      } else {
        int codePoint = text.codePointAt(i);
        end = i + Character.charCount(codePoint);
        length = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8).length;
      }
      if (bytes + length > MAX_STRING_BYTES) {
        out.append("\" \"");
        bytes = 0;
      }
      out.append(text, i, end);
      bytes += length;
      i = end;
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return "FakeDnsServer[" + address() + "]";
  }
}
