package org.postseal.milter;

import java.util.Optional;
import org.postseal.config.MilterConfig;

/**
 * What one message may store and what it holds: header fields and bytes against max-header-fields and
 * max-header-bytes, and everything it keeps (envelope, macros, header fields, recipients) against the
 * server's {@link MemoryBudget}. The first limit hit makes the message over its limit for good: it stores
 * nothing more, and its end of message gets the on-limit answer instead of a decision.
 *
 * <p>Threading: used on the connection's event loop while the message arrives; {@link #close} may run on
 * the auth pool after end of message, and runs once however often it is called.
 */
final class MessageAccount {

  /**
   * Heap bytes per byte kept: a header value lives as the String jmilter decoded and, when it is folded, the
   * copy with CRLF folds that the pipeline keeps.
   */
  static final int HEAP_BYTES_PER_BYTE = 2;
  /** The objects around each kept value (String, HeaderField, list slot). */
  static final int OVERHEAD_PER_VALUE = 64;
  /** Recipients kept per message: Postfix's smtpd_recipient_limit. They only feed the DMARC results store. */
  static final int MAX_KEPT_RECIPIENTS = 1000;
  /** A longer recipient is not an address (RFC 5321 section 4.5.3.1.3: a path is at most 256 octets). */
  static final int MAX_KEPT_RECIPIENT_CHARS = 2048;

  /** Why a message is over its limit. */
  enum Limit {
    HEADER_FIELDS, HEADER_BYTES, FRAME_SIZE, MEMORY_BUDGET
  }

  /**
   * The limit hit: {@code what} says it in words for the SMTP reply ("more than 1000 header fields"),
   * {@code setting} names the configuration key for the log.
   */
  record Exceeded(Limit limit, String what, String setting) {

    /** For the log: what, and the key that sets it. */
    String reason() {
      return what + " (" + setting + ")";
    }
  }

  private final MilterConfig config;
  private final MemoryBudget budget;
  private final LimitCounters counters;
  private int headerFields;
  private long headerBytes;
  private int keptRecipients;
  private long reserved;
  private Exceeded exceeded;
  private boolean reported;
  private boolean closed;

  MessageAccount(MilterConfig config, MemoryBudget budget, LimitCounters counters) {
    this.config = config;
    this.budget = budget;
    this.counters = counters;
  }

  /** The settings the message began with: a reload does not change them under it. */
  MilterConfig config() {
    return config;
  }

  /**
   * Keeps the envelope and macros the message began with, or says the budget is used up.
   *
   * @param chars characters of MAIL FROM and of the macros' names and values
   */
  boolean keepEnvelope(long chars) {
    return hold(chars) || exceedBudget();
  }

  /**
   * May a header field of {@code payloadBytes} (its packet's name, value and two NULs) be stored? False once
   * the message is over any limit; the first refusal says which in {@link #exceeded}.
   */
  boolean admitHeader(int payloadBytes) {
    if (exceeded != null) {
      return false;
    }
    if (headerFields + 1 > config.maxHeaderFields()) {
      return exceed(Limit.HEADER_FIELDS, "more than " + config.maxHeaderFields() + " header fields", "milter.max-header-fields");
    }
    if (headerBytes + payloadBytes > config.maxHeaderBytes()) {
      return exceed(Limit.HEADER_BYTES, "more than " + config.maxHeaderBytes() + " bytes of header fields",
          "milter.max-header-bytes");
    }
    if (!hold(payloadBytes)) {
      return exceedBudget();
    }
    headerFields++;
    headerBytes += payloadBytes;
    return true;
  }

  /**
   * May this recipient be kept? Only the first {@link #MAX_KEPT_RECIPIENTS} of sensible length are, while
   * the budget allows; one not kept changes nothing but the report data.
   */
  boolean keepRecipient(int chars) {
    if (exceeded != null || keptRecipients >= MAX_KEPT_RECIPIENTS || chars > MAX_KEPT_RECIPIENT_CHARS || !hold(chars)) {
      return false;
    }
    keptRecipients++;
    return true;
  }

  /** A header or body packet longer than max-frame-bytes was skipped: the message cannot be checked. */
  void frameTooLarge(int command, long length) {
    if (exceeded == null) {
      exceed(Limit.FRAME_SIZE, "a " + CommandSyntax.name(command) + " packet of " + length + " bytes, over "
          + config.maxFrameBytes(), "milter.max-frame-bytes");
    }
  }

  /** A header or body packet was skipped because the budget could not hold it while it arrived. */
  void packetOverBudget() {
    if (exceeded == null) {
      exceedBudget();
    }
  }

  /** The first limit hit, or empty while the message is within its limits. */
  Optional<Exceeded> exceeded() {
    return Optional.ofNullable(exceeded);
  }

  /** The limit hit, the first time it is asked after the hit; then empty: one log line and one count per message. */
  Optional<Exceeded> newlyExceeded() {
    if (exceeded == null || reported) {
      return Optional.empty();
    }
    reported = true;
    return Optional.of(exceeded);
  }

  int headerFields() {
    return headerFields;
  }

  long headerBytes() {
    return headerBytes;
  }

  /** Gives back everything the message held. Idempotent. */
  synchronized void close() {
    if (!closed) {
      closed = true;
      budget.release(reserved);
      reserved = 0;
    }
  }

  private boolean hold(long chars) {
    long bytes = chars * HEAP_BYTES_PER_BYTE + OVERHEAD_PER_VALUE;
    synchronized (this) {
      if (closed) {
        return false;
      }
      if (!budget.reserve(bytes)) {
        counters.memoryBudgetRefusals.incrementAndGet();
        return false;
      }
      reserved += bytes;
      return true;
    }
  }

  private boolean exceed(Limit limit, String what, String setting) {
    exceeded = new Exceeded(limit, what, setting);
    return false;
  }

  private boolean exceedBudget() {
    return exceed(Limit.MEMORY_BUDGET, "the memory for all sessions (" + budget.describe() + ") is used up", "a quarter of -Xmx");
  }
}
