package org.postseal.milter;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.postseal.config.MilterConfig;
import org.postseal.dns.Deadline;
import org.postseal.metrics.PostsealMetrics;
import org.postseal.pipeline.ConnectionState;
import org.postseal.pipeline.Direction;
import org.postseal.pipeline.MessagePipeline;
import org.postseal.pipeline.MessageState;
import org.postseal.pipeline.MessageVerdict;
import org.postseal.pipeline.Reply;
import org.slf4j.LoggerFactory;

/**
 * Fuzzes what a client can send to the milter port: any bytes, cut into reads of any size, through our whole
 * per-connection pipeline (frame decoder, packet checks, jmilter's command engine, our handler) on an embedded
 * channel. Whatever the bytes, nothing escapes, no packet reaches jmilter that it cannot process, no exception
 * comes from our code, what the connection holds stays within its bounds while it runs, and all of it is given
 * back when it closes.
 *
 * <p>{@code mvn verify} runs it twice: over the seed corpus in {@code MilterFrameFuzzTestInputs/} (a Postfix
 * session, and each kind of bad input), then for a few seconds of fuzzing (JAZZER_FUZZ=1, the milter-core POM).
 * bench/fuzz.sh fuzzes for longer and prints the executions. A finding is written next to the seeds, where it
 * becomes a regression input.
 */
class MilterFrameFuzzTest {

  /** The smallest limits, so that short runs reach them. */
  private static final MilterConfig LIMITS = new MilterConfig(MilterConfig.MIN_MAX_FRAME_BYTES, MilterConfig.MIN_MAX_HEADER_FIELDS,
      MilterConfig.MIN_MAX_HEADER_BYTES, 10, 10, Duration.ofMinutes(10), MilterConfig.LimitAction.TEMPFAIL);
  /** What one connection may hold: a packet arriving and one read, and its message's header fields. */
  private static final long MOST_HELD = 2L * (MilterConfig.MIN_MAX_FRAME_BYTES + MilterFrameDecoder.LARGEST_READ)
      + 4L * MilterConfig.MIN_MAX_HEADER_BYTES;

  /** One for all executions: each registers its metrics once, as serve does. */
  private static final PostsealMetrics METRICS = new PostsealMetrics();

  private static final List<String> QUIET = List.of("org.postseal", "org.nightcode", "io.netty");
  private static final Map<String, Level> saved = new java.util.HashMap<>();

  /** Every execution logs its protocol violation: the console would cost more than the execution. */
  @BeforeAll
  static void quiet() {
    JmilterLogging.routeToSlf4j();
    for (String name : QUIET) {
      Logger logger = (Logger) LoggerFactory.getLogger(name);
      saved.put(name, logger.getLevel());
      logger.setLevel(Level.OFF);
    }
  }

  @AfterAll
  static void restore() {
    for (String name : QUIET) {
      ((Logger) LoggerFactory.getLogger(name)).setLevel(saved.get(name));
    }
  }

  /**
   * The first byte says how the rest is cut into reads (1 to 256 bytes each); the rest is what the client sends.
   */
  @FuzzTest(maxDuration = "8s")
  void whatAClientSendsEndsInRepliesOrAClosedConnectionNeverInAnEscape(byte[] input) {
    if (input.length == 0) {
      return;
    }
    MemoryBudget budget = new MemoryBudget(16L * 1024 * 1024);
    ConnectionLimits limits = new ConnectionLimits(LIMITS, budget);
    AuthMilterHandler handler = new AuthMilterHandler(new AcceptingPipeline(), Runnable::run, new InFlightMessages(),
        METRICS, limits);
    EmbeddedChannel channel = new EmbeddedChannel(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        MilterServer.install(ch, handler, limits);
      }
    });
    int readSize = (input[0] & 0xFF) + 1;
    for (int at = 1; at < input.length && channel.isActive(); at += readSize) {
      channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(input, at, Math.min(input.length, at + readSize))));
      channel.runPendingTasks();
      assertThat(budget.held()).as("held by one connection").isLessThanOrEqualTo(MOST_HELD);
      channel.releaseOutbound();
    }
    channel.finishAndReleaseAll();
    channel.runPendingTasks();
    assertThat(limits.counters().internalErrors()).as("internal errors; %s", limits.counters()).isZero();
    assertThat(budget.held()).as("held after the connection closed").isZero();
  }

  /** A pipeline that records nothing and passes every message: the fuzz target is the protocol, not the checks. */
  private static final class AcceptingPipeline implements MessagePipeline {

    @Override
    public MessageState beginMessage(ConnectionState connection, String mailFrom, Map<String, String> macros) {
      Direction direction = macros.getOrDefault("{auth_authen}", "").isEmpty() ? Direction.INBOUND : Direction.OUTBOUND;
      return new MessageState(connection.sessionId(), connection.clientAddress().orElse(null), mailFrom, macros, direction,
          System.nanoTime(), Deadline.unarmed(Duration.ofSeconds(1)));
    }

    @Override
    public void endOfHeaders(MessageState message) {
      message.headers().forEach(field -> field.raw().length());
    }

    @Override
    public void body(MessageState message, byte[] chunk, int offset, int length) {
      if (offset < 0 || length < 0 || offset + length > chunk.length) {
        throw new IllegalArgumentException("chunk " + offset + "+" + length + " of " + chunk.length);
      }
    }

    @Override
    public CompletableFuture<Void> readyToDecide(MessageState message) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public MessageVerdict decide(MessageState message) {
      return new MessageVerdict(List.of(), Reply.CONTINUE, "accepted", List.of());
    }
  }
}
