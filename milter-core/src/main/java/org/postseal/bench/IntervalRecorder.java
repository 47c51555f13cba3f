package org.postseal.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What all sessions saw since the last interval line: the latencies of the messages that finished and the errors,
 * for {@code --report-every} (bench/soak.sh reads one line per interval while the run goes on). Shared by the
 * session threads, so it takes a lock; at the rates a milter reaches (thousands of messages a second) that is
 * noise beside one milter round trip.
 */
final class IntervalRecorder {

  private long[] latencyNanos = new long[1024];
  private int messages;
  private long errors;
  private long totalMessages;
  private long totalErrors;
  private int intervals;
  private long lastEndNanos;

  synchronized void message(long latency) {
    if (messages == latencyNanos.length) {
      latencyNanos = Arrays.copyOf(latencyNanos, messages * 2);
    }
    latencyNanos[messages++] = latency;
  }

  synchronized void error() {
    errors++;
  }

  /**
   * The line for the interval that ends now, {@code sinceStartNanos} after the measured time began; starts the next
   * one. Example: {@code interval: n=3 t_s=45.0 seconds=15.0 messages=1234 rate=82.3 p50_ms=4.102 p99_ms=18.771
   * max_ms=40.112 errors=0 total_messages=3702 total_errors=0}.
   */
  synchronized String endInterval(long sinceStartNanos) {
    long[] sorted = Arrays.copyOf(latencyNanos, messages);
    Arrays.sort(sorted);
    double seconds = Math.max(sinceStartNanos - lastEndNanos, 1) / 1e9;
    intervals++;
    totalMessages += messages;
    totalErrors += errors;
    String line = String.format(Locale.ROOT, "interval: n=%d t_s=%.1f seconds=%.1f messages=%d rate=%.1f p50_ms=%.3f"
            + " p99_ms=%.3f max_ms=%.3f errors=%d total_messages=%d total_errors=%d", intervals, sinceStartNanos / 1e9,
        seconds, messages, messages / seconds, percentile(sorted, 0.50), percentile(sorted, 0.99),
        sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6, errors, totalMessages, totalErrors);
    messages = 0;
    errors = 0;
    lastEndNanos = sinceStartNanos;
    return line;
  }

  /** The line of the run's last interval, unless it is shorter than {@code minNanos} and saw nothing. */
  synchronized Optional<String> endLastInterval(long sinceStartNanos, long minNanos) {
    if (sinceStartNanos - lastEndNanos < minNanos && messages == 0 && errors == 0) {
      return Optional.empty();
    }
    return Optional.of(endInterval(sinceStartNanos));
  }

  /** Nearest rank, in milliseconds, as {@link BenchReport#percentileMillis}. */
  private static double percentile(long[] sorted, double fraction) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(fraction * sorted.length);
    return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1] / 1e6;
  }
}
