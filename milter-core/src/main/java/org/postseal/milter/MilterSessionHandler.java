package org.postseal.milter;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import io.netty.util.concurrent.ScheduledFuture;
import org.nightcode.milter.codec.MilterPacket;
import org.nightcode.milter.command.CommandEngine;
import org.nightcode.milter.net.MilterPacketSender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MTA connection between our frame decoder and jmilter's command engine; it takes the place of jmilter's
 * MilterChannelHandler. It creates the connection's {@link SessionContext} when the connection opens, checks
 * each packet ({@link CommandSyntax}) before jmilter parses it, turns an oversized header or body packet into
 * an over-limit message, and closes the connection, with one log line, on a protocol violation, on idle
 * timeout (no complete packet for idle-timeout) and on the memory budget running out. Without it, jmilter
 * logged a 24-37 line stack trace for a malformed packet and let a MAIL before option negotiation hang.
 *
 * <p>Threading: one instance per connection, called on its event loop only; never blocks.
 */
final class MilterSessionHandler extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(MilterServer.class);

  private final AuthMilterHandler handler;
  private final ConnectionLimits limits;
  private final ConnectionLimits.Admitted admitted;
  private final long idleTimeoutNanos;
  private SessionContext session;
  private long lastPacketNanos;
  private ScheduledFuture<?> idleCheck;

  MilterSessionHandler(AuthMilterHandler handler, ConnectionLimits limits, ConnectionLimits.Admitted admitted) {
    this.handler = handler;
    this.limits = limits;
    this.admitted = admitted;
    this.idleTimeoutNanos = limits.config().idleTimeout().toNanos();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    session = handler.newSession(new ChannelSender(ctx.channel(), admitted), peerText(ctx.channel()));
    lastPacketNanos = System.nanoTime();
    scheduleIdleCheck(ctx, idleTimeoutNanos);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (session == null) {
      return;
    }
    if (msg instanceof MilterFrameDecoder.Frame frame) {
      lastPacketNanos = System.nanoTime();
      admitted.packetArrived((char) frame.command());
      Optional<String> problem = CommandSyntax.problem(frame.command(), frame.payload(), session.isNegotiated());
      if (problem.isPresent()) {
        violation(ctx, problem.get());
        return;
      }
      session.setPacketBytes(frame.payload().length);
      byte[] payload = CommandSyntax.asJmilterExpects(frame.command(), frame.payload());
      CommandEngine.instance().submit(session, MilterPacket.builder().command(frame.command()).payload(payload).build());
    } else if (msg instanceof MilterFrameDecoder.Oversized oversized) {
      lastPacketNanos = System.nanoTime();
      admitted.packetArrived((char) oversized.command());
      if ((oversized.command() == 'L' || oversized.command() == 'B') && session.isNegotiated()) {
        handler.packetTooLarge(session, oversized.command(), oversized.length(), oversized.overBudget());
      } else {
        violation(ctx, "a " + CommandSyntax.name(oversized.command()) + " packet of " + oversized.length()
            + " bytes, over " + limits.config().maxFrameBytes() + " (milter.max-frame-bytes)");
      }
    } else if (msg instanceof MilterFrameDecoder.Refused refused) {
      if (refused.overBudget()) {
        limits.overLimitLog.warn("[{}] closing the connection from {}: {}", session.connection().sessionId(), session.peer(),
            refused.reason());
        ctx.close();
      } else {
        violation(ctx, refused.reason());
      }
    } else {
      ctx.fireChannelRead(msg);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (idleCheck != null) {
      idleCheck.cancel(false);
    }
    if (session != null) {
      handler.closeSession(session);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    String sessionId = session == null ? "-" : session.connection().sessionId();
    if (cause instanceof IOException) {
      // a client going away without QUIT ("Connection reset by peer"): nothing anyone must act on
      LOG.debug("[{}] connection from {} failed: {}", sessionId, peerText(ctx.channel()), cause.toString());
    } else {
      limits.counters().internalErrors.incrementAndGet();
      limits.violationLog.warn("[{}] closing the connection from {}: {}", sessionId, peerText(ctx.channel()),
          LogText.of(cause.toString()));
    }
    ctx.close();
  }

  private void violation(ChannelHandlerContext ctx, String reason) {
    limits.counters().protocolViolations.incrementAndGet();
    limits.violationLog.warn("[{}] closing the connection from {}: {}", session.connection().sessionId(), session.peer(),
        LogText.of(reason));
    ctx.close();
  }

  /**
   * Closes the connection when no complete packet came for idle-timeout. Time since the last complete packet,
   * not the last byte: a client that trickles one byte a second is as idle as one that sends nothing.
   */
  private void scheduleIdleCheck(ChannelHandlerContext ctx, long delayNanos) {
    idleCheck = ctx.executor().schedule(() -> {
      if (!ctx.channel().isActive()) {
        return;
      }
      long idle = System.nanoTime() - lastPacketNanos;
      if (idle >= idleTimeoutNanos) {
        limits.counters().idleConnectionsClosed.incrementAndGet();
        limits.idleLog.info("[{}] closing the connection from {}: no complete packet for {} s (milter.idle-timeout)",
            session.connection().sessionId(), session.peer(), TimeUnit.NANOSECONDS.toSeconds(idle));
        ctx.close();
      } else {
        scheduleIdleCheck(ctx, idleTimeoutNanos - idle);
      }
    }, delayNanos, TimeUnit.NANOSECONDS);
  }

  private static String peerText(Channel channel) {
    return channel.remoteAddress() instanceof InetSocketAddress inet
        ? inet.getAddress().getHostAddress() + ":" + inet.getPort()
        : "unix socket";
  }

  /**
   * How jmilter's context sends: replies may come from any thread (Netty queues them on the event loop). A final
   * reply tells the connection limits that no message of this connection waits for us any more. A header edit or
   * quarantine is only written: it is always followed by the message's final reply, whose flush sends them together,
   * in one write system call instead of one per packet.
   */
  private record ChannelSender(Channel channel, ConnectionLimits.Admitted admitted) implements MilterPacketSender {

    @Override
    public void close() {
      channel.close();
    }

    @Override
    public void send(MilterPacket packet) {
      admitted.packetSent((char) packet.command());
      if (isModification(packet.command())) {
        channel.write(packet);
      } else {
        channel.writeAndFlush(packet);
      }
    }
  }

  /**
   * The end-of-message actions that precede the final reply (SMFIR_ADDHEADER, INSHEADER, CHGHEADER, ADDRCPT,
   * ADDRCPT_PAR, DELRCPT, CHGFROM, REPLBODY, QUARANTINE); every other reply ends a step and is flushed.
   */
  static boolean isModification(int command) {
    return switch (command) {
      case 'h', 'i', 'm', '+', '2', '-', 'e', 'b', 'q' -> true;
      default -> false;
    };
  }
}
