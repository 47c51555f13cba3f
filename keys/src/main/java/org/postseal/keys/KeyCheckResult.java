package org.postseal.keys;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of {@code postseal keys check DOMAIN}: per selector, whether the published record is there and
 * matches, or a {@link KeyRefusal}.
 */
public sealed interface KeyCheckResult extends KeyCommandOutput permits KeyCheckResult.Checked, KeyRefusal {

  /**
   * The domain's keys as {@code keys list} shows them, with the problems of its files. Exit 0 only when the
   * domain has an active or pending key and every active and pending key is published correctly.
   */
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

    public boolean isPassed() {
      return hasKeyToPublish() && rows.stream().allMatch(KeyListing.Row::isPublishedCorrectly);
    }

    @Override
    public int exitCode() {
      return isPassed() ? 0 : 1;
    }

    /** One line per selector ("ok" or "FAIL", state, DNS verdict), the fix under each, then a summary. */
    @Override
    public String text() {
      StringBuilder text = new StringBuilder();
      for (KeyListing.Row row : rows) {
        KeyEntry k = row.key();
        if (k.state() == KeyState.DELETED) {
          continue;
        }
        text.append(row.isPublishedCorrectly() ? "ok    " : "FAIL  ").append(k.selector()).append(" (")
            .append(k.algorithmLabel()).append(", ").append(k.state().label()).append("): ")
            .append(row.dns().map(PublicationStatus::detail).orElse("not checked")).append('\n');
        if (row.note().isPresent()) {
          text.append("      ").append(row.note().get()).append('\n');
          row.record().ifPresent(r -> text.append("        ").append(r.zoneText().replace("\n", "\n        "))
              .append('\n'));
        }
      }
      for (String problem : problems) {
        text.append("problem: ").append(problem).append('\n');
      }
      if (!hasKeyToPublish()) {
        text.append(domain).append(" has no active or pending key; create one with: postseal keygen ").append(domain)
            .append('\n');
      } else if (isPassed()) {
        text.append("Every active and pending key of ").append(domain).append(" is published correctly.\n");
      } else {
        text.append("Some keys of ").append(domain).append(" are not published correctly: fix the records above;"
            + " DNS changes may take the zone's TTL to be seen.\n");
      }
      return text.toString();
    }
  }
}
