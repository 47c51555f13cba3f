package org.postseal.milter;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
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
  final ThrottledLog refusedLog = new ThrottledLog(LOG);
  final ThrottledLog idleLog = new ThrottledLog(LOG);
  final ThrottledLog violationLog = new ThrottledLog(LOG);
  final ThrottledLog overLimitLog = new ThrottledLog(LoggerFactory.getLogger(AuthMilterHandler.class));

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
   * Counts the new connection in, or says why it may not stay (the caller closes it). A connection counted
   * in is counted out when it closes.
   */
  Optional<String> admit(Channel channel) {
    MilterConfig limits = config;
    InetAddress client = channel.remoteAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null;
    if (open.incrementAndGet() > limits.maxConnections()) {
      open.decrementAndGet();
      return refuse(limits.maxConnections() + " connections are open (milter.max-connections)");
    }
    if (client != null) {
      int fromClient = openPerClient.merge(client, 1, Integer::sum);
      if (fromClient > limits.maxConnectionsPerClient()) {
        release(client);
        open.decrementAndGet();
        return refuse(limits.maxConnectionsPerClient() + " connections from " + client.getHostAddress()
            + " are open (milter.max-connections-per-client)");
      }
    }
    channel.closeFuture().addListener(closed -> {
      open.decrementAndGet();
      if (client != null) {
        release(client);
      }
    });
    return Optional.empty();
  }

  private void release(InetAddress client) {
    openPerClient.computeIfPresent(client, (address, count) -> count <= 1 ? null : count - 1);
  }

  private Optional<String> refuse(String reason) {
    counters.connectionsRefused.incrementAndGet();
    return Optional.of(reason);
  }
}
