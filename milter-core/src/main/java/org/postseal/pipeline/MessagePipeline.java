package org.postseal.pipeline;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The per-message work, step by step, as the milter adapter calls it. Every method but
 * {@link #decide} runs on the connection's event-loop thread and must return at once: no blocking
 * I/O, no waiting. {@link #decide} runs on the auth pool. Methods may throw; the adapter catches
 * everything and applies {@link MessageVerdict#afterInternalError}.
 */
public interface MessagePipeline {

  /** MAIL FROM: a new message; decides its direction and fixes the settings it will use. */
  MessageState beginMessage(ConnectionState connection, String mailFrom, Map<String, String> macros);

  /** End of headers: starts verification (its DNS lookups begin now) or picks the signing keys. */
  void endOfHeaders(MessageState message);

  /** One body chunk, in order, as the MTA sent it (CRLF line ends). */
  void body(MessageState message, byte[] chunk, int offset, int length);

  /**
   * Completes (never exceptionally) when {@link #decide} can run without waiting for what was started
   * before: every lookup (DKIM keys, SPF, DMARC policy) answered or the message's deadline passed.
   */
  CompletableFuture<Void> readyToDecide(MessageState message);

  /** End of message: the verdict. Runs on the auth pool; may spend CPU (signatures). */
  MessageVerdict decide(MessageState message);
}
