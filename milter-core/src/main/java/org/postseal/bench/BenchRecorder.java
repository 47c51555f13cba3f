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

  /** A method and its result in an Authentication-Results field (RFC 8601 section 2.2), e.g. "dkim=pass". */
  private static final java.util.regex.Pattern METHOD_RESULT =
      java.util.regex.Pattern.compile("(?i)(?:^|[;\\s])(dkim|spf|dmarc|arc|dkim-atps)\\s*=\\s*([a-z]+)");

  private long[] latencyNanos = new long[1024];
  private int messages;
  private long lastFinishNanos;
  final Map<String, Long> replies = new TreeMap<>();
  final Map<String, Long> edits = new TreeMap<>();
  final Map<String, Long> errors = new TreeMap<>();
  /** Method results read from inserted or added Authentication-Results fields, e.g. "dkim=pass". */
  final Map<String, Long> results = new TreeMap<>();

  void message(long latency, long finishedAtNanos, MessageOutcome outcome) {
    if (messages == latencyNanos.length) {
      latencyNanos = Arrays.copyOf(latencyNanos, messages * 2);
    }
    latencyNanos[messages++] = latency;
    lastFinishNanos = Math.max(lastFinishNanos, finishedAtNanos);
    replies.merge(outcome.reply(), 1L, Long::sum);
    for (MessageOutcome.Edit edit : outcome.edits()) {
      edits.merge(edit.label(), 1L, Long::sum);
      if (edit.name().equalsIgnoreCase("Authentication-Results") && edit.kind() != MessageOutcome.EditKind.DELETE) {
        java.util.regex.Matcher m = METHOD_RESULT.matcher(edit.value());
        while (m.find()) {
          results.merge(m.group(1).toLowerCase(java.util.Locale.ROOT) + "=" + m.group(2).toLowerCase(java.util.Locale.ROOT),
              1L, Long::sum);
        }
      }
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
