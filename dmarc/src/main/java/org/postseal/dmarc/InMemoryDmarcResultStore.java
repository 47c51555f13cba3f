package org.postseal.dmarc;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded {@link DmarcResultStore} in memory: the newest {@code capacity} messages, for tests and
 * {@code postseal check} ({@code serve} keeps them in the results database, {@code store.DatabaseResultStore}).
 * Lock-free: {@link #record} never waits; when full, the oldest messages are
 * dropped and counted.
 */
public final class InMemoryDmarcResultStore implements DmarcResultStore {

  /** How many messages the store keeps when no capacity is given. */
  public static final int DEFAULT_CAPACITY = 10_000;

  private final int capacity;
  private final ConcurrentLinkedQueue<EvaluatedMessage> messages = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();

  public InMemoryDmarcResultStore() {
    this(DEFAULT_CAPACITY);
  }

  public InMemoryDmarcResultStore(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("result store capacity must be at least 1, was " + capacity);
    }
    this.capacity = capacity;
  }

  @Override
  public void record(EvaluatedMessage message) {
    Objects.requireNonNull(message, "message");
    messages.add(message);
    // each add that takes the count over capacity removes one oldest message: the count passes capacity
    // for an instant only
    if (size.incrementAndGet() > capacity) {
      if (messages.poll() != null) {
        dropped.incrementAndGet();
      }
      size.decrementAndGet();
    }
  }

  /** The messages kept, oldest first: a copy. */
  public List<EvaluatedMessage> snapshot() {
    return new ArrayList<>(messages);
  }

  /** How many messages were dropped to stay within the capacity. */
  public long droppedCount() {
    return dropped.get();
  }

  public int capacity() {
    return capacity;
  }
}
