package org.postseal.milter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postseal.milter.HostileClient.cat;
import static org.postseal.milter.HostileClient.z;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postseal.config.ListenAddress;
import org.postseal.config.MilterConfig;
import org.postseal.milter.client.Envelope;
import org.postseal.milter.client.MilterProtocol;

/**
 * The milter-frame cases of issue 11's hostile input list, each with its expected result, over real sockets:
 * truncated, oversized, unknown and out-of-order commands, macros with huge values, a million tiny body chunks,
 * and the header limits with each on-limit answer. After each, the memory budget is back to zero.
 */
@Timeout(120)
class HostileInputTest {

  private static final byte[] BODY = "body\r\n".getBytes(StandardCharsets.US_ASCII);

  private final ScriptedPipeline pipeline = new ScriptedPipeline();
  private MilterServer server;

  private void start(MilterConfig limits) throws IOException {
    server = MilterServer.start(new ListenAddress.Inet("127.0.0.1", 0), pipeline, Duration.ofSeconds(2), limits);
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (server != null) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while ((server.sessionsOpen() > 0 || server.bufferedBytes() > 0) && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(server.bufferedBytes()).as("budget held after the test").isZero();
      server.close();
    }
  }

  private HostileClient attacker() throws IOException {
    return HostileClient.connect(server.boundAddress()).negotiate(HostileClient.STEPS_POSTFIX);
  }

  private boolean normalSessionSucceeds() throws IOException {
    return HostileClients.normalSession(server.boundAddress());
  }


  @Test
  void aPacketCutOffByTheClientGoingAwayLeavesNothingBehind() throws Exception {
    start(MilterConfig.defaults());
    try (HostileClient attacker = attacker().beginMessage(true)) {
      // the length of a 200,000-byte header field, and 100,000 of its bytes
      attacker.raw(new byte[] {0, 3, 0x0D, 0x40, 'L'}).raw(new byte[100_000]).flush();
      Thread.sleep(200);
      assertThat(server.bufferedBytes()).as("the partial packet is held while it arrives").isGreaterThan(100_000);
    }
    assertThat(normalSessionSucceeds()).isTrue();
  }

  /**
   * A length field of 0xFFFFFFFF (4 GiB; negative when read as a signed int): skipped as it arrives, never held,
   * and a client that gives up on it leaves nothing behind.
   */
  @Test
  void aPacketDeclaringFourGibibytesIsSkippedAsItArrivesAndNeverHeld() throws Exception {
    start(MilterConfig.defaults());
    try (HostileClient attacker = attacker().beginMessage(true)) {
      attacker.raw(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 'L'}).raw(new byte[300_000]).flush();
      Thread.sleep(200);
      assertThat(server.bufferedBytes()).as("what is held of 300,000 bytes sent").isLessThan(100_000);
    }
    assertThat(server.counters().oversizedFrames()).isEqualTo(1);
    assertThat(normalSessionSucceeds()).isTrue();
  }

  @Test
  void anOversizedBodyChunkMakesItsMessageOverLimitAndTheConnectionGoesOn() throws Exception {
    start(MilterConfig.defaults().withOnLimit(MilterConfig.LimitAction.ACCEPT));
    try (HostileClient attacker = attacker().beginMessage(true)) {
      attacker.packet(MilterProtocol.SMFIC_EOH, new byte[0]).packet(MilterProtocol.SMFIC_BODY, new byte[300_000]);
      assertThat(attacker.endMessage(BODY)).as("on-limit = accept: unchanged").isEqualTo("c");
      // the next message on the same connection is checked as usual
      attacker.packet(MilterProtocol.SMFIC_MAIL, z("<b@example.net>")).flush();
      assertThat(attacker.readPacket()).containsExactly('c');
      attacker.header("From", "b@example.net");
      assertThat(attacker.endMessage(BODY)).isEqualTo("c");
    }
    assertThat(server.counters().messagesOverLimit()).isEqualTo(1);
    assertThat(pipeline.decided).singleElement().satisfies(seen -> assertThat(seen.mailFrom()).isEqualTo("<b@example.net>"));
  }

  @Test
  void anUnknownCommandClosesTheConnection() throws Exception {
    start(MilterConfig.defaults());
    try (HostileClient attacker = attacker()) {
      attacker.packet('Z', new byte[10]).flush();
      assertThat(attacker.isClosedByMilterWithin(Duration.ofSeconds(5))).isTrue();
    }
    assertThat(server.counters().protocolViolations()).isEqualTo(1);
    assertThat(normalSessionSucceeds()).isTrue();
  }

  /** Message steps without MAIL FROM are answered and ignored, as libmilter does; nothing reaches the pipeline. */
  @Test
  void stepsOutOfOrderAreAnsweredAndIgnored() throws Exception {
    start(MilterConfig.defaults());
    try (HostileClient attacker = attacker()) {
      attacker.header("From", "a@example.net").packet(MilterProtocol.SMFIC_EOH, new byte[0])
          .packet(MilterProtocol.SMFIC_BODY, BODY).packet(MilterProtocol.SMFIC_BODYEOB, new byte[0]).flush();
      assertThat(attacker.readPacket()).containsExactly('c');
      attacker.packet(MilterProtocol.SMFIC_ABORT, new byte[0]).packet(MilterProtocol.SMFIC_DATA, new byte[0]).flush();
      assertThat(attacker.readPacket()).containsExactly('c');
      attacker.packet(MilterProtocol.SMFIC_OPTNEG, new byte[] {0, 0, 0, 6, 0, 0, 1, (byte) 0xFF, 0, 0x1F, (byte) 0xFF,
          (byte) 0xFF}).flush();
      assertThat(attacker.readPacket()[0]).as("a second negotiation is answered").isEqualTo((byte) 'O');
    }
    assertThat(pipeline.decided).isEmpty();
    assertThat(server.counters().protocolViolations()).isZero();
  }

  /**
   * A queue id of 200,000 characters: kept within the budget (and given back), logged cut to 300 characters;
   * macros we did not ask for are not kept at all.
   */
  @Test
  void macrosWithHugeValuesAreHeldWithinTheBudgetAndLoggedCut() throws Exception {
    start(MilterConfig.defaults());
    char[] huge = new char[200_000];
    Arrays.fill(huge, 'Q');
    try (LogCapture log = new LogCapture(); HostileClient attacker = attacker()) {
      byte[] unasked = new byte[200_000];
      Arrays.fill(unasked, (byte) 'u');
      attacker.packet(MilterProtocol.SMFIC_MACRO, cat(new byte[] {'C'}, z("{unasked}"), unasked, new byte[1],
          z("j"), z("mta.example")));
      attacker.beginMessage(true);
      attacker.packet(MilterProtocol.SMFIC_MACRO, cat(new byte[] {'E'}, z("i"), z(new String(huge))));
      assertThat(attacker.endMessage(BODY)).isEqualTo("c");
      String line = log.await(l -> l.startsWith("queue=QQQ"));
      assertThat(line).startsWith("queue=" + "Q".repeat(300) + "...(199700 more) session=");
    }
    assertThat(pipeline.decided).singleElement().satisfies(seen -> assertThat(seen.macros()).doesNotContainKey("{unasked}"));
  }

  @Test
  void aMillionOneByteBodyChunksAreHashedLikeAnyBody() throws Exception {
    start(MilterConfig.defaults());
    byte[] body = new byte[1_000_000];
    Arrays.fill(body, (byte) 'b');
    long start = System.nanoTime();
    try (FakeMta mta = FakeMta.connect(server.boundAddress(), FakeMta.postfix().withChunkSize(1))) {
      Envelope envelope = FakeMta.envelope("203.0.113.5");
      byte[] message = cat("From: a@example.net\r\n\r\n".getBytes(StandardCharsets.US_ASCII), body);
      assertThat(mta.send(envelope, message).reply().isContinue()).isTrue();
    }
    System.out.printf("a million one-byte body chunks (and a macro packet before each): %d ms%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    assertThat(pipeline.decided).singleElement().satisfies(seen -> assertThat(seen.body()).isEqualTo(body));
  }

  @Test
  void oneHeaderFieldTooManyMakesTheMessageOverLimit() throws Exception {
    start(MilterConfig.defaults().withHeaderLimits(50, MilterConfig.DEFAULT_MAX_HEADER_BYTES));
    try (HostileClient attacker = attacker().beginMessage(true)) {
      for (int i = 0; i < 49; i++) {
        attacker.header("X-Field-" + i, "value");
      }
      assertThat(attacker.endMessage(BODY)).as("From and 49 more: exactly 50").isEqualTo("c");
    }
    try (HostileClient attacker = attacker().beginMessage(true)) {
      for (int i = 0; i < 50; i++) {
        attacker.header("X-Field-" + i, "value");
      }
      assertThat(attacker.endMessage(BODY))
          .isEqualTo("y451 4.3.4 Postseal could not check this message (more than 50 header fields), try again later");
    }
    assertThat(server.counters().messagesOverLimit()).isEqualTo(1);
  }

  @Test
  void anOutboundMessageOverLimitIsAlwaysTemporarilyRefused() throws Exception {
    start(MilterConfig.defaults().withHeaderLimits(50, MilterConfig.MIN_MAX_HEADER_BYTES)
        .withOnLimit(MilterConfig.LimitAction.ACCEPT));
    try (FakeMta mta = FakeMta.connect(server.boundAddress())) {
      Envelope outbound = FakeMta.envelope("203.0.113.5").withAuthUser("alice");
      String header = "From: alice@example.com\r\nX-Big: " + "x".repeat(70_000) + "\r\n\r\n";
      FakeMta.MilterOutcome outcome = mta.send(outbound, (header + "hi\r\n").getBytes(StandardCharsets.US_ASCII));
      assertThat(outcome.reply().text()).isEqualTo(
          "451 4.3.4 Postseal could not sign this message (more than 65536 bytes of header fields), try again later");
      assertThat(outcome.changes()).isEmpty();
    }
    assertThat(pipeline.decided).isEmpty();
  }

  /**
   * Sixteen sessions of 100 header fields of 100 KB against a budget of 4 MiB: every message gets its answer
   * (4.3.4 over max-header-bytes, or 4.3.1 when the budget ran out first); no connection is cut, which would let
   * Postfix apply milter_default_action to the message.
   */
  @Test
  void sessionsOverASmallBudgetAllGetTheirAnswerAndNoneIsCut() throws Exception {
    server = MilterServer.start(new ListenAddress.Inet("127.0.0.1", 0), pipeline, Duration.ofSeconds(2),
        MilterConfig.defaults(), new MemoryBudget(4L * 1024 * 1024));
    java.util.List<String> replies = new java.util.ArrayList<>();
    assertThat(HostileClients.sixteenSessions(server.boundAddress(), this::normalSessionSucceeds, replies))
        .startsWith("replies ");
    assertThat(replies).hasSize(16).allMatch(r -> r.startsWith("y451 4.3.4 ") || r.startsWith("y451 4.3.1 "));
    assertThat(replies).anyMatch(r -> r.startsWith("y451 4.3.1 "));
    assertThat(server.counters().memoryBudgetRefusals()).isPositive();
    assertThat(server.counters().protocolViolations()).isZero();
  }

  @Test
  void theMemoryBudgetSharedByAllSessionsRefusesWhatDoesNotFit() throws Exception {
    server = MilterServer.start(new ListenAddress.Inet("127.0.0.1", 0), pipeline, Duration.ofSeconds(2),
        MilterConfig.defaults(), new MemoryBudget(600_000));
    try (HostileClient first = attacker().beginMessage(true); HostileClient second = attacker().beginMessage(true)) {
      // 2 x 100 KB held per field: the first message takes most of the budget, the second one does not fit
      first.header("X-Big-1", 100_000).header("X-Big-2", 100_000).flush();
      Thread.sleep(200);
      second.header("X-Big-1", 100_000).header("X-Big-2", 100_000);
      assertThat(second.endMessage(BODY)).isEqualTo(
          "y451 4.3.1 Postseal could not check this message (the memory for all sessions (600000 bytes) is used up), try again later");
      assertThat(first.endMessage(BODY)).isEqualTo("c");
    }
    assertThat(server.counters().memoryBudgetRefusals()).isPositive();
    assertThat(normalSessionSucceeds()).isTrue();
  }
}
