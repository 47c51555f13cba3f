package org.postseal.keys;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of {@code postseal keys activate}: one {@link Activation} per pending key looked at, or a
 * {@link KeyRefusal} (no pending key, bad domain, unreadable store).
 */
public sealed interface ActivationResult extends KeyCommandOutput permits ActivationResult.Activations, KeyRefusal {

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

    /** A paragraph for the operator: what happened, and what to do when the key was not activated. */
    public String text() {
      String what = key.selector() + " for " + domain + " (" + key.algorithmLabel() + ")";
      String dnsSays = dns.map(PublicationStatus::detail).orElse("not checked");
      StringBuilder text = new StringBuilder();
      switch (outcome) {
        case ACTIVATED -> text.append("Activated ").append(what).append(": ").append(dnsSays).append(".\n");
        case FORCED -> {
          text.append("WARNING: activated ").append(what).append(" although DNS does not serve its key (")
              .append(dnsSays).append(").\nWARNING: receivers fail DKIM for mail signed with it until this record"
                  + " is published:\n\n");
          record.ifPresent(r -> text.append(r.zoneText()).append("\n\n"));
        }
        case NOT_PUBLISHED -> {
          text.append("Not activating ").append(what).append(": ").append(dnsSays).append(".\nPublish this record:\n\n");
          record.ifPresent(r -> text.append(r.zoneText()).append("\n\n"));
          text.append("then run postseal keys activate ").append(domain).append(" again (--force activates anyway;"
              + " receivers then fail DKIM until the record is published).\n");
        }
        case UNUSABLE -> text.append("Not activating ").append(what).append(": ").append(detail).append('\n');
        case CHANGED -> text.append("Left ").append(what).append(" alone: ").append(detail).append('\n');
        default -> throw new IllegalStateException(outcome.toString());
      }
      retired.ifPresent(old -> text.append("Retired ").append(old.selector()).append(": it no longer signs; leave its"
          + " record published until ").append(old.revocableAt(retireAfter).map(KeyListing::date).orElse("retire-after"
          + " has passed")).append(" (retire-after ").append(KeyListing.duration(retireAfter))
          .append("), then postseal keys list prints the revoked record to put in its place.\n"));
      return text.toString();
    }
  }

  /** The keys looked at; exit 0 only when every one was activated. */
  record Activations(String domain, List<Activation> activations) implements ActivationResult {

    public Activations {
      Objects.requireNonNull(domain, "domain");
      activations = List.copyOf(activations);
    }

    @Override
    public int exitCode() {
      return activations.stream().allMatch(Activation::isActivated) ? 0 : 1;
    }

    @Override
    public String text() {
      StringBuilder text = new StringBuilder();
      for (Activation activation : activations) {
        text.append(activation.text());
      }
      return text.toString();
    }
  }
}
