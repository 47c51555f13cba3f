package org.postseal.keys;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of {@code postseal keys activate}: one {@link Activation} per pending key looked at, or a
 * {@link KeyRefusal} (no pending key, bad domain, unreadable store).
 */
public sealed interface ActivationResult permits ActivationResult.Activations, KeyRefusal {

  /** What happened to one pending key. */
  enum Outcome {
    /** DNS serves its key: it signs now. */
    ACTIVATED,
    /** Activated with {@code --force} although DNS does not serve its key. */
    FORCED,
    /** Left pending: DNS does not serve its key (see the status). */
    NOT_PUBLISHED,
    /** Left pending: its key file is refused or unreadable (see the detail). */
    UNUSABLE,
    /** Left alone: another process changed its state meanwhile. */
    CHANGED
  }

  /**
   * One pending key and what became of it.
   *
   * @param key     its entry after the step (active when activated, else still pending)
   * @param dns     what DNS served; empty when the key could not be checked
   * @param retired the previously active key of the same algorithm, now retired
   * @param record  the record DNS should serve for it; empty when the key file is unusable
   * @param detail  for {@link Outcome#UNUSABLE} and {@link Outcome#CHANGED}: why; else empty text
   * @param retireAfter how long the retired key's record stays published ({@code [keys] retire-after})
   */
  record Activation(String domain, KeyEntry key, Outcome outcome, Optional<PublicationStatus> dns,
                    Optional<KeyEntry> retired, Optional<DkimTxtRecord> record, String detail, Duration retireAfter) {

    public Activation {
      Objects.requireNonNull(domain, "domain");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(outcome, "outcome");
      Objects.requireNonNull(dns, "dns");
      Objects.requireNonNull(retired, "retired");
      Objects.requireNonNull(record, "record");
      Objects.requireNonNull(detail, "detail");
      Objects.requireNonNull(retireAfter, "retireAfter");
    }

    public boolean isActivated() {
      return outcome == Outcome.ACTIVATED || outcome == Outcome.FORCED;
    }
  }

  /** The keys looked at. */
  record Activations(String domain, List<Activation> activations) implements ActivationResult {

    public Activations {
      Objects.requireNonNull(domain, "domain");
      activations = List.copyOf(activations);
    }
  }
}
