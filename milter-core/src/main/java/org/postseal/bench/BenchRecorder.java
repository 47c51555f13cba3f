package org.postseal.bench;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one session thread saw: latencies of the messages it timed and counts of replies, edits and
 * errors. Each thread owns one, so recording takes no lock; {@link BenchReport#merge} combines them once
 * the threads have finished.
 */
final class BenchRecorder {

  private long[] latencyNanos = new long[1024];
  private int messages;
  private long lastFinishNanos;
  final Map<String, Long> replies = new TreeMap<>();
  final Map<String, Long> edits = new TreeMap<>();
  final Map<String, Long> errors = new TreeMap<>();

  void message(long latency, long finishedAtNanos, MessageOutcome outcome) {
    if (messages == latencyNanos.length) {
      latencyNanos = Arrays.copyOf(latencyNanos, messages * 2);
    }
    latencyNanos[messages++] = latency;
    lastFinishNanos = Math.max(lastFinishNanos, finishedAtNanos);
    replies.merge(outcome.reply(), 1L, Long::sum);
    for (MessageOutcome.Edit edit : outcome.edits()) {
      edits.merge(edit.label(), 1L, Long::sum);
    }
  }

  void error(String what) {
    errors.merge(what, 1L, Long::sum);
  }

  int messages() {
    return messages;
  }

  long lastFinishNanos() {
    return lastFinishNanos;
  }

  long[] latencies() {
    return Arrays.copyOf(latencyNanos, messages);
  }
}
