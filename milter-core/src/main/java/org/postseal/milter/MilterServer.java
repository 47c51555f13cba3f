package org.postseal.milter;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.nightcode.milter.codec.Int32LenFrameEncoder;
import org.nightcode.milter.codec.MilterPacketDecoder;
import org.nightcode.milter.codec.MilterPacketEncoder;
import org.nightcode.milter.net.MilterChannelHandler;
import org.postseal.config.ListenAddress;
import org.postseal.pipeline.MessagePipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The milter TCP server: jmilter's protocol codec and command engine on a Netty server we set up
 * ourselves, because jmilter's MilterGatewayManager retries a failed bind forever behind a future that
 * never fails, runs a non-daemon executor, and has no frame size limit (LIBRARY-NOTES.md).
 *
 * <p>Lifecycle: {@link #start} binds (or fails within {@link #BIND_TIMEOUT} naming the cause);
 * {@link #close} stops accepting, lets messages in flight finish for up to the drain time, then closes
 * every connection. All threads are daemons, so a forgotten server never keeps the JVM alive.
 */
public final class MilterServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MilterServer.class);

  /** Largest milter packet accepted: Postfix sends body chunks of at most 64 KiB and headers far shorter. */
  public static final int MAX_FRAME_BYTES = 1024 * 1024;
  public static final Duration BIND_TIMEOUT = Duration.ofSeconds(10);
  /** How long a shutdown waits for messages in flight. */
  public static final Duration DEFAULT_DRAIN_TIME = Duration.ofSeconds(10);
  /** Decisions are CPU work (RSA signatures) once lookups answered: one thread per core is enough. */
  public static final int DEFAULT_AUTH_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());

  private final EventLoopGroup acceptGroup;
  private final EventLoopGroup ioGroup;
  private final ExecutorService authPool;
  private final ChannelGroup connections;
  private final InFlightMessages inFlight;
  private final Channel serverChannel;
  private final InetSocketAddress boundAddress;
  private final Duration drainTime;
  private boolean closed;

  private MilterServer(EventLoopGroup acceptGroup, EventLoopGroup ioGroup, ExecutorService authPool,
                       ChannelGroup connections, InFlightMessages inFlight, Channel serverChannel, Duration drainTime) {
    this.acceptGroup = acceptGroup;
    this.ioGroup = ioGroup;
    this.authPool = authPool;
    this.connections = connections;
    this.inFlight = inFlight;
    this.serverChannel = serverChannel;
    this.boundAddress = (InetSocketAddress) serverChannel.localAddress();
    this.drainTime = drainTime;
  }

  /**
   * Binds {@code listen} and serves {@code pipeline}.
   *
   * @throws IOException when the address cannot be bound (in use, not local, no permission) or the bind
   *                     did not finish within {@link #BIND_TIMEOUT}; the message names the address and cause
   */
  public static MilterServer start(ListenAddress.Inet listen, MessagePipeline pipeline, Duration drainTime) throws IOException {
    JmilterLogging.routeToSlf4j();
    EventLoopGroup acceptGroup = new NioEventLoopGroup(1, new DefaultThreadFactory("postseal-accept", true));
    EventLoopGroup ioGroup = new NioEventLoopGroup(0, new DefaultThreadFactory("postseal-io", true));
    ThreadPoolExecutor authPool = new ThreadPoolExecutor(DEFAULT_AUTH_THREADS, DEFAULT_AUTH_THREADS, 60, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), new DefaultThreadFactory("postseal-auth", true));
    ChannelGroup connections = new DefaultChannelGroup("milter-connections", GlobalEventExecutor.INSTANCE);
    InFlightMessages inFlight = new InFlightMessages();
    AuthMilterHandler handler = new AuthMilterHandler(pipeline, authPool, inFlight);

    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(acceptGroup, ioGroup)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 128)
        .option(ChannelOption.SO_REUSEADDR, true)
        // one small reply per step: Nagle would add up to 40 ms to each
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel channel) {
            connections.add(channel);
            channel.pipeline()
                // jmilter's Int32LenFrameDecoder has no limit: a bogus length would make it buffer forever
                .addLast("frameDecoder", new LengthFieldBasedFrameDecoder(MAX_FRAME_BYTES, 0, 4, 0, 4))
                .addLast("frameEncoder", new Int32LenFrameEncoder())
                .addLast("milterPacketDecoder", new MilterPacketDecoder())
                .addLast("milterPacketEncoder", new MilterPacketEncoder())
                .addLast("milterHandler", new MilterChannelHandler(handler));
          }
        });

    InetSocketAddress address = new InetSocketAddress(listen.host(), listen.port());
    String where = listen.toString();
    try {
      if (address.isUnresolved()) {
        throw new IOException("cannot listen on " + where + ": host " + listen.host() + " does not resolve");
      }
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
      MilterServer server = new MilterServer(acceptGroup, ioGroup, authPool, connections, inFlight, bind.channel(), drainTime);
      LOG.info("milter listening on {} (max frame {} bytes, {} auth threads)", server.listenAddress(), MAX_FRAME_BYTES,
          DEFAULT_AUTH_THREADS);
      return server;
    } catch (IOException | RuntimeException e) {
      acceptGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      ioGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      authPool.shutdownNow();
      throw e;
    }
  }

  /** The address actually bound (the real port when 0 was asked for). */
  public InetSocketAddress boundAddress() {
    return boundAddress;
  }

  /** The bound address in listen notation, e.g. {@code inet:127.0.0.1:8891}. */
  public ListenAddress.Inet listenAddress() {
    return new ListenAddress.Inet(boundAddress.getAddress().getHostAddress(), boundAddress.getPort());
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
    LOG.info("milter on {} stopped", listenAddress());
  }
}
