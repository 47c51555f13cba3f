package org.postseal.keys;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Every key of the store with its state and what DNS serves for it: what {@code postseal keys list} shows.
 *
 * @param rows        by domain, then selector
 * @param problems    lines about files that could not be used (refused modes, unreadable state files)
 * @param retireAfter the {@code [keys] retire-after} the revocable dates were computed with
 */
public record KeyListing(List<Row> rows, List<String> problems, Duration retireAfter) {

  /**
   * One key.
   *
   * @param dns         what DNS serves; empty for deleted keys and keys whose file cannot be read
   * @param revocableAt for a retired key: when retire-after has passed
   * @param isRevocable retired and retire-after has passed: the record may be replaced by the revoked one
   * @param record      the record to publish now because DNS does not serve it yet: the key's own (pending,
   *                    active, retired within retire-after) or the revoked one (revocable, revoked); empty when
   *                    DNS already serves what it should, for deleted keys and for unreadable key files
   * @param note        what the operator should do about this key, if anything
   */
  public record Row(String domain, KeyEntry key, Optional<PublicationStatus> dns, Optional<Instant> revocableAt,
                    boolean isRevocable, Optional<DkimTxtRecord> record, Optional<String> note) {

    public Row {
      Objects.requireNonNull(domain, "domain");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(dns, "dns");
      Objects.requireNonNull(revocableAt, "revocableAt");
      Objects.requireNonNull(record, "record");
      Objects.requireNonNull(note, "note");
    }

    /** For an active or pending key: DNS serves exactly its key. Other states: always true. */
    public boolean isPublishedCorrectly() {
      boolean mustBePublished = key.state() == KeyState.ACTIVE || key.state() == KeyState.PENDING;
      return !mustBePublished || dns.map(PublicationStatus::isMatch).orElse(false);
    }
  }

  public KeyListing {
    rows = List.copyOf(rows);
    problems = List.copyOf(problems);
    Objects.requireNonNull(retireAfter, "retireAfter");
  }
}
