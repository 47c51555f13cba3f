package org.postseal.milter;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
    try (FakeMta mta = FakeMta.connect(server.boundAddress())) {
      FakeMta.MilterOutcome outcome = mta.send(FakeMta.envelope("203.0.113.5"),
          "From: a@example.net\r\nSubject: normal\r\n\r\nhello\r\n".getBytes(StandardCharsets.UTF_8));
      assertThat(outcome.reply().isContinue()).isTrue();
    }
  }

  /**
   * Before: 10.6 MB of one-byte body chunks (each after its macro packet, as Postfix sends them) in 7.7 s, every
   * reply queued in the heap, OutOfMemoryError. Now the milter stops reading from the connection once 8 KiB of
   * replies wait (or the kernel's buffers stop the client first): its queued replies stay bounded.
   */
  @Test
  void aClientThatNeverReadsItsRepliesCannotMakeThemPileUp() throws Exception {
    start(MilterConfig.defaults());
    HostileClient attacker = HostileClient.connect(server.boundAddress(), "127.0.0.1", 4096)
        .negotiate(HostileClient.STEPS_ALL_REPLIES).beginMessage(false);
    AtomicLong written = new AtomicLong();
    ExecutorService writer = Executors.newSingleThreadExecutor();
    Future<?> streaming = writer.submit(() -> {
      byte[] stage = {'B'};
      byte[] oneByte = {'x'};
      // 64 MB of packets at most: far past the 10.6 MB that used to kill the process
      while (attacker.written() < 64L * 1024 * 1024) {
        attacker.packet(MilterProtocol.SMFIC_MACRO, stage).packet(MilterProtocol.SMFIC_BODY, oneByte);
        written.set(attacker.written());
      }
      return null;
    });
    try {
      long last = -1;
      long stalledSince = System.nanoTime();
      long maxPending = 0;
      while (System.nanoTime() - stalledSince < TimeUnit.SECONDS.toNanos(2) && !streaming.isDone()) {
        Thread.sleep(50);
        maxPending = Math.max(maxPending, server.pendingReplyBytes());
        if (written.get() != last) {
          last = written.get();
          stalledSince = System.nanoTime();
        }
      }
      assertThat(streaming.isDone()).as("the writer got through all 64 MB: nobody stopped reading").isFalse();
      // Netty counts 96 bytes per queued reply besides its 5: the high-water mark (8 KiB) plus one step's replies
      assertThat(maxPending).isLessThan(16 * 1024);
      assertThat(server.bufferedBytes()).isLessThan(MilterConfig.DEFAULT_MAX_FRAME_BYTES + 2 * MilterFrameDecoder.LARGEST_READ);
      normalSessionSucceeds();
    } finally {
      attacker.close();
      writer.shutdownNow();
    }
    normalSessionSucceeds();
  }

  /** Before: one connection sending 1,000,000-byte header fields killed the process at the 118th. */
  @Test
  void megabyteHeaderFieldsAreSkippedUnreadAndTheirMessageIsRefused() throws Exception {
    start(MilterConfig.defaults());
    try (HostileClient attacker = HostileClient.connect(server.boundAddress()).negotiate(HostileClient.STEPS_POSTFIX)
        .beginMessage(true)) {
      for (int i = 0; i < 200; i++) {
        attacker.header("X-Big-" + i, 1_000_000);
      }
      normalSessionSucceeds();
      String reply = attacker.endMessage("body\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(reply).startsWith("y451 4.3.4 Postseal could not check this message (a header packet of 1000010 bytes,"
          + " over 262144)");
    }
    assertThat(server.counters().oversizedFrames()).isEqualTo(200);
    assertThat(server.counters().messagesOverLimit()).isEqualTo(1);
    assertThat(pipeline.decided).isNotEmpty().allMatch(seen -> !seen.queueId().equals("HOSTILE1"));
    normalSessionSucceeds();
  }

  /** Before: 16 concurrent sessions of 100 header fields of 100 KB each killed the process. */
  @Test
  void sixteenSessionsOfHundredKilobyteHeaderFieldsEachStopAtTheirLimit() throws Exception {
    start(MilterConfig.defaults());
    ExecutorService sessions = Executors.newFixedThreadPool(16);
    try {
      List<Future<String>> replies = new ArrayList<>();
      for (int s = 0; s < 16; s++) {
        replies.add(sessions.submit(() -> {
          try (HostileClient attacker = HostileClient.connect(server.boundAddress()).negotiate(HostileClient.STEPS_POSTFIX)
              .beginMessage(true)) {
            for (int i = 0; i < 100; i++) {
              attacker.header("X-Big-" + i, 100_000);
            }
            return attacker.endMessage("body\r\n".getBytes(StandardCharsets.US_ASCII));
          }
        }));
      }
      normalSessionSucceeds();
      for (Future<String> reply : replies) {
        assertThat(reply.get(60, TimeUnit.SECONDS))
            .startsWith("y451 4.3.4 Postseal could not check this message (more than 1048576 bytes of header fields)");
      }
    } finally {
      sessions.shutdownNow();
    }
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
