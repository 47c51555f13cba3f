package org.postseal.milter;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postseal.config.ListenAddress;
import org.postseal.config.MilterConfig;
import org.postseal.milter.client.Envelope;
import org.postseal.milter.client.MilterProtocol;

/**
 * What reached the milter port in issue 11 and ended the process or the log's trust, replayed over real sockets.
 * Root cause: jmilter 0.6.1 buffers whatever a client sends and queues every reply without bound, and our
 * adapter kept everything a message sent and logged wire values as they came.
 */
@Timeout(120)
class Issue11Test {

  private final ScriptedPipeline pipeline = new ScriptedPipeline();
  private MilterServer server;

  private MilterServer start(MilterConfig limits) throws IOException {
    server = MilterServer.start(new ListenAddress.Inet("127.0.0.1", 0), pipeline, Duration.ofSeconds(2), limits);
    return server;
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** A well-behaved session, as Postfix would run it, which must keep working whatever others do. */
  private void normalSessionSucceeds() throws IOException {
    assertThat(HostileClients.normalSession(server.boundAddress())).isTrue();
  }

  /**
   * Before: 10.6 MB of one-byte body chunks in 7.7 s, every reply queued in the heap, OutOfMemoryError. Now the
   * milter stops reading from the connection once 8 KiB of replies wait (unless the kernel's buffers stop the
   * client first): its queued replies stay bounded.
   */
  @Test
  void aClientThatNeverReadsItsRepliesCannotMakeThemPileUp() throws Exception {
    start(MilterConfig.defaults());
    AtomicLong mostPending = new AtomicLong();
    AtomicLong mostBuffered = new AtomicLong();
    String outcome = HostileClients.nonReadingOneByteChunks(server.boundAddress(),
        () -> HostileClients.normalSession(server.boundAddress()), () -> {
          mostPending.accumulateAndGet(server.pendingReplyBytes(), Math::max);
          mostBuffered.accumulateAndGet(server.bufferedBytes(), Math::max);
        });
    // 64 MB of packets at most: far past the 10.6 MB that used to kill the process
    assertThat(outcome).as("nobody stopped reading").startsWith("writes stalled after");
    // Netty counts 96 bytes per queued reply besides its 5: the high-water mark (8 KiB) plus one step's replies
    assertThat(mostPending.get()).isLessThan(16 * 1024);
    assertThat(mostBuffered.get()).isLessThan(MilterConfig.DEFAULT_MAX_FRAME_BYTES + 2 * MilterFrameDecoder.LARGEST_READ);
    normalSessionSucceeds();
  }

  /** Before: one connection sending 1,000,000-byte header fields killed the process at the 118th. */
  @Test
  void megabyteHeaderFieldsAreSkippedUnreadAndTheirMessageIsRefused() throws Exception {
    start(MilterConfig.defaults());
    List<String> replies = new ArrayList<>();
    // 200 of them, with a normal session after the 120th
    HostileClients.megabyteHeaderFields(server.boundAddress(), () -> HostileClients.normalSession(server.boundAddress()),
        replies);
    assertThat(replies).singleElement().asString().startsWith("y451 4.3.4 Postseal could not check this message (a header"
        + " packet of 1000010 bytes, over 262144)");
    assertThat(server.counters().oversizedFrames()).isEqualTo(200);
    assertThat(server.counters().messagesOverLimit()).isEqualTo(1);
    assertThat(pipeline.decided).isNotEmpty().allMatch(seen -> !seen.queueId().equals("HOSTILE1"));
    normalSessionSucceeds();
  }

  /** Before: 16 concurrent sessions of 100 header fields of 100 KB each killed the process. */
  @Test
  void sixteenSessionsOfHundredKilobyteHeaderFieldsEachStopAtTheirLimit() throws Exception {
    start(MilterConfig.defaults());
    List<String> replies = new ArrayList<>();
    HostileClients.sixteenSessions(server.boundAddress(), () -> HostileClients.normalSession(server.boundAddress()), replies);
    assertThat(replies).hasSize(16).allMatch(reply -> reply.startsWith(
        "y451 4.3.4 Postseal could not check this message (more than 1048576 bytes of header fields)"));
    assertThat(server.counters().messagesOverLimit()).isEqualTo(16);
    awaitBudgetReturned();
    normalSessionSucceeds();
  }

  /** Before: idle connections piled up to the file-descriptor limit. */
  @Test
  void idleConnectionsAreClosedAfterTheIdleTimeout() throws Exception {
    start(MilterConfig.defaults().withIdleTimeout(Duration.ofSeconds(1)));
    List<HostileClient> idle = new ArrayList<>();
    try {
      for (int i = 0; i < 20; i++) {
        idle.add(HostileClient.connect(server.boundAddress()).negotiate(HostileClient.STEPS_POSTFIX));
      }
      for (HostileClient client : idle) {
        assertThat(client.isClosedByMilterWithin(Duration.ofSeconds(5))).isTrue();
      }
      assertThat(server.counters().idleConnectionsClosed()).isEqualTo(20);
      awaitOpenConnections(0);
    } finally {
      idle.forEach(HostileClient::close);
    }
  }

  /** Before: a malformed packet logged a 24-37 line stack trace; now one line, and the connection closes. */
  @Test
  void aMalformedPacketIsOneLogLineAndClosesOnlyItsConnection() throws Exception {
    start(MilterConfig.defaults());
    try (LogCapture log = new LogCapture();
         HostileClient attacker = HostileClient.connect(server.boundAddress()).negotiate(HostileClient.STEPS_POSTFIX)) {
      // a macro packet without its stage byte: jmilter's engine used to throw ArrayIndexOutOfBoundsException
      attacker.packet(MilterProtocol.SMFIC_MACRO, new byte[0]).flush();
      assertThat(attacker.isClosedByMilterWithin(Duration.ofSeconds(5))).isTrue();
      log.await(line -> line.contains("closing the connection from 127.0.0.1:"));
      normalSessionSucceeds();
      List<ILoggingEvent> warnings = log.events().stream().filter(e -> e.getLevel().isGreaterOrEqual(
          ch.qos.logback.classic.Level.WARN)).toList();
      assertThat(warnings).singleElement().satisfies(event -> {
        assertThat(event.getThrowableProxy()).isNull();
        assertThat(event.getFormattedMessage()).endsWith(": macros without a stage").doesNotContain("\n");
      });
    }
    assertThat(server.counters().protocolViolations()).isEqualTo(1);
  }

  /** Before: a CR or LF in the queue id (macro i) started a forged line in the log. */
  @Test
  void aLineBreakInAMacroCannotForgeALogLine() throws Exception {
    start(MilterConfig.defaults());
    String forgedQueueId = "4XQ\r\n2026-12-01T00:00:00Z INFO message: queue=FAKE decision=\"signed\"";
    try (LogCapture log = new LogCapture(); FakeMta mta = FakeMta.connect(server.boundAddress())) {
      Envelope envelope = FakeMta.envelope("203.0.113.5").withQueueId(forgedQueueId);
      assertThat(mta.send(envelope, "From: a@example.net\r\n\r\nhi\r\n".getBytes(StandardCharsets.UTF_8)).reply().isContinue())
          .isTrue();
      String line = log.await(l -> l.startsWith("queue=4XQ"));
      assertThat(line).startsWith("queue=4XQ\\r\\n2026-12-01T00:00:00Z INFO message: queue=FAKE ");
      assertThat(log.lines()).noneMatch(l -> l.contains("\r") || l.contains("\n"));
    }
  }

  /** Before: MAIL before option negotiation got no reply (a NullPointerException inside jmilter) and hung. */
  @Test
  void mailBeforeOptionNegotiationClosesTheConnectionWithOneLine() throws Exception {
    start(MilterConfig.defaults());
    try (LogCapture log = new LogCapture(); HostileClient attacker = HostileClient.connect(server.boundAddress())) {
      attacker.packet(MilterProtocol.SMFIC_MAIL, HostileClient.z("<a@example.net>")).flush();
      assertThat(attacker.isClosedByMilterWithin(Duration.ofSeconds(5))).isTrue();
      assertThat(log.await(l -> l.contains("MAIL before option negotiation"))).doesNotContain("\n");
      assertThat(log.events()).allMatch(e -> e.getThrowableProxy() == null);
    }
    normalSessionSucceeds();
  }

  private void awaitOpenConnections(int expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (server.sessionsOpen() != expected && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(server.sessionsOpen()).isEqualTo(expected);
  }

  private void awaitBudgetReturned() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (server.bufferedBytes() != 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(server.bufferedBytes()).isZero();
  }
}
