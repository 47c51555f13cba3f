package org.postseal.milter;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.postseal.config.ListenAddress;
import org.postseal.config.MilterConfig;
import org.postseal.metrics.PostsealMetrics;
import org.postseal.pipeline.MessagePipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The milter server: jmilter's command engine on a Netty server we set up ourselves, because jmilter's
 * MilterGatewayManager retries a failed bind forever behind a future that never fails, runs a non-daemon
 * executor, has no frame size limit and speaks TCP only (docs/library-notes.md). Each connection's pipeline is
 * ours up to jmilter's command engine: {@link MilterFrameDecoder} (frame size, back-pressure, memory),
 * {@link MilterFrameEncoder}, {@link MilterSessionHandler} (packet checks, idle timeout); the [milter]
 * limits ({@link ConnectionLimits}) decide which connections may stay.
 * A {@code unix:} address uses Netty's epoll domain sockets: the socket is created mode 0660 (the milter
 * protocol has no authentication, so only the owner and its group, to which Postfix is added, may
 * connect), a stale socket file left by a crash is replaced, a live one is an error, and the file is
 * removed on close.
 *
 * <p>Lifecycle: {@link #start} binds (or fails within {@link #BIND_TIMEOUT} naming the cause);
 * {@link #close} stops accepting, lets messages in flight finish for up to the drain time, then closes
 * every connection. All threads are daemons, so a forgotten server never keeps the JVM alive.
 */
public final class MilterServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MilterServer.class);

  public static final Duration BIND_TIMEOUT = Duration.ofSeconds(10);
  /** How long a shutdown waits for messages in flight. */
  public static final Duration DEFAULT_DRAIN_TIME = Duration.ofSeconds(10);
  /** Decisions are CPU work (RSA signatures) once lookups answered: one thread per core is enough. */
  public static final int DEFAULT_AUTH_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());
  /** rw for the owner and its group: Postfix connects as a member of the group. */
  public static final String UNIX_SOCKET_MODE = "rw-rw----";

  /**
   * Session buffers are allocated when a read needs one and freed as soon as jmilter has copied the packet
   * into its byte[] (a few microseconds later), instead of being kept in Netty's pooled arenas. The pooled
   * allocator's 4 MiB chunks per arena held about 46 MiB under 200 concurrent sessions of 1 MiB messages
   * and, under a direct memory cap, failed sessions with "Cannot reserve 4194304 bytes of direct buffer
   * memory". Measured here (peak RSS, 200 sessions x 1 MiB, fresh process): unpooled 212-224 MiB, pooled
   * with 1 MiB chunks 233-239 MiB, reads into heap buffers 236-242 MiB and slower; msg/s alike within the
   * noise. (Reads still go to direct memory: Netty's ioBuffer() prefers it.)
   */
  private static final ByteBufAllocator SESSION_BUFFERS = new UnpooledByteBufAllocator(false);

  /**
   * Unsent replies a connection may have before we stop reading from it. Postfix waits for each reply, so it
   * has one small packet outstanding at a time; end of message sends a few header edits. Over 8 KiB means the
   * client does not read: each queued reply costs about 170 bytes of heap (Netty counts 96 per entry), so a
   * connection that never reads holds at most about 14 KiB.
   */
  static final WriteBufferWaterMark REPLY_WATER_MARK = new WriteBufferWaterMark(4 * 1024, 8 * 1024);
  private final EventLoopGroup acceptGroup;
  private final EventLoopGroup ioGroup;
  private final ExecutorService authPool;
  private final ChannelGroup connections;
  private final InFlightMessages inFlight;
  private final ConnectionLimits limits;
  private final Channel serverChannel;
  private final ListenAddress boundAddress;
  private final Duration drainTime;
  private final boolean logged;
  private boolean closed;

  private MilterServer(EventLoopGroup acceptGroup, EventLoopGroup ioGroup, ExecutorService authPool,
                       ChannelGroup connections, InFlightMessages inFlight, ConnectionLimits limits, Channel serverChannel,
                       Duration drainTime, boolean logged) {
    this.acceptGroup = acceptGroup;
    this.ioGroup = ioGroup;
    this.authPool = authPool;
    this.connections = connections;
    this.inFlight = inFlight;
    this.limits = limits;
    this.serverChannel = serverChannel;
    SocketAddress local = serverChannel.localAddress();
    this.boundAddress = local instanceof InetSocketAddress inet
        ? new ListenAddress.Inet(inet.getAddress().getHostAddress(), inet.getPort())
        : new ListenAddress.Unix(Path.of(((DomainSocketAddress) local).path()));
    this.drainTime = drainTime;
    this.logged = logged;
  }

  /** Binds {@code listen} and serves {@code pipeline} with the default [milter] limits. */
  public static MilterServer start(ListenAddress listen, MessagePipeline pipeline, Duration drainTime) throws IOException {
    return start(listen, pipeline, drainTime, MilterConfig.defaults());
  }

  /**
   * Binds {@code listen} and serves {@code pipeline} within {@code limits}; sessions share a memory budget of a
   * quarter of the heap.
   *
   * @throws IOException when the address cannot be bound (in use, not local, no permission) or the bind
   *                     did not finish within {@link #BIND_TIMEOUT}; the message names the address and cause
   */
  public static MilterServer start(ListenAddress listen, MessagePipeline pipeline, Duration drainTime, MilterConfig limits)
      throws IOException {
    return start(listen, pipeline, drainTime, new PostsealMetrics(), limits);
  }

  /** As {@link #start(ListenAddress, MessagePipeline, Duration, MilterConfig)}, telling {@code metrics} about every message. */
  public static MilterServer start(ListenAddress listen, MessagePipeline pipeline, Duration drainTime,
                                   PostsealMetrics metrics, MilterConfig limits) throws IOException {
    return start(listen, pipeline, drainTime, metrics, limits, MemoryBudget.ofHeap());
  }

  /** With a memory budget of its own (tests). */
  static MilterServer start(ListenAddress listen, MessagePipeline pipeline, Duration drainTime, MilterConfig config,
                            MemoryBudget budget) throws IOException {
    return start(listen, pipeline, drainTime, new PostsealMetrics(), config, budget);
  }

  static MilterServer start(ListenAddress listen, MessagePipeline pipeline, Duration drainTime, PostsealMetrics metrics,
                            MilterConfig config, MemoryBudget budget) throws IOException {
    return start(listen, pipeline, drainTime, metrics, config, budget, true);
  }

  /**
   * A private listener on a free loopback port for {@code serve}'s warm-up: made-up messages sent to it over a real
   * socket load and compile the connection path (Netty, jmilter's command engine, this adapter) that warming the
   * pipeline alone leaves cold. Nothing it does is logged (no message lines, no listening or stopped lines) or counted
   * where anyone looks (metrics of its own, never served); what it records is up to {@code pipeline}.
   */
  public static MilterServer startForWarmUp(MessagePipeline pipeline) throws IOException {
    return start(new ListenAddress.Inet("127.0.0.1", 0), pipeline, Duration.ZERO, new PostsealMetrics(),
        MilterConfig.defaults(), MemoryBudget.ofHeap(), false);
  }

  private static MilterServer start(ListenAddress listen, MessagePipeline pipeline, Duration drainTime,
                                    PostsealMetrics metrics, MilterConfig config, MemoryBudget budget, boolean logged)
      throws IOException {
    JmilterLogging.routeToSlf4j();
    boolean unix = listen instanceof ListenAddress.Unix;
    if (unix && !Epoll.isAvailable()) {
      throw new IOException("cannot listen on " + listen + ": unix sockets need Netty's epoll transport, which did not load ("
          + Epoll.unavailabilityCause() + "); use listen = \"inet:127.0.0.1:8891\"");
    }
    EventLoopGroup acceptGroup = unix
        ? new EpollEventLoopGroup(1, new DefaultThreadFactory("postseal-accept", true))
        : new NioEventLoopGroup(1, new DefaultThreadFactory("postseal-accept", true));
    EventLoopGroup ioGroup = unix
        ? new EpollEventLoopGroup(0, new DefaultThreadFactory("postseal-io", true))
        : new NioEventLoopGroup(0, new DefaultThreadFactory("postseal-io", true));
    Class<? extends ServerChannel> channelType = unix ? EpollServerDomainSocketChannel.class : NioServerSocketChannel.class;
    ThreadPoolExecutor authPool = new ThreadPoolExecutor(DEFAULT_AUTH_THREADS, DEFAULT_AUTH_THREADS, 60, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), new DefaultThreadFactory("postseal-auth", true));
    ChannelGroup connections = new DefaultChannelGroup("milter-connections", GlobalEventExecutor.INSTANCE);
    InFlightMessages inFlight = new InFlightMessages();
    ConnectionLimits limits = new ConnectionLimits(config, budget);
    AuthMilterHandler handler = new AuthMilterHandler(pipeline, authPool, inFlight, metrics, limits, logged);

    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(acceptGroup, ioGroup)
        .channel(channelType)
        .option(ChannelOption.SO_BACKLOG, 128)
        .childOption(ChannelOption.ALLOCATOR, SESSION_BUFFERS)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, REPLY_WATER_MARK)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel channel) {
            ConnectionLimits.Admission admission = limits.admit(channel);
            if (admission.isRefused()) {
              limits.refusedLog.warn("refusing a milter connection from {}: {}", peerText(channel), admission.refusal());
              channel.close();
              return;
            }
            connections.add(channel);
            install(channel, handler, limits, admission.admitted());
          }
        });
    if (!unix) {
      bootstrap.option(ChannelOption.SO_REUSEADDR, true)
          // one small reply per step: Nagle would add up to 40 ms to each
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childOption(ChannelOption.SO_KEEPALIVE, true);
    }

    String where = listen.toString();
    try {
      SocketAddress address = listen instanceof ListenAddress.Unix socket
          ? prepareUnixSocket(socket.path(), where)
          : inetAddress((ListenAddress.Inet) listen, where);
      ChannelFuture bind = bootstrap.bind(address);
      if (!bind.awaitUninterruptibly(BIND_TIMEOUT.toMillis())) {
        bind.cancel(false);
        throw new IOException("cannot listen on " + where + ": bind did not finish within " + BIND_TIMEOUT.toSeconds() + " s");
      }
      if (!bind.isSuccess()) {
        Throwable cause = bind.cause();
        throw new IOException("cannot listen on " + where + ": " + (cause.getMessage() == null ? cause : cause.getMessage()),
            cause);
      }
      if (listen instanceof ListenAddress.Unix socket) {
        restrictUnixSocket(socket.path());
      }
      MilterServer server = new MilterServer(acceptGroup, ioGroup, authPool, connections, inFlight, limits, bind.channel(),
          drainTime, logged);
      if (logged) {
        LOG.info("milter listening on {} ({} auth threads; sessions share {} of memory for what clients send)",
            server.listenAddress(), DEFAULT_AUTH_THREADS, budget.describe());
      }
      return server;
    } catch (IOException | RuntimeException e) {
      acceptGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      ioGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      authPool.shutdownNow();
      throw e;
    }
  }

  /**
   * One connection's handlers: ours up to jmilter's command engine. Also what tests and the fuzz test put on an
   * embedded channel.
   */
  static void install(Channel channel, AuthMilterHandler handler, ConnectionLimits limits) {
    install(channel, handler, limits, new ConnectionLimits.Admitted(channel, null));
  }

  private static void install(Channel channel, AuthMilterHandler handler, ConnectionLimits limits,
                              ConnectionLimits.Admitted admitted) {
    MilterConfig config = limits.config();
    channel.pipeline()
        .addLast("frameDecoder", new MilterFrameDecoder(config.maxFrameBytes(), limits.budget(), limits.counters()))
        .addLast("frameEncoder", MilterFrameEncoder.INSTANCE)
        .addLast("session", new MilterSessionHandler(handler, limits, admitted));
  }

  private static String peerText(Channel channel) {
    return channel.remoteAddress() instanceof InetSocketAddress inet ? inet.getAddress().getHostAddress() : "unix socket";
  }

  private static InetSocketAddress inetAddress(ListenAddress.Inet listen, String where) throws IOException {
    InetSocketAddress address = new InetSocketAddress(listen.host(), listen.port());
    if (address.isUnresolved()) {
      throw new IOException("cannot listen on " + where + ": host " + listen.host() + " does not resolve");
    }
    return address;
  }

  /**
   * Checks the socket's directory and clears a stale socket: a file that nobody answers on is what a
   * crash leaves behind, while one that answers belongs to a running milter and must not be stolen.
   */
  private static DomainSocketAddress prepareUnixSocket(Path path, String where) throws IOException {
    Path directory = path.getParent();
    if (directory == null || !Files.isDirectory(directory)) {
      throw new IOException("cannot listen on " + where + ": directory " + directory + " does not exist; create it"
          + " (e.g. install -d -o postseal -g postfix -m 2750 " + directory + ": setgid, so the socket gets the group postfix)");
    }
    if (Files.exists(path)) {
      boolean answers;
      try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        answers = probe.connect(UnixDomainSocketAddress.of(path));
      } catch (IOException e) {
        answers = false;
      }
      if (answers) {
        throw new IOException("cannot listen on " + where + ": another process is listening on it (is postseal"
            + " already running?)");
      }
      LOG.info("removing stale socket {} left by an earlier run", path);
      Files.delete(path);
    }
    return new DomainSocketAddress(path.toFile());
  }

  /**
   * Mode 0660, and the group of the socket's directory: the admin creates the directory once with
   * Postfix's group ({@code install -d -o postseal -g postfix -m 2750 /var/spool/postfix/postseal}) and
   * Postfix may connect, nobody else. When the group cannot be given (a non-root process outside that
   * group), the socket keeps ours and the log says what to do.
   */
  private static void restrictUnixSocket(Path socket) throws IOException {
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString(UNIX_SOCKET_MODE));
    java.nio.file.attribute.PosixFileAttributeView view =
        Files.getFileAttributeView(socket, java.nio.file.attribute.PosixFileAttributeView.class);
    java.nio.file.attribute.GroupPrincipal directoryGroup =
        Files.readAttributes(socket.getParent(), java.nio.file.attribute.PosixFileAttributes.class).group();
    if (view.readAttributes().group().equals(directoryGroup)) {
      return;
    }
    try {
      view.setGroup(directoryGroup);
    } catch (IOException e) {
      LOG.warn("socket {} keeps group {}: could not give it its directory's group {} ({}); add Postfix's user to group {}"
          + " or run postseal as a member of {}", socket, view.readAttributes().group().getName(), directoryGroup.getName(),
          e.getMessage(), view.readAttributes().group().getName(), directoryGroup.getName());
    }
  }

  /** The TCP address actually bound (the real port when 0 was asked for); for tests and clients. */
  public InetSocketAddress boundAddress() {
    if (!(boundAddress instanceof ListenAddress.Inet inet)) {
      throw new IllegalStateException("listening on " + boundAddress + ", not on TCP");
    }
    return new InetSocketAddress(inet.host(), inet.port());
  }

  /** The bound address in listen notation, e.g. {@code inet:127.0.0.1:8891} or {@code unix:/path}. */
  public ListenAddress listenAddress() {
    return boundAddress;
  }

  /** Milter connections open right now (closed ones leave the group by themselves). */
  public int sessionsOpen() {
    return connections.size();
  }

  /** How often each limit was hit since the start; for the log, tests and metrics. */
  public LimitCounters counters() {
    return limits.counters();
  }

  /** Bytes of the memory budget that connections hold now (packets arriving, messages' and connections' state). */
  long bufferedBytes() {
    return limits.budget().held();
  }

  /** Bytes of replies written and not yet sent, over all connections: what a client that never reads leaves us. */
  long pendingReplyBytes() {
    long pending = 0;
    for (Channel channel : connections) {
      io.netty.channel.ChannelOutboundBuffer outbound = channel.unsafe().outboundBuffer();
      if (outbound != null) {
        pending += outbound.totalPendingWriteBytes();
      }
    }
    return pending;
  }

  /**
   * New [milter] limits (SIGHUP): connections opened from now on, and messages begun from now on, use them;
   * those under way keep theirs.
   */
  public void replaceLimits(MilterConfig next) {
    limits.replace(next);
  }

  /** Messages between MAIL FROM and their final reply right now. */
  public int messagesInFlight() {
    return inFlight.count();
  }

  /**
   * Stops accepting, waits up to the drain time for messages in flight, then closes every connection
   * and stops the threads. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    serverChannel.close().awaitUninterruptibly();
    int pending = inFlight.count();
    if (pending > 0) {
      LOG.info("stopped accepting; waiting up to {} s for {} message(s) in flight", drainTime.toSeconds(), pending);
    }
    try {
      if (!inFlight.awaitNone(drainTime)) {
        LOG.warn("{} message(s) still in flight after {} s; closing their connections (Postfix applies"
            + " milter_default_action)", inFlight.count(), drainTime.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    authPool.shutdown();
    acceptGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    try {
      authPool.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (boundAddress instanceof ListenAddress.Unix socket) {
      try {
        Files.deleteIfExists(socket.path());
      } catch (IOException e) {
        LOG.warn("could not remove the socket {}: {}", socket.path(), e.getMessage());
      }
    }
    if (logged) {
      LOG.info("milter on {} stopped", listenAddress());
    }
  }
}
