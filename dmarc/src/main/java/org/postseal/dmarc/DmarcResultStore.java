package org.postseal.dmarc;

/**
 * Where evaluated messages are kept for aggregate reports (RFC 9989 section 5.3.7).
 *
 * <p>Contract: {@link #record} is called on the message's completion path and must return at once: never
 * block on I/O or a lock held during I/O. An implementation that writes to a database queues the row for
 * its own writer thread and, when the queue is full, drops the row (and counts it) rather than wait. It
 * must not throw for a full queue or a failing database: a message is never refused because of reports.
 */
public interface DmarcResultStore {

  void record(EvaluatedMessage message);
}
