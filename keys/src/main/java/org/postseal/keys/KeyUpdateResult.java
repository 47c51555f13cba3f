package org.postseal.keys;

import java.util.Objects;
import java.util.Optional;

/** The outcome of {@code keys revoke} and {@code keys delete}: the key's new entry, or a {@link KeyRefusal}. */
public sealed interface KeyUpdateResult permits KeyUpdateResult.Updated, KeyRefusal {

  /**
   * The key moved to a new state.
   *
   * @param record the record to publish now (the revoked one after {@code revoke}); empty after {@code delete}
   */
  record Updated(String domain, KeyEntry key, Optional<DkimTxtRecord> record) implements KeyUpdateResult {

    public Updated {
      Objects.requireNonNull(domain, "domain");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(record, "record");
    }
  }
}
