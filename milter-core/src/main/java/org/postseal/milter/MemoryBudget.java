package org.postseal.milter;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes that every connection together may hold of what clients sent: packets still arriving, and the
 * header fields, envelope and macros of the messages and connections open. Each connection's share is bounded
 * by its own limits (max-frame-bytes, max-header-bytes); this bounds their sum, so that no number of clients
 * can fill the heap. A reservation that does not fit is refused, never waited for. Thread-safe, lock-free.
 */
final class MemoryBudget {

  /**
   * A quarter of the heap: with the launcher's 128 MiB that is 32 MiB, next to about 25 MiB of live data
   * (DNS cache, keys, Netty) and room for the copies a packet passes through while it is decoded.
   */
  static final int DEFAULT_HEAP_DIVISOR = 4;

  private final long capacity;
  private final AtomicLong held = new AtomicLong();

  MemoryBudget(long capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("memory budget must be positive, was " + capacity);
    }
    this.capacity = capacity;
  }

  /** A quarter of this JVM's maximum heap (-Xmx). */
  static MemoryBudget ofHeap() {
    return new MemoryBudget(Runtime.getRuntime().maxMemory() / DEFAULT_HEAP_DIVISOR);
  }

  /** Takes {@code bytes} when they fit; false (nothing taken) when they do not. */
  boolean reserve(long bytes) {
    if (bytes <= 0) {
      return true;
    }
    while (true) {
      long now = held.get();
      if (now + bytes > capacity) {
        return false;
      }
      if (held.compareAndSet(now, now + bytes)) {
        return true;
      }
    }
  }

  /** Gives back bytes taken earlier. */
  void release(long bytes) {
    if (bytes > 0) {
      held.addAndGet(-bytes);
    }
  }

  /** The capacity for a log line or a reply: "32 MiB", or bytes when under 1 MiB. */
  String describe() {
    return capacity >= 1024 * 1024 ? capacity / (1024 * 1024) + " MiB" : capacity + " bytes";
  }

  long held() {
    return held.get();
  }

  long capacity() {
    return capacity;
  }
}
