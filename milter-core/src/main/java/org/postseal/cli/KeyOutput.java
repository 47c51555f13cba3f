package org.postseal.cli;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.postseal.config.DurationText;
import org.postseal.keys.ActivationResult;
import org.postseal.keys.KeyCheckResult;
import org.postseal.keys.KeyEntry;
import org.postseal.keys.KeyListing;
import org.postseal.keys.KeyRefusal;
import org.postseal.keys.KeyState;
import org.postseal.keys.KeyUpdateResult;
import org.postseal.keys.KeygenResult;
import org.postseal.keys.PublicationStatus;

/**
 * What a key command prints and how it ends: {@link KeyCommandRun} prints {@link #text()} to standard output when
 * {@link #exitCode()} is 0, else to standard error. One factory per result of the keys module; the text ends with a
 * newline. A refusal is its message, exit 2 for bad input and 1 otherwise.
 */
record KeyOutput(int exitCode, String text) {

  private static final DateTimeFormatter DATE = DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC);

  static KeyOutput of(KeyRefusal refusal) {
    return new KeyOutput(refusal.kind() == KeyRefusal.Kind.USAGE ? Main.EXIT_USAGE : Main.EXIT_FAILURE,
        refusal.message() + "\n");
  }

  /** keygen, keygen --rotate and keys import: the key file, the record to publish in zone-file form, the next step. */
  static KeyOutput of(KeygenResult result) {
    if (result instanceof KeygenResult.Created created) {
      return new KeyOutput(Main.EXIT_OK, created(created));
    }
    if (result instanceof KeygenResult.Imported imported) {
      return new KeyOutput(Main.EXIT_OK, imported(imported));
    }
    return of((KeyRefusal) result);
  }

  /** keys activate: a paragraph per pending key; exit 0 only when every one was activated. */
  static KeyOutput of(ActivationResult result) {
    if (!(result instanceof ActivationResult.Activations activations)) {
      return of((KeyRefusal) result);
    }
    StringBuilder text = new StringBuilder();
    for (ActivationResult.Activation activation : activations.activations()) {
      text.append(activation(activation));
    }
    boolean all = activations.activations().stream().allMatch(ActivationResult.Activation::isActivated);
    return new KeyOutput(all ? Main.EXIT_OK : Main.EXIT_FAILURE, text.toString());
  }

  /** keys check: one line per selector ("ok" or "FAIL", state, DNS verdict), the fix under each, then a summary. */
  static KeyOutput of(KeyCheckResult result) {
    if (!(result instanceof KeyCheckResult.Checked checked)) {
      return of((KeyRefusal) result);
    }
    StringBuilder text = new StringBuilder();
    for (KeyListing.Row row : checked.rows()) {
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
    for (String problem : checked.problems()) {
      text.append("problem: ").append(problem).append('\n');
    }
    String domain = checked.domain();
    if (!checked.hasKeyToPublish()) {
      text.append(domain).append(" has no active or pending key; create one with: postseal keygen ").append(domain)
          .append('\n');
    } else if (checked.isPassed()) {
      text.append("Every active and pending key of ").append(domain).append(" is published correctly.\n");
    } else if (checked.rows().stream().filter(r -> !r.isPublishedCorrectly() && r.key().state() != KeyState.DELETED)
        .allMatch(r -> r.dns().map(d -> d.kind() == PublicationStatus.Kind.DNS_ERROR).orElse(false))) {
      text.append("DNS gave no verdict on the keys of ").append(domain).append(" (see above): nothing is known about"
          + " their records yet.\n");
    } else {
      text.append("Some keys of ").append(domain).append(" are not published correctly: fix the records above;"
          + " DNS changes may take the zone's TTL to be seen.\n");
    }
    return new KeyOutput(checked.isPassed() ? Main.EXIT_OK : Main.EXIT_FAILURE, text.toString());
  }

  /** keys revoke and keys delete: what changed and, after a revocation, the record to publish. */
  static KeyOutput of(KeyUpdateResult result) {
    if (!(result instanceof KeyUpdateResult.Updated updated)) {
      return of((KeyRefusal) result);
    }
    KeyEntry key = updated.key();
    String domain = updated.domain();
    StringBuilder text = new StringBuilder();
    if (key.state() == KeyState.REVOKED) {
      text.append("Revoked ").append(key.selector()).append(" for ").append(domain)
          .append(". Put this record in place of its key record:\n\n");
      updated.record().ifPresent(r -> text.append(r.zoneText()).append("\n\n"));
      text.append("Its private key stays until: postseal keys delete ").append(domain).append(' ')
          .append(key.selector()).append('\n');
    } else {
      text.append("Deleted the private key of ").append(key.selector()).append(" for ").append(domain)
          .append("; the selector stays recorded so that it is never reused.\n");
    }
    return new KeyOutput(Main.EXIT_OK, text.toString());
  }

  /** A date as listings print it: yyyy-mm-dd in UTC. */
  static String date(Instant instant) {
    return DATE.format(instant);
  }

  private static String created(KeygenResult.Created created) {
    KeyEntry key = created.key();
    String domain = created.domain();
    StringBuilder text = new StringBuilder()
        .append("Created ").append(key.algorithmLabel()).append(" key ").append(key.selector()).append(" for ")
        .append(domain).append(" (pending): ").append(created.privateKeyFile()).append('\n');
    created.replaces().ifPresent(old -> text.append("Once active it replaces ").append(old.selector())
        .append(", which then stays published for retire-after so that mail in flight still verifies.\n"));
    text.append('\n')
        .append("Publish this TXT record in the DNS zone of ").append(domain).append(" (also in ")
        .append(created.recordFile()).append("):\n\n")
        .append(created.record().zoneText()).append("\n\n")
        .append("Then run: postseal keys activate ").append(domain).append('\n')
        .append("(postseal serve activates it by itself once DNS serves it, with [keys] auto-activate = true.)\n");
    appendNotes(text, created.notes());
    return text.toString();
  }

  private static String imported(KeygenResult.Imported imported) {
    KeyEntry key = imported.key();
    String domain = imported.domain();
    StringBuilder text = new StringBuilder()
        .append("Imported ").append(imported.source()).append(" as ").append(key.algorithmLabel()).append(" key ")
        .append(key.selector()).append(" for ").append(domain).append(": ").append(imported.privateKeyFile())
        .append('\n');
    if (key.state() == KeyState.ACTIVE) {
      text.append(imported.dns().detail()).append(": it signs now.\n");
      imported.retired().ifPresent(old -> text.append("Retired ").append(old.selector())
          .append("; leave its record published until ").append(old.revocableAt(imported.retireAfter())
              .map(KeyOutput::date).orElse("retire-after has passed")).append(".\n"));
    } else {
      text.append(imported.dns().detail()).append(", so it is pending. Publish this record (also in ")
          .append(imported.recordFile()).append("):\n\n").append(imported.record().zoneText())
          .append("\n\nThen run: postseal keys activate ").append(domain).append('\n');
    }
    appendNotes(text, imported.notes());
    return text.toString();
  }

  private static void appendNotes(StringBuilder text, List<String> notes) {
    for (String note : notes) {
      text.append("Note: ").append(note).append('\n');
    }
  }

  /** A paragraph for the operator: what happened, and what to do when the key was not activated. */
  private static String activation(ActivationResult.Activation activation) {
    KeyEntry key = activation.key();
    String domain = activation.domain();
    String what = key.selector() + " for " + domain + " (" + key.algorithmLabel() + ")";
    String dnsSays = activation.dns().map(PublicationStatus::detail).orElse("not checked");
    StringBuilder text = new StringBuilder();
    switch (activation.outcome()) {
      case ACTIVATED -> text.append("Activated ").append(what).append(": ").append(dnsSays).append(".\n");
      case FORCED -> {
        text.append("WARNING: activated ").append(what).append(" although DNS does not serve its key (")
            .append(dnsSays).append(").\nWARNING: serve signs with it only once DNS serves this record (until then"
                + " it signs nothing); publish it:\n\n");
        activation.record().ifPresent(r -> text.append(r.zoneText()).append("\n\n"));
      }
      case NOT_PUBLISHED -> {
        text.append("Not activating ").append(what).append(": ").append(dnsSays).append(".\nPublish this record:\n\n");
        activation.record().ifPresent(r -> text.append(r.zoneText()).append("\n\n"));
        text.append("then run postseal keys activate ").append(domain).append(" again (--force records it as active"
            + " now; serve still signs with it only once DNS serves this record).\n");
      }
      case UNUSABLE -> text.append("Not activating ").append(what).append(": ").append(activation.detail())
          .append('\n');
      case CHANGED -> text.append("Left ").append(what).append(" alone: ").append(activation.detail()).append('\n');
      default -> throw new IllegalStateException(activation.outcome().toString());
    }
    activation.retired().ifPresent(old -> text.append("Retired ").append(old.selector()).append(": it no longer"
        + " signs; leave its record published until ").append(old.revocableAt(activation.retireAfter())
        .map(KeyOutput::date).orElse("retire-after has passed")).append(" (retire-after ")
        .append(DurationText.format(activation.retireAfter()))
        .append("), then postseal keys list prints the revoked record to put in its place.\n"));
    return text.toString();
  }
}
