package org.postseal.dmarc.report;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One record of a report: a source IP and how many of its messages shared the same identifiers, results and
 * disposition (RFC 9990 section 3.1.1.8: "One record per (IP, result, authentication identifiers) tuples").
 *
 * @param sourceIp the connecting IP, IPv4 dotted or IPv6 in RFC 5952 form
 * @param count    how many messages
 * @param dkim     every DKIM result, aligned passes first, at most {@link RecordedMessage#MAX_DKIM_RESULTS}
 */
public record ReportRecord(String sourceIp, long count, PolicyEvaluated evaluated, Identifiers identifiers,
                           List<DkimAuthResult> dkim, Optional<SpfAuthResult> spf) {

  public ReportRecord {
    Objects.requireNonNull(sourceIp, "sourceIp");
    if (count < 1) {
      throw new IllegalArgumentException("a record counts at least one message, was " + count);
    }
    Objects.requireNonNull(evaluated, "evaluated");
    Objects.requireNonNull(identifiers, "identifiers");
    dkim = List.copyOf(dkim);
    Objects.requireNonNull(spf, "spf");
  }
}
