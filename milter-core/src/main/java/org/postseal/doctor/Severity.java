package org.postseal.doctor;

import java.util.Locale;

/** How much a finding matters. Only {@link #ERROR} makes {@code postseal doctor} exit 1. */
public enum Severity {
  /** As it should be. */
  OK,
  /** Worth knowing; nothing to fix. */
  INFO,
  /** Works, but receivers trust the domain less than they could, or a change is advisable. */
  WARNING,
  /** Mail is rejected, lands in spam or fails authentication because of this. */
  ERROR;

  /** "ok", "info", "warning", "error": the text and JSON spelling. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
