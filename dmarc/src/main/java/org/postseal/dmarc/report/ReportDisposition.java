package org.postseal.dmarc.report;

import java.util.Locale;
import java.util.Optional;

/** policy_evaluated/disposition (RFC 9990 ActionDispositionType): what was done with the messages of a row. */
public enum ReportDisposition {
  /** No action taken. */
  NONE,
  /** No action: the messages passed DMARC under an enforcing policy (quarantine or reject). */
  PASS,
  /** Failed DMARC, marked for quarantine (our header or a hold). */
  QUARANTINE,
  /** Failed DMARC, rejected. */
  REJECT;

  public String keyword() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<ReportDisposition> fromKeyword(String keyword) {
    for (ReportDisposition d : values()) {
      if (d.keyword().equals(keyword)) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }
}
