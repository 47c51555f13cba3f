package org.postseal.milter;

import java.time.Duration;

/**
 * Counts messages between MAIL FROM and their final reply (or abort), so that a shutdown can let
 * them finish. Thread-safe.
 */
final class InFlightMessages {

  private int count;

  synchronized void begin() {
    count++;
  }

  synchronized void end() {
    if (count > 0) {
      count--;
    }
    if (count == 0) {
      notifyAll();
    }
  }

  synchronized int count() {
    return count;
  }

  /** Waits until no message is in flight or {@code timeout} passed; true when none is left. */
  synchronized boolean awaitNone(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (count > 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }
}
