package org.postseal.keys;

import java.util.Objects;
import java.util.Optional;

/** The outcome of {@code keys revoke} and {@code keys delete}: the key's new entry, or a {@link KeyRefusal}. */
public sealed interface KeyUpdateResult extends KeyCommandOutput permits KeyUpdateResult.Updated, KeyRefusal {

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

    @Override
    public int exitCode() {
      return 0;
    }

    @Override
    public String text() {
      StringBuilder text = new StringBuilder();
      if (key.state() == KeyState.REVOKED) {
        text.append("Revoked ").append(key.selector()).append(" for ").append(domain)
            .append(". Put this record in place of its key record:\n\n");
        record.ifPresent(r -> text.append(r.zoneText()).append("\n\n"));
        text.append("Its private key stays until: postseal keys delete ").append(domain).append(' ')
            .append(key.selector()).append('\n');
      } else {
        text.append("Deleted the private key of ").append(key.selector()).append(" for ").append(domain)
            .append("; the selector stays recorded so that it is never reused.\n");
      }
      return text.toString();
    }
  }
}
