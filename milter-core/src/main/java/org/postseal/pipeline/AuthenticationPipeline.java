package org.postseal.pipeline;

import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.postseal.dmarc.DmarcResultStore;
import org.postseal.dmarc.InMemoryDmarcResultStore;
import org.postseal.dns.Deadline;

/**
 * The two paths of docs/architecture.md, chosen once per message at MAIL FROM (step 1, the direction): mail from
 * outside takes {@link InboundPath} (DKIM verification, SPF, DMARC and its disposition, Authentication-Results),
 * mail from our own users takes {@link OutboundPath} (DKIM signing). Outbound mail is never judged by DMARC and
 * never waits for DNS.
 *
 * <p>How long a message can take: an inbound message's lookups stop at its one deadline,
 * {@link PipelineSnapshot#messageDeadline()} after end of headers (2 x dns.timeout, at most 30 s), and its
 * decision then runs at once; an outbound message's decision is ready at end of message.
 *
 * <p>Threading: {@link #beginMessage}, {@link #endOfHeaders}, {@link #body} and {@link #readyToDecide} run on
 * event-loop threads and only record, start lookups or hash; {@link #decide} runs on the auth pool and never
 * waits. The snapshot is swapped atomically by {@link #replace}; each message keeps the one it began with.
 */
public final class AuthenticationPipeline implements MessagePipeline {

  private final InboundPath inbound;
  private final OutboundPath outbound = new OutboundPath();
  private volatile PipelineSnapshot snapshot;

  /** A pipeline whose evaluated messages are kept in a private in-memory store (tests, {@code postseal check}). */
  public AuthenticationPipeline(PipelineSnapshot snapshot, Clock clock) {
    this(snapshot, clock, new InMemoryDmarcResultStore());
  }

  /** @param results where every evaluated inbound message is recorded; must never block (its contract) */
  public AuthenticationPipeline(PipelineSnapshot snapshot, Clock clock, DmarcResultStore results) {
    this.snapshot = Objects.requireNonNull(snapshot, "snapshot");
    this.inbound = new InboundPath(Objects.requireNonNull(clock, "clock"), Objects.requireNonNull(results, "results"));
  }

  /** Configuration and keys for messages that begin from now on (SIGHUP). */
  public void replace(PipelineSnapshot next) {
    this.snapshot = Objects.requireNonNull(next, "next");
  }

  public PipelineSnapshot snapshot() {
    return snapshot;
  }

  @Override
  public MessageState beginMessage(ConnectionState connection, String mailFrom, Map<String, String> macros) {
    PipelineSnapshot current = snapshot;
    Direction direction = DirectionEvaluator.evaluate(current.config().signing(), connection.clientAddress().orElse(null),
        macros.getOrDefault("{auth_authen}", ""));
    MessageState message = new MessageState(connection.sessionId(), connection.clientAddress().orElse(null), mailFrom,
        macros, direction, System.nanoTime(), Deadline.unarmed(current.messageDeadline()));
    message.snapshot = current;
    message.setConnection(connection.helo(), connection.clientHost());
    if (direction == Direction.INBOUND) {
      inbound.begin(message, connection);
    }
    return message;
  }

  @Override
  public void endOfHeaders(MessageState message) {
    message.markEndOfHeaders();
    if (message.direction() == Direction.INBOUND) {
      inbound.endOfHeaders(message);
    } else {
      outbound.endOfHeaders(message);
    }
  }

  @Override
  public void body(MessageState message, byte[] chunk, int offset, int length) {
    if (message.direction() == Direction.INBOUND) {
      inbound.body(message, chunk, offset, length);
    } else {
      outbound.body(message, chunk, offset, length);
    }
  }

  @Override
  public CompletableFuture<Void> readyToDecide(MessageState message) {
    if (message.direction() == Direction.OUTBOUND || !message.isEndOfHeadersSeen()) {
      return CompletableFuture.completedFuture(null);
    }
    return inbound.readyToDecide(message);
  }

  /** Signs (outbound) or judges (inbound), from what the lookups left: never waits. */
  @Override
  public MessageVerdict decide(MessageState message) {
    return message.direction() == Direction.OUTBOUND ? outbound.decide(message) : inbound.decide(message);
  }
}
