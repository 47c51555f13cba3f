package org.postseal.keys;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of {@code postseal keygen} (and {@code --rotate}): a new pending key; of {@code postseal keys import}:
 * an adopted key; or a {@link KeyRefusal}.
 */
public sealed interface KeygenResult permits KeygenResult.Created, KeygenResult.Imported, KeyRefusal {

  /**
   * A key was written and recorded as pending.
   *
   * @param domain         the signing domain, normalized
   * @param key            its state entry (pending)
   * @param record         the record to publish
   * @param privateKeyFile KEYS_DIR/DOMAIN/SELECTOR.pem (mode 600)
   * @param recordFile     KEYS_DIR/DOMAIN/SELECTOR.txt, the record's zone text
   * @param replaces       the active key of the same algorithm that activating this one will retire
   * @param notes          things the operator should know (a record file that could not be written, a
   *                       cleaned-up interrupted keygen)
   */
  record Created(String domain, KeyEntry key, DkimTxtRecord record, Path privateKeyFile, Path recordFile,
                 Optional<KeyEntry> replaces, List<String> notes) implements KeygenResult {

    public Created {
      Objects.requireNonNull(domain, "domain");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(record, "record");
      Objects.requireNonNull(privateKeyFile, "privateKeyFile");
      Objects.requireNonNull(recordFile, "recordFile");
      Objects.requireNonNull(replaces, "replaces");
      notes = List.copyOf(notes);
    }
  }

  /**
   * An existing key was copied into the store: active when DNS already serves it, else pending.
   *
   * @param source  the file it was read from (left untouched)
   * @param dns     what DNS served when it was imported
   * @param retired the active key of the same algorithm it replaced, if it became active
   */
  record Imported(String domain, KeyEntry key, DkimTxtRecord record, Path source, Path privateKeyFile,
                  Path recordFile, PublicationStatus dns, Optional<KeyEntry> retired, java.time.Duration retireAfter,
                  List<String> notes) implements KeygenResult {

    public Imported {
      Objects.requireNonNull(domain, "domain");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(record, "record");
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(privateKeyFile, "privateKeyFile");
      Objects.requireNonNull(recordFile, "recordFile");
      Objects.requireNonNull(dns, "dns");
      Objects.requireNonNull(retired, "retired");
      Objects.requireNonNull(retireAfter, "retireAfter");
      notes = List.copyOf(notes);
    }
  }
}
