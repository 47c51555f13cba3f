package org.postseal.dmarc.received;

import java.util.List;
import java.util.Objects;

/** What one received file held: its reports, or why it is refused as a whole. */
public sealed interface ReadOutcome {

  /** Every report the file held (a message or a zip may carry more than one), in the order found. */
  record Read(List<ReceivedReport> reports) implements ReadOutcome {
    public Read {
      reports = List.copyOf(reports);
      if (reports.isEmpty()) {
        throw new IllegalArgumentException("a file that was read holds at least one report");
      }
    }
  }

  /** The file is not a report we accept; {@code reason} says why, for the administrator. Nothing of it is kept. */
  record Refused(String reason) implements ReadOutcome {
    public Refused {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
