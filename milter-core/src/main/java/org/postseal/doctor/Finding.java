package org.postseal.doctor;

import java.util.Objects;

/**
 * One thing the doctor found.
 *
 * @param area     "MX", "SPF", "DKIM", "DMARC" or "rDNS"
 * @param severity how much it matters
 * @param message  what was found, one sentence naming the record or value
 * @param fix      one line saying what to change; empty for {@link Severity#OK} and most {@link Severity#INFO}
 */
public record Finding(String area, Severity severity, String message, String fix) {

  public Finding {
    Objects.requireNonNull(area, "area");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(fix, "fix");
  }

  static Finding ok(String area, String message) {
    return new Finding(area, Severity.OK, message, "");
  }

  static Finding info(String area, String message) {
    return new Finding(area, Severity.INFO, message, "");
  }

  static Finding info(String area, String message, String fix) {
    return new Finding(area, Severity.INFO, message, fix);
  }

  static Finding warning(String area, String message, String fix) {
    return new Finding(area, Severity.WARNING, message, fix);
  }

  static Finding error(String area, String message, String fix) {
    return new Finding(area, Severity.ERROR, message, fix);
  }
}
