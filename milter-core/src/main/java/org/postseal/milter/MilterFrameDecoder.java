package org.postseal.milter;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Cuts the bytes of one MTA connection into milter packets (4-byte length, command byte, payload) and hands
 * each on as a {@link Frame}, with three bounds jmilter 0.6.1 does not have:
 * <ul>
 *   <li><b>Frame size.</b> A packet longer than max-frame-bytes is never buffered: its bytes are skipped as
 *       they arrive and an {@link Oversized} goes on instead, so the session can refuse its message (a header
 *       or body packet) or close (anything else).</li>
 *   <li><b>Back-pressure.</b> Before each packet it checks that the channel is writable, i.e. that our
 *       unsent replies are under the write buffer's high-water mark. If not, it stops reading from the
 *       socket (auto-read off) until the client has read them. A client that streams one-byte body chunks
 *       and never reads a reply fills its own socket buffers and then waits; before, the replies piled up
 *       in the heap until OutOfMemoryError (10.6 MB of chunks in 7.7 s).</li>
 *   <li><b>Memory.</b> Bytes kept for a packet still arriving are reserved in the server's
 *       {@link MemoryBudget}; when it is exhausted the connection is refused ({@link Refused}). An idle
 *       connection holds no buffer at all.</li>
 * </ul>
 * An empty packet (length 0) is refused too: jmilter's decoder would throw on it.
 *
 * <p>Threading: one instance per connection, called on its event loop only.
 */
final class MilterFrameDecoder extends ChannelInboundHandlerAdapter {

  static final int LENGTH_BYTES = 4;
  /** The most a socket read hands us at once (Netty's adaptive receive buffer tops out at 64 KiB). */
  static final int LARGEST_READ = 64 * 1024;
  private static final int SMALLEST_BUFFER = 1024;

  /** One complete packet: the command byte (0..255) and the payload after it. */
  record Frame(int command, byte[] payload) {
  }

  /**
   * A packet whose payload is being skipped: longer than max-frame-bytes, or ({@code overBudget}) a header field
   * or body chunk the memory budget could not hold while it arrived.
   */
  record Oversized(int command, long length, boolean overBudget) {
  }

  /** Input that ends the connection: nothing more is decoded after it. */
  record Refused(String reason, boolean overBudget) {
  }

  private final int maxFrameBytes;
  private final MemoryBudget budget;
  private final LimitCounters counters;
  /** Bytes received and not yet handed on; null when there are none. */
  private ByteBuf buffer;
  /** Bytes of the budget held for the buffer's capacity. */
  private long reserved;
  /** Payload bytes of an oversized packet still to skip. */
  private long discardLeft;
  private boolean refused;
  /** The connection has closed: nothing more is kept (what a last read brings after the close is dropped). */
  private boolean gone;
  private boolean paused;
  /**
   * True while packets are being handed on: a reply written meanwhile may flush and fire a writability change
   * on this same stack, which must not start a second decoding of the buffer the first one is reading.
   */
  private boolean decoding;

  MilterFrameDecoder(int maxFrameBytes, MemoryBudget budget, LimitCounters counters) {
    this.maxFrameBytes = maxFrameBytes;
    this.budget = budget;
    this.counters = counters;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf in)) {
      ctx.fireChannelRead(msg);
      return;
    }
    try {
      if (refused) {
        return;
      }
      if (buffer != null && !paused) {
        completeWaitingPacket(ctx, in);
      }
      if (buffer == null) {
        // the common case, whole packets in one read: decoded straight from Netty's buffer, no copy
        decode(ctx, in);
      }
      if (in.isReadable() && !refused && !gone && ctx.channel().isActive()) {
        // one packet still arriving, or (paused) packets waiting for our replies to drain
        keep(ctx, in);
      }
      compact();
    } finally {
      in.release();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable() && !refused && !decoding) {
      if (buffer != null) {
        decode(ctx, buffer);
        compact();
      } else if (paused) {
        resume(ctx);
      }
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    gone = true;
    free();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    gone = true;
    free();
  }

  /** Bytes of the budget this connection holds now; for tests. */
  long reservedBytes() {
    return reserved;
  }

  /** Hands on every complete packet in {@code source} while the channel is writable. */
  private void decode(ChannelHandlerContext ctx, ByteBuf source) {
    decoding = true;
    try {
      decodeFrames(ctx, source);
    } finally {
      decoding = false;
    }
  }

  private void decodeFrames(ChannelHandlerContext ctx, ByteBuf source) {
    while (!refused && ctx.channel().isActive()) {
      if (discardLeft > 0) {
        int skip = (int) Math.min(discardLeft, source.readableBytes());
        source.skipBytes(skip);
        discardLeft -= skip;
        if (discardLeft > 0) {
          break;
        }
      }
      if (!ctx.channel().isWritable()) {
        pause(ctx);
        return;
      }
      if (source.readableBytes() < LENGTH_BYTES) {
        break;
      }
      long length = source.getUnsignedInt(source.readerIndex());
      if (length == 0) {
        refuse(ctx, "a packet of length 0", false);
        return;
      }
      if (length > maxFrameBytes) {
        if (source.readableBytes() < LENGTH_BYTES + 1) {
          break;
        }
        int command = source.getUnsignedByte(source.readerIndex() + LENGTH_BYTES);
        source.skipBytes(LENGTH_BYTES + 1);
        discardLeft = length - 1;
        counters.oversizedFrames.incrementAndGet();
        ctx.fireChannelRead(new Oversized(command, length, false));
        continue;
      }
      if (source.readableBytes() < LENGTH_BYTES + length) {
        break;
      }
      source.skipBytes(LENGTH_BYTES);
      int command = source.readUnsignedByte();
      byte[] payload = new byte[(int) length - 1];
      source.readBytes(payload);
      ctx.fireChannelRead(new Frame(command, payload));
    }
    if (paused && !refused) {
      resume(ctx);
    }
  }

  /**
   * The buffer holds the first bytes of one packet: moves from {@code in} only what that packet still lacks and
   * hands it on, so that the buffer never holds more than one packet and one read.
   */
  private void completeWaitingPacket(ChannelHandlerContext ctx, ByteBuf in) {
    while (buffer != null && in.isReadable() && !refused && !paused && !gone) {
      int missing = missingBytes();
      int take = Math.min(Math.max(missing, 0), in.readableBytes());
      if (take > 0) {
        if (!ensureRoom(ctx, take)) {
          overBudget(ctx, in);
          return;
        }
        buffer.writeBytes(in, take);
      }
      decode(ctx, buffer);
      compact();
    }
  }

  /** Bytes the packet at the front of the buffer still lacks: up to its command byte, then up to its end. */
  private int missingBytes() {
    int held = buffer.readableBytes();
    if (held < LENGTH_BYTES + 1) {
      return LENGTH_BYTES + 1 - held;
    }
    long length = buffer.getUnsignedInt(buffer.readerIndex());
    if (length == 0 || length > maxFrameBytes) {
      return 0;
    }
    return (int) (LENGTH_BYTES + length - held);
  }

  /** Appends what is left of {@code in} to the buffer, unless the budget cannot take it ({@link #overBudget}). */
  private void keep(ChannelHandlerContext ctx, ByteBuf in) {
    if (gone) {
      return;
    }
    if (ensureRoom(ctx, in.readableBytes())) {
      buffer.writeBytes(in);
    } else {
      overBudget(ctx, in);
    }
  }

  /**
   * The budget cannot hold the packet arriving: a header field or body chunk is skipped like an oversized one (its
   * message gets the on-limit answer, the connection goes on, the rest of {@code in} is decoded); anything else,
   * or packets waiting while paused, ends the connection.
   */
  private void overBudget(ChannelHandlerContext ctx, ByteBuf in) {
    counters.memoryBudgetRefusals.incrementAndGet();
    int held = buffer == null ? 0 : buffer.readableBytes();
    if (!paused && (long) held + in.readableBytes() > LENGTH_BYTES) {
      // the packet at the front: its first bytes in the buffer (if any), the rest in "in"
      byte[] head = new byte[LENGTH_BYTES + 1];
      int fromBuffer = Math.min(held, head.length);
      if (fromBuffer > 0) {
        buffer.getBytes(buffer.readerIndex(), head, 0, fromBuffer);
      }
      in.getBytes(in.readerIndex(), head, fromBuffer, head.length - fromBuffer);
      long length = ((head[0] & 0xFFL) << 24) | ((head[1] & 0xFF) << 16) | ((head[2] & 0xFF) << 8) | (head[3] & 0xFF);
      int command = head[LENGTH_BYTES] & 0xFF;
      long unread = LENGTH_BYTES + length - held;
      if ((command == 'L' || command == 'B') && length <= maxFrameBytes && unread > 0) {
        int skip = (int) Math.min(unread, in.readableBytes());
        in.skipBytes(skip);
        discardLeft = unread - skip;
        free();
        ctx.fireChannelRead(new Oversized(command, length, true));
        decode(ctx, in);
        if (in.isReadable() && !refused && !gone && ctx.channel().isActive()) {
          keep(ctx, in);
        }
        return;
      }
    }
    refuse(ctx, "the memory for all sessions (" + budget.describe() + ") is used up (" + budget.held()
        + " bytes held)", true);
  }

  private boolean ensureRoom(ChannelHandlerContext ctx, int more) {
    if (buffer == null) {
      int capacity = Math.max(more, SMALLEST_BUFFER);
      if (!reserveTo(capacity)) {
        return false;
      }
      buffer = ctx.alloc().heapBuffer(capacity);
      return true;
    }
    if (buffer.writableBytes() >= more) {
      return true;
    }
    buffer.discardReadBytes();
    if (buffer.writableBytes() >= more) {
      return true;
    }
    int needed = buffer.readableBytes() + more;
    // doubling, but never past one packet plus one read unless more is needed right now
    int capacity = Math.max(needed, (int) Math.min(2L * buffer.capacity(), (long) maxFrameBytes + LENGTH_BYTES + LARGEST_READ));
    if (!reserveTo(capacity)) {
      return false;
    }
    buffer.capacity(capacity);
    return true;
  }

  private boolean reserveTo(long capacity) {
    long delta = capacity - reserved;
    if (delta > 0 && !budget.reserve(delta)) {
      return false;
    }
    if (delta < 0) {
      budget.release(-delta);
    }
    reserved = capacity;
    return true;
  }

  /** An empty buffer is given back at once: idle connections hold nothing. */
  private void compact() {
    if (buffer != null && !buffer.isReadable()) {
      free();
    } else if (buffer != null && buffer.readerIndex() > buffer.capacity() / 2) {
      buffer.discardReadBytes();
    }
  }

  private void free() {
    if (buffer != null) {
      buffer.release();
      buffer = null;
    }
    reserveTo(0);
  }

  private void pause(ChannelHandlerContext ctx) {
    if (!paused) {
      paused = true;
      counters.readsPaused.incrementAndGet();
      ctx.channel().config().setAutoRead(false);
    }
  }

  private void resume(ChannelHandlerContext ctx) {
    paused = false;
    ctx.channel().config().setAutoRead(true);
  }

  private void refuse(ChannelHandlerContext ctx, String reason, boolean overBudget) {
    refused = true;
    discardLeft = 0;
    free();
    ctx.fireChannelRead(new Refused(reason, overBudget));
  }
}
