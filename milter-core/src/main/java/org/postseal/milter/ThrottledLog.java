package org.postseal.milter;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * One kind of log line that a client can cause at will (a refused connection, a malformed packet): the first
 * is written, then at most one per {@code interval}, each saying how many were left out since the last. So a
 * client reconnecting in a loop costs the log one line per interval, not one per connection. Thread-safe.
 */
final class ThrottledLog {

  static final long DEFAULT_INTERVAL_NANOS = 10_000_000_000L;

  private final Logger logger;
  private final long intervalNanos;
  private final LongSupplier nanoClock;
  private final AtomicLong lastWritten;
  private final AtomicLong suppressed = new AtomicLong();

  ThrottledLog(Logger logger) {
    this(logger, DEFAULT_INTERVAL_NANOS, System::nanoTime);
  }

  ThrottledLog(Logger logger, long intervalNanos, LongSupplier nanoClock) {
    this.logger = logger;
    this.intervalNanos = intervalNanos;
    this.nanoClock = nanoClock;
    this.lastWritten = new AtomicLong(nanoClock.getAsLong() - intervalNanos);
  }

  /** Writes at INFO unless a line was written less than an interval ago; {@code args} as in SLF4J. */
  void info(String format, Object... args) {
    write(false, format, args);
  }

  /** Writes at WARN unless a line was written less than an interval ago. */
  void warn(String format, Object... args) {
    write(true, format, args);
  }

  private void write(boolean warn, String format, Object... args) {
    if (warn ? !logger.isWarnEnabled() : !logger.isInfoEnabled()) {
      return;
    }
    long now = nanoClock.getAsLong();
    long last = lastWritten.get();
    if (now - last < intervalNanos || !lastWritten.compareAndSet(last, now)) {
      suppressed.incrementAndGet();
      return;
    }
    long left = suppressed.getAndSet(0);
    String line = left == 0 ? format : format + " (" + left + " more like this in the last " + (now - last) / 1_000_000_000L
        + " s were not logged)";
    if (warn) {
      logger.warn(line, args);
    } else {
      logger.info(line, args);
    }
  }
}
