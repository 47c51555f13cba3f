package org.postseal.milter;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The frame decoder on an embedded channel, where the test decides what arrives in which pieces and when the
 * channel is writable (the socket tests in Issue11Test and HostileInputTest cannot control the kernel's buffers).
 */
class MilterFrameDecoderTest {

  private static final int MAX_FRAME = 65_536;

  private final LimitCounters counters = new LimitCounters();
  private final MemoryBudget budget = new MemoryBudget(1024 * 1024);
  private final EmbeddedChannel channel = new EmbeddedChannel(new MilterFrameDecoder(MAX_FRAME, budget, counters));

  private static byte[] frame(char command, byte[] payload) {
    return HostileClient.cat(new byte[] {0, (byte) ((payload.length + 1) >>> 16), (byte) ((payload.length + 1) >>> 8),
        (byte) (payload.length + 1), (byte) command}, payload);
  }

  private List<Object> received() {
    List<Object> out = new ArrayList<>();
    Object message;
    while ((message = channel.readInbound()) != null) {
      out.add(message);
    }
    return out;
  }

  private void arrive(byte[] bytes) {
    channel.writeInbound(Unpooled.wrappedBuffer(bytes));
  }

  private static String describe(Object event) {
    if (event instanceof MilterFrameDecoder.Frame frame) {
      return (char) frame.command() + ":" + new String(frame.payload(), java.nio.charset.StandardCharsets.ISO_8859_1);
    }
    return event.toString();
  }

  @Test
  void packetsSplitAcrossReadsOrSharingOneComeOutWhole() {
    byte[] bytes = HostileClient.cat(frame('H', HostileClient.z("helo.example")), frame('B', "body".getBytes()),
        frame('N', new byte[0]));
    for (byte b : bytes) {
      arrive(new byte[] {b});
    }
    arrive(HostileClient.cat(frame('A', new byte[0]), frame('Q', new byte[0])));
    assertThat(received()).extracting(MilterFrameDecoderTest::describe)
        .containsExactly("H:helo.example\0", "B:body", "N:", "A:", "Q:");
    assertThat(budget.held()).as("no bytes waiting: no buffer held").isZero();
  }

  @Test
  void anUnwritableChannelIsNotReadFromUntilItsRepliesDrain() {
    channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
    arrive(HostileClient.cat(frame('B', "1".getBytes()), frame('B', "2".getBytes()), frame('B', "3".getBytes())));
    assertThat(received()).isEmpty();
    assertThat(channel.config().isAutoRead()).isFalse();
    assertThat(counters.readsPaused()).isEqualTo(1);
    assertThat(budget.held()).as("the undelivered packets are kept, within the budget").isPositive();

    channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
    channel.runPendingTasks();
    assertThat(received()).extracting(MilterFrameDecoderTest::describe).containsExactly("B:1", "B:2", "B:3");
    assertThat(channel.config().isAutoRead()).isTrue();
    assertThat(budget.held()).isZero();
  }

  @Test
  void aPacketOverTheLimitIsSkippedAsItArrivesWithoutBeingBuffered() {
    byte[] oversized = new byte[MAX_FRAME + 10];
    oversized[0] = 0;
    oversized[1] = (byte) ((MAX_FRAME + 6) >>> 16);
    oversized[2] = (byte) ((MAX_FRAME + 6) >>> 8);
    oversized[3] = (byte) (MAX_FRAME + 6);
    oversized[4] = 'L';
    // 4 length bytes + the declared MAX_FRAME + 6: the rest of it and one small packet follow in pieces
    arrive(java.util.Arrays.copyOfRange(oversized, 0, 1000));
    assertThat(received()).singleElement().isEqualTo(new MilterFrameDecoder.Oversized('L', MAX_FRAME + 6, false));
    assertThat(budget.held()).isZero();
    byte[] rest = java.util.Arrays.copyOfRange(oversized, 1000, MAX_FRAME + 10);
    arrive(HostileClient.cat(rest, frame('N', new byte[0])));
    assertThat(received()).extracting(MilterFrameDecoderTest::describe).containsExactly("N:");
    assertThat(counters.oversizedFrames()).isEqualTo(1);
  }

  @Test
  void anEmptyPacketEndsTheInput() {
    arrive(new byte[] {0, 0, 0, 0, 0, 0, 0, 1, 'N'});
    assertThat(received()).singleElement()
        .isEqualTo(new MilterFrameDecoder.Refused("a packet of length 0", false));
    arrive(frame('N', new byte[0]));
    assertThat(received()).as("nothing after a refusal").isEmpty();
  }

  @Test
  void aHeaderFieldThatDoesNotFitTheMemoryBudgetIsSkippedLikeAnOversizedOne() {
    EmbeddedChannel small = new EmbeddedChannel(new MilterFrameDecoder(MAX_FRAME, new MemoryBudget(2048), counters));
    byte[] big = frame('L', new byte[4000]);
    small.writeInbound(Unpooled.wrappedBuffer(java.util.Arrays.copyOf(big, 3000)));
    assertThat((Object) small.readInbound()).isEqualTo(new MilterFrameDecoder.Oversized('L', 4001, true));
    small.writeInbound(Unpooled.wrappedBuffer(HostileClient.cat(java.util.Arrays.copyOfRange(big, 3000, big.length),
        frame('N', new byte[0]))));
    assertThat((Object) small.readInbound()).isInstanceOfSatisfying(MilterFrameDecoder.Frame.class,
        frame -> assertThat(frame.command()).isEqualTo('N'));
    assertThat(counters.memoryBudgetRefusals()).isEqualTo(1);
  }

  @Test
  void anyOtherPacketThatDoesNotFitTheMemoryBudgetEndsTheInput() {
    EmbeddedChannel small = new EmbeddedChannel(new MilterFrameDecoder(MAX_FRAME, new MemoryBudget(2048), counters));
    small.writeInbound(Unpooled.wrappedBuffer(java.util.Arrays.copyOf(frame('M', new byte[4000]), 3000)));
    assertThat((Object) small.readInbound()).isInstanceOfSatisfying(MilterFrameDecoder.Refused.class,
        refused -> assertThat(refused.overBudget()).isTrue());
    assertThat(counters.memoryBudgetRefusals()).isEqualTo(1);
  }

  @Test
  void aClosedConnectionGivesItsBufferBack() {
    arrive(java.util.Arrays.copyOf(frame('L', new byte[5000]), 3000));
    assertThat(budget.held()).isPositive();
    channel.close();
    assertThat(budget.held()).isZero();
  }
}
