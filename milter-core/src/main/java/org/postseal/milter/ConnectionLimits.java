package org.postseal.milter;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.postseal.config.MilterConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The limits of one milter server, shared by its connections: the [milter] settings (replaced on reload;
 * connections and messages keep those they began with), the {@link MemoryBudget}, the {@link LimitCounters},
 * the throttled log lines, and the count of open connections in total and per peer address, which decides
 * whether a new connection may stay.
 *
 * <p>At max-connections, a new connection from a client within its own cap is not simply refused: the connection
 * that has been idle longest (no complete packet for at least {@link #MIN_IDLE_TO_MAKE_ROOM}, no message waiting for
 * its final reply) among those of the client holding the most connections is closed to make room. Without it, 2,000
 * idle connections spread over four loopback addresses (500 each, under max-connections-per-client) held all 1,000
 * places and Postfix's own connections were refused until the idle timeout (10 minutes) closed them (issue 11).
 *
 * <p>Threading: {@link #admit} runs on the new channel's event loop, the release on whichever thread closes
 * it; the counts are atomic. Thread-safe.
 */
final class ConnectionLimits {

  private static final Logger LOG = LoggerFactory.getLogger(MilterServer.class);

  private volatile MilterConfig config;
  private final MemoryBudget budget;
  private final LimitCounters counters = new LimitCounters();
  private final AtomicInteger open = new AtomicInteger();
  private final ConcurrentHashMap<InetAddress, Integer> openPerClient = new ConcurrentHashMap<>();
  private final Set<Admitted> admitted = ConcurrentHashMap.newKeySet();
  final ThrottledLog refusedLog = new ThrottledLog(LOG);
  final ThrottledLog roomLog = new ThrottledLog(LOG);
  final ThrottledLog idleLog = new ThrottledLog(LOG);
  final ThrottledLog violationLog = new ThrottledLog(LOG);
  final ThrottledLog overLimitLog = new ThrottledLog(LoggerFactory.getLogger(AuthMilterHandler.class));

  /**
   * How long a connection must have been without a complete packet before it may be closed to make room for a new
   * one. Postfix sends a message's packets back to back; a pause of a second is a connection between messages.
   */
  static final Duration MIN_IDLE_TO_MAKE_ROOM = Duration.ofSeconds(1);

  /**
   * A connection counted in: its peer, when its last complete packet came and whether its message waits for our
   * final reply. Its session handler (on the connection's event loop) and the reply path (any thread) update it;
   * {@link #admit} reads it from other event loops.
   */
  static final class Admitted {
    private final Channel channel;
    private final InetAddress client;
    private volatile long lastPacketNanos = System.nanoTime();
    private volatile boolean awaitingReply;

    Admitted(Channel channel, InetAddress client) {
      this.channel = channel;
      this.client = client;
    }

    /** A complete packet came; end of message means the MTA now waits for our final reply. */
    void packetArrived(char command) {
      lastPacketNanos = System.nanoTime();
      if (command == 'E') {
        awaitingReply = true;
      }
    }

    /** We sent a packet: a final reply (accept, continue, discard, reject, tempfail, reply code) ends the wait. */
    void packetSent(char command) {
      if ("acdrty".indexOf(command) >= 0) {
        awaitingReply = false;
      }
    }

    long lastPacketNanos() {
      return lastPacketNanos;
    }
  }

  ConnectionLimits(MilterConfig config, MemoryBudget budget) {
    this.config = Objects.requireNonNull(config, "config");
    this.budget = Objects.requireNonNull(budget, "budget");
  }

  MilterConfig config() {
    return config;
  }

  void replace(MilterConfig next) {
    this.config = Objects.requireNonNull(next, "next");
  }

  MemoryBudget budget() {
    return budget;
  }

  LimitCounters counters() {
    return counters;
  }

  /**
   * Counts the new connection in (the caller then tracks its packets in the returned {@link Admitted}), or says why it
   * may not stay (the caller closes it). A connection counted in is counted out when it closes. At max-connections
   * it may close another connection to make room (see the class comment).
   */
  Admission admit(Channel channel) {
    MilterConfig limits = config;
    InetAddress client = channel.remoteAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null;
    int fromClient = client == null ? 0 : openPerClient.merge(client, 1, Integer::sum);
    boolean withinClientCap = fromClient <= limits.maxConnectionsPerClient();
    if (open.incrementAndGet() > limits.maxConnections() && !(withinClientCap && makeRoom(client, limits.maxConnections()))) {
      open.decrementAndGet();
      if (client != null) {
        release(client);
      }
      return Admission.refused(refuse(limits.maxConnections() + " connections are open (milter.max-connections)"));
    }
    if (!withinClientCap) {
      open.decrementAndGet();
      release(client);
      return Admission.refused(refuse(limits.maxConnectionsPerClient() + " connections from " + client.getHostAddress()
          + " are open (milter.max-connections-per-client)"));
    }
    Admitted tracked = new Admitted(channel, client);
    admitted.add(tracked);
    channel.closeFuture().addListener(closed -> {
      admitted.remove(tracked);
      open.decrementAndGet();
      if (client != null) {
        release(client);
      }
    });
    return Admission.admitted(tracked);
  }

  /**
   * Closes the longest idle connection of the client that holds the most (when none of its connections qualifies,
   * and over a unix socket, of any client), when it has been idle for {@link #MIN_IDLE_TO_MAKE_ROOM} and no message
   * of it waits for our reply. Its place goes to
   * the new connection at once (the count is one over until its close is processed). False when none qualifies.
   */
  private boolean makeRoom(InetAddress newcomer, int maxConnections) {
    long now = System.nanoTime();
    for (int attempt = 0; attempt < 3; attempt++) {
      InetAddress busiest = openPerClient.entrySet().stream().max(Map.Entry.comparingByValue())
          .map(Map.Entry::getKey).orElse(null);
      Optional<Admitted> victim = longestIdle(now, busiest);
      if (victim.isEmpty() && busiest != null) {
        victim = longestIdle(now, null);
      }
      if (victim.isEmpty()) {
        return false;
      }
      Admitted v = victim.get();
      if (admitted.remove(v)) { // another event loop making room at the same moment takes another one
        counters.connectionsClosedForRoom.incrementAndGet();
        roomLog.warn("closing the connection from {} (no complete packet for {} s, the longest idle)"
                + " to make room for one from {}: {} connections are open (milter.max-connections)",
            v.client == null ? "unix socket" : v.client.getHostAddress(),
            TimeUnit.NANOSECONDS.toSeconds(now - v.lastPacketNanos), newcomer == null ? "unix socket"
                : newcomer.getHostAddress(), maxConnections);
        v.channel.close();
        return true;
      }
    }
    return false;
  }

  /** The connection idle longest (of {@code client}, when not null) that may be closed to make room. */
  private Optional<Admitted> longestIdle(long now, InetAddress client) {
    return admitted.stream()
        .filter(a -> client == null || client.equals(a.client))
        .filter(a -> !a.awaitingReply && now - a.lastPacketNanos >= MIN_IDLE_TO_MAKE_ROOM.toNanos())
        .min(Comparator.comparingLong(Admitted::lastPacketNanos));
  }

  /** The outcome of {@link #admit}: the connection counted in, or why it may not stay. */
  record Admission(Admitted admitted, String refusal) {
    static Admission admitted(Admitted admitted) {
      return new Admission(admitted, null);
    }

    static Admission refused(String refusal) {
      return new Admission(null, refusal);
    }

    boolean isRefused() {
      return refusal != null;
    }
  }

  private void release(InetAddress client) {
    openPerClient.computeIfPresent(client, (address, count) -> count <= 1 ? null : count - 1);
  }

  private String refuse(String reason) {
    counters.connectionsRefused.incrementAndGet();
    return reason;
  }
}
