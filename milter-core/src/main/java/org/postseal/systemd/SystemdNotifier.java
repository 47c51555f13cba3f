package org.postseal.systemd;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * sd_notify(3) for a JVM: sends state lines ({@code READY=1}, {@code RELOADING=1}, {@code STOPPING=1},
 * {@code STATUS=...}) as one datagram to the unix socket systemd names in {@code NOTIFY_SOCKET}.
 *
 * <p>Java 17 cannot send unix datagrams (its {@code DatagramChannel} is IP only), so this uses Netty's epoll
 * transport, already shipped for {@code unix:} listen addresses: {@link EpollDomainDatagramChannel}, a public
 * Netty API since 4.1.52. Chosen over running {@code systemd-notify} (the datagram then comes from a short-lived
 * child, which systemd 252 may fail to attribute to the service, and needs {@code NotifyAccess=all}) and over a
 * JNA binding (a new 1.8 MB dependency for one call). systemd checks the sender's PID against the main PID
 * ({@code NotifyAccess=main}): the launcher execs the JVM, so the JVM is the main process.
 *
 * <p>Without {@code NOTIFY_SOCKET} (not under systemd, or {@code Type=simple}) there is nothing to tell:
 * {@link #fromEnvironment} is empty. Failures to send are logged, never thrown: a milter that works but could
 * not say so is still a working milter (systemd's start timeout then says what happened). Thread-safe.
 */
public final class SystemdNotifier implements AutoCloseable {

  /** The environment variable systemd sets for {@code Type=notify} services. */
  public static final String NOTIFY_SOCKET = "NOTIFY_SOCKET";
  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(2);
  private static final Logger LOG = LoggerFactory.getLogger(SystemdNotifier.class);

  private final String socket;
  private final EventLoopGroup group;
  private final Channel channel;

  private SystemdNotifier(String socket, EventLoopGroup group, Channel channel) {
    this.socket = socket;
    this.group = group;
    this.channel = channel;
  }

  /** The notifier for this process's environment; empty when systemd did not ask for notifications. */
  public static Optional<SystemdNotifier> fromEnvironment() {
    return forSocket(System.getenv());
  }

  /**
   * The notifier for {@code NOTIFY_SOCKET} in {@code environment}: a path, or {@code @name} for the abstract
   * namespace (sd_notify(3)). Empty when the variable is unset, or when the epoll transport cannot load here
   * (logged: systemd will then time the start out, which is what an admin sees).
   */
  static Optional<SystemdNotifier> forSocket(Map<String, String> environment) {
    String socket = environment.getOrDefault(NOTIFY_SOCKET, "");
    if (socket.isEmpty()) {
      return Optional.empty();
    }
    if (!Epoll.isAvailable()) {
      LOG.error("{}={} is set (Type=notify) but Netty's epoll transport did not load ({}): systemd will not hear that"
          + " postseal is ready; run the unit with Type=simple on this platform", NOTIFY_SOCKET, socket,
          Epoll.unavailabilityCause().toString());
      return Optional.empty();
    }
    EventLoopGroup group = new EpollEventLoopGroup(1, new DefaultThreadFactory("postseal-notify", true));
    try {
      Channel channel = new Bootstrap().group(group)
          .channel(EpollDomainDatagramChannel.class)
          // an unbound datagram socket may send: no bind, no connect
          .option(ChannelOption.DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION, true)
          .handler(new ChannelInboundHandlerAdapter())
          .register().syncUninterruptibly().channel();
      return Optional.of(new SystemdNotifier(socket, group, channel));
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      LOG.error("cannot open a socket to tell systemd ({}={}) that postseal is ready: {}", NOTIFY_SOCKET, socket,
          e.toString());
      return Optional.empty();
    }
  }

  /**
   * Sends {@code state}, one {@code KEY=VALUE} per line (e.g. {@code "READY=1\nSTATUS=listening on ..."}).
   * Returns whether systemd's socket took it.
   */
  public boolean notify(String state) {
    // "@name" is the abstract namespace: a leading NUL byte in the address (unix(7))
    String address = socket.startsWith("@") ? "\0" + socket.substring(1) : socket;
    ChannelFuture sent = channel.writeAndFlush(new DomainDatagramPacket(
        Unpooled.copiedBuffer(state, StandardCharsets.UTF_8), new DomainSocketAddress(address)));
    if (!sent.awaitUninterruptibly(SEND_TIMEOUT.toMillis()) || !sent.isSuccess()) {
      LOG.warn("could not tell systemd \"{}\" through {}: {}", state.replace('\n', ' '), socket,
          sent.cause() == null ? "no answer within " + SEND_TIMEOUT.toSeconds() + " s" : sent.cause().toString());
      return false;
    }
    return true;
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly(SEND_TIMEOUT.toMillis());
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
