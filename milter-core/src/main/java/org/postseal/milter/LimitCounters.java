package org.postseal.milter;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How often each limit of the milter port was hit since the server started: what an operator (and later the
 * metrics endpoint) reads to see hostile or broken clients. Every count goes with one log line, throttled
 * where a client could repeat it at will. Thread-safe; the counts only grow.
 */
public final class LimitCounters {

  final AtomicLong connectionsRefused = new AtomicLong();
  final AtomicLong idleConnectionsClosed = new AtomicLong();
  final AtomicLong connectionsClosedForRoom = new AtomicLong();
  final AtomicLong protocolViolations = new AtomicLong();
  final AtomicLong oversizedFrames = new AtomicLong();
  final AtomicLong messagesOverLimit = new AtomicLong();
  final AtomicLong memoryBudgetRefusals = new AtomicLong();
  final AtomicLong readsPaused = new AtomicLong();
  final AtomicLong internalErrors = new AtomicLong();

  /** Connections closed at once because max-connections or max-connections-per-client was reached. */
  public long connectionsRefused() {
    return connectionsRefused.get();
  }

  /** Idle connections closed at max-connections to make room for a new one (ConnectionLimits). */
  public long connectionsClosedForRoom() {
    return connectionsClosedForRoom.get();
  }

  /** Connections closed after idle-timeout without a complete packet. */
  public long idleConnectionsClosed() {
    return idleConnectionsClosed.get();
  }

  /**
   * Connections closed for breaking the protocol: an empty or malformed packet, an unknown command, a command
   * before option negotiation, an oversized packet other than a header field or body chunk.
   */
  public long protocolViolations() {
    return protocolViolations.get();
  }

  /** Packets longer than max-frame-bytes, skipped unread. */
  public long oversizedFrames() {
    return oversizedFrames.get();
  }

  /** Messages that got the on-limit answer (header fields, header bytes, an oversized packet, the memory budget). */
  public long messagesOverLimit() {
    return messagesOverLimit.get();
  }

  /** Times the memory budget shared by all connections refused a reservation. */
  public long memoryBudgetRefusals() {
    return memoryBudgetRefusals.get();
  }

  /** Times a connection stopped being read because the client did not read our replies. */
  public long readsPaused() {
    return readsPaused.get();
  }

  /**
   * Exceptions from our own code in a milter step, and packets jmilter gave up on after our checks let them
   * through. Each is logged; zero unless there is a bug (the fuzz test holds it to zero).
   */
  public long internalErrors() {
    return internalErrors.get();
  }

  @Override
  public String toString() {
    return "connections-refused=" + connectionsRefused + " idle-closed=" + idleConnectionsClosed
        + " closed-for-room=" + connectionsClosedForRoom
        + " protocol-violations=" + protocolViolations + " oversized-frames=" + oversizedFrames
        + " messages-over-limit=" + messagesOverLimit + " memory-budget-refusals=" + memoryBudgetRefusals
        + " reads-paused=" + readsPaused + " internal-errors=" + internalErrors;
  }
}
