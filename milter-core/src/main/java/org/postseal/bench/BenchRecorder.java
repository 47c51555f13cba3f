package org.postseal.bench;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.postseal.milter.client.MessageOutcome;
import org.postseal.milter.client.Modification;

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
    replies.merge(outcome.atEndOfMessage() ? outcome.reply().summary()
        : outcome.reply().summary() + " (before end of message)", 1L, Long::sum);
    for (Modification modification : outcome.modifications()) {
      edits.merge(label(modification), 1L, Long::sum);
      if (modification instanceof Modification.HeaderChange change && change.name().equalsIgnoreCase("Authentication-Results")
          && !(change instanceof Modification.Change c && c.isDelete())) {
        java.util.regex.Matcher m = METHOD_RESULT.matcher(change.value());
        while (m.find()) {
          results.merge(m.group(1).toLowerCase(java.util.Locale.ROOT) + "=" + m.group(2).toLowerCase(java.util.Locale.ROOT),
              1L, Long::sum);
        }
      }
    }
  }

  /** How the report counts a modification, e.g. "insert DKIM-Signature". */
  static String label(Modification modification) {
    if (modification instanceof Modification.Insert insert) {
      return "insert " + insert.name();
    } else if (modification instanceof Modification.Add add) {
      return "add " + add.name();
    } else if (modification instanceof Modification.Change change) {
      return (change.isDelete() ? "delete " : "change ") + change.name();
    }
    return "other '" + modification.code() + "'";
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
