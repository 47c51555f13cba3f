package org.postseal.keys;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of {@code postseal keys check DOMAIN}: per selector, whether the published record is there and
 * matches, or a {@link KeyRefusal}.
 */
public sealed interface KeyCheckResult permits KeyCheckResult.Checked, KeyRefusal {

  /** The domain's keys as {@code keys list} shows them, with the problems of its files. */
  record Checked(String domain, List<KeyListing.Row> rows, List<String> problems) implements KeyCheckResult {

    public Checked {
      Objects.requireNonNull(domain, "domain");
      rows = List.copyOf(rows);
      problems = List.copyOf(problems);
    }

    /** Whether there is a key that must be published: an active or pending one. */
    public boolean hasKeyToPublish() {
      return rows.stream().anyMatch(r -> r.key().state() == KeyState.ACTIVE || r.key().state() == KeyState.PENDING);
    }

    /** The domain has an active or pending key, and every active and pending key is published correctly. */
    public boolean isPassed() {
      return hasKeyToPublish() && rows.stream().allMatch(KeyListing.Row::isPublishedCorrectly);
    }
  }
}
