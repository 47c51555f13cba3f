package org.postseal.bench;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The result of a run: how many messages completed in the measured time, their latency percentiles,
 * and every reply, edit and error seen, counted per kind.
 *
 * @param seconds measured time: from the end of warm-up to the last message's final reply
 */
record BenchReport(int messages, double seconds, long[] sortedLatencyNanos, Map<String, Long> replies,
                   Map<String, Long> edits, Map<String, Long> errors, Map<String, Long> results, long cpuMillis) {

  /** @param cpuMillis CPU the watched milter process used in the measured window, -1 when not measured */
  static BenchReport merge(List<BenchRecorder> recorders, long measureStartNanos, long fallbackEndNanos, long cpuMillis) {
    int messages = 0;
    long end = 0;
    Map<String, Long> replies = new TreeMap<>();
    Map<String, Long> edits = new TreeMap<>();
    Map<String, Long> errors = new TreeMap<>();
    Map<String, Long> results = new TreeMap<>();
    long[] all = new long[0];
    for (BenchRecorder r : recorders) {
      messages += r.messages();
      end = Math.max(end, r.lastFinishNanos());
      long[] l = r.latencies();
      int at = all.length;
      all = Arrays.copyOf(all, at + l.length);
      System.arraycopy(l, 0, all, at, l.length);
      r.replies.forEach((k, v) -> replies.merge(k, v, Long::sum));
      r.edits.forEach((k, v) -> edits.merge(k, v, Long::sum));
      r.errors.forEach((k, v) -> errors.merge(k, v, Long::sum));
      r.results.forEach((k, v) -> results.merge(k, v, Long::sum));
    }
    Arrays.sort(all);
    long finish = messages == 0 ? fallbackEndNanos : end;
    return new BenchReport(messages, Math.max(finish - measureStartNanos, 1) / 1e9, all, replies, edits, errors, results, cpuMillis);
  }

  long errorCount() {
    return errors.values().stream().mapToLong(Long::longValue).sum();
  }

  double rate() {
    return messages / seconds;
  }

  /** The latency below which {@code fraction} of messages finished (nearest rank), in milliseconds. */
  double percentileMillis(double fraction) {
    if (sortedLatencyNanos.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(fraction * sortedLatencyNanos.length);
    return sortedLatencyNanos[Math.min(Math.max(rank, 1), sortedLatencyNanos.length) - 1] / 1e6;
  }

  double maxMillis() {
    return sortedLatencyNanos.length == 0 ? 0 : sortedLatencyNanos[sortedLatencyNanos.length - 1] / 1e6;
  }

  void print(PrintWriter out) {
    out.printf(Locale.ROOT, "messages: %d in %.2f s = %.1f msg/s%n", messages, seconds, rate());
    out.printf(Locale.ROOT, "latency (MAIL FROM to final reply): p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n",
        percentileMillis(0.50), percentileMillis(0.90), percentileMillis(0.99), maxMillis());
    out.println("errors: " + errorCount() + (errors.isEmpty() ? "" : " (" + counts(errors) + ")"));
    out.println("replies: " + (replies.isEmpty() ? "none" : counts(replies)));
    out.println("edits: " + (edits.isEmpty() ? "none" : counts(edits)));
    if (!results.isEmpty()) {
      out.println("authentication results: " + counts(results));
    }
    if (cpuMillis >= 0) {
      out.printf(Locale.ROOT, "milter cpu: %d ms = %.3f ms per message%n", cpuMillis, cpuPerMessage());
    }
    // one line for scripts (bench/compare.sh)
    out.printf(Locale.ROOT, "summary: messages=%d seconds=%.3f rate=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f"
            + " errors=%d cpu_ms_per_msg=%.3f%n", messages, seconds, rate(), percentileMillis(0.50), percentileMillis(0.90),
        percentileMillis(0.99), maxMillis(), errorCount(), cpuPerMessage());
  }

  /** -1 when not measured. */
  double cpuPerMessage() {
    return cpuMillis < 0 || messages == 0 ? -1 : (double) cpuMillis / messages;
  }

  private static String counts(Map<String, Long> counts) {
    return counts.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining(", "));
  }
}
