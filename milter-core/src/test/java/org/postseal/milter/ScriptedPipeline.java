package org.postseal.milter;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.postseal.mail.HeaderField;
import org.postseal.dns.Deadline;
import org.postseal.pipeline.ConnectionState;
import org.postseal.pipeline.Direction;
import org.postseal.pipeline.HeaderEdit;
import org.postseal.pipeline.MessagePipeline;
import org.postseal.pipeline.MessageState;
import org.postseal.pipeline.MessageVerdict;
import org.postseal.pipeline.Reply;

/**
 * A pipeline for testing the protocol adapter alone: records what reached it and answers what the
 * message asks for. A message is outbound when {auth_authen} is set. Header "X-Fail: STEP" makes
 * that step throw (header, eoh, body, decide); "X-Delay: MS" delays readiness; "X-Edit: ..." asks for
 * the edits named in the value.
 */
final class ScriptedPipeline implements MessagePipeline {

  /** What one message looked like when it was decided. */
  record Seen(String sessionId, String queueId, Direction direction, String client, String mailFrom, List<String> recipients,
              List<HeaderField> headers, byte[] body, Map<String, String> macros) {
  }

  final List<Seen> decided = new CopyOnWriteArrayList<>();
  private final Map<MessageState, ByteArrayOutputStream> bodies = new java.util.concurrent.ConcurrentHashMap<>();

  @Override
  public MessageState beginMessage(ConnectionState connection, String mailFrom, Map<String, String> macros) {
    Direction direction = macros.getOrDefault("{auth_authen}", "").isEmpty() ? Direction.INBOUND : Direction.OUTBOUND;
    MessageState message = new MessageState(connection.sessionId(), connection.clientAddress().orElse(null), mailFrom, macros,
        direction, System.nanoTime(), Deadline.unarmed(Duration.ofSeconds(10)));
    bodies.put(message, new ByteArrayOutputStream());
    return message;
  }

  @Override
  public void endOfHeaders(MessageState message) {
    failIfAsked(message, "eoh");
  }

  @Override
  public void body(MessageState message, byte[] chunk, int offset, int length) {
    failIfAsked(message, "body");
    bodies.get(message).write(chunk, offset, length);
  }

  @Override
  public CompletableFuture<Void> readyToDecide(MessageState message) {
    String delay = value(message, "X-Delay");
    if (delay.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    return CompletableFuture.runAsync(() -> { },
        CompletableFuture.delayedExecutor(Long.parseLong(delay.trim()), TimeUnit.MILLISECONDS));
  }

  @Override
  public MessageVerdict decide(MessageState message) {
    failIfAsked(message, "decide");
    ByteArrayOutputStream body = bodies.remove(message);
    decided.add(new Seen(message.sessionId(), message.queueId(), message.direction(), message.clientText(), message.mailFrom(),
        message.recipients(), message.headers(), body.toByteArray(), message.macros()));
    List<HeaderEdit> edits = new ArrayList<>();
    String edit = value(message, "X-Edit").trim();
    if (edit.equals("insert-folded")) {
      edits.add(new HeaderEdit.Insert(0, new HeaderField("X-Inserted", " first line\r\n\tsecond line")));
    } else if (edit.equals("delete-second-x-old")) {
      edits.add(new HeaderEdit.Delete("X-Old", 2));
    }
    return new MessageVerdict(edits, Reply.CONTINUE, "scripted", List.of());
  }

  private static void failIfAsked(MessageState message, String step) {
    if (value(message, "X-Fail").trim().equals(step)) {
      throw new IllegalStateException("scripted failure at " + step);
    }
  }

  private static String value(MessageState message, String name) {
    return message.headers().stream().filter(h -> h.hasName(name)).map(HeaderField::value).findFirst().orElse("");
  }
}
