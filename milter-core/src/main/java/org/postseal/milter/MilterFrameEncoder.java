package org.postseal.milter;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import org.nightcode.milter.codec.MilterPacket;

/**
 * Writes one reply packet (4-byte length, command, payload) into a heap buffer of exactly its size. jmilter's
 * two encoders allocate a 256-byte direct buffer per reply, which is what a client that never reads its
 * replies keeps alive until the write buffer's high-water mark stops us reading from it.
 */
@ChannelHandler.Sharable
final class MilterFrameEncoder extends MessageToByteEncoder<MilterPacket> {

  static final MilterFrameEncoder INSTANCE = new MilterFrameEncoder();

  private MilterFrameEncoder() {
    super(MilterPacket.class, false);
  }

  @Override
  protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, MilterPacket packet, boolean preferDirect) {
    return ctx.alloc().heapBuffer(MilterFrameDecoder.LENGTH_BYTES + 1 + packet.payload().length);
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, MilterPacket packet, ByteBuf out) {
    byte[] payload = packet.payload();
    out.writeInt(1 + payload.length);
    out.writeByte(packet.command());
    out.writeBytes(payload);
  }
}
