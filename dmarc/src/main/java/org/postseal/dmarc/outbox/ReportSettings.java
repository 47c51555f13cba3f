package org.postseal.dmarc.outbox;

import java.util.List;
import java.util.Objects;
import org.postseal.dmarc.report.ReportBuilder;
import org.postseal.dmarc.report.ReporterIdentity;

/**
 * The [reports] section as the outbox needs it.
 *
 * @param reporter           who we are in reports and their mail
 * @param smtpHost           reports.smtp: where report mail is submitted
 * @param suppress           reports.suppress
 * @param retry              when temporary failures are tried again
 * @param maxAttachmentBytes the size cap of one report's gzip file (larger ones are split)
 */
public record ReportSettings(ReporterIdentity reporter, String smtpHost, int smtpPort, List<String> suppress,
                             RetryPolicy retry, int maxAttachmentBytes) {

  public ReportSettings {
    Objects.requireNonNull(reporter, "reporter");
    Objects.requireNonNull(smtpHost, "smtpHost");
    suppress = List.copyOf(suppress);
    Objects.requireNonNull(retry, "retry");
  }

  /** With the default retry policy and size cap. */
  public static ReportSettings of(ReporterIdentity reporter, String smtpHost, int smtpPort, List<String> suppress) {
    return new ReportSettings(reporter, smtpHost, smtpPort, suppress, RetryPolicy.DEFAULT,
        ReportBuilder.DEFAULT_MAX_ATTACHMENT_BYTES);
  }
}
