package org.postseal.dmarc.received;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.postseal.dmarc.store.ResultsDatabase;

/**
 * {@code postseal report import}: a received file read ({@link ReceivedReportReader}) and its reports stored in the
 * results database, each once. All reports of a file are stored in one transaction: a file is stored whole or,
 * refused or failing, not at all. Thread-safe (each call uses its own connection).
 */
public final class ReportImporter {

  /** What became of one file. */
  public sealed interface FileOutcome {
    /** The file was read; each of its reports is new or a copy of one stored before. */
    record Stored(List<ReportOutcome> reports) implements FileOutcome {
      public Stored {
        reports = List.copyOf(reports);
      }
    }

    /** The file was refused; nothing of it was stored. */
    record Refused(String reason) implements FileOutcome {
      public Refused {
        Objects.requireNonNull(reason, "reason");
      }
    }
  }

  /**
   * One report of a stored file.
   *
   * @param duplicateOf when the same report (reporter, id, policy domain, period) was imported before: when and
   *                    from where; it was not stored again
   */
  public record ReportOutcome(ReceivedReport report, Optional<ReceivedReports.Imported> duplicateOf) {
    public boolean isDuplicate() {
      return duplicateOf.isPresent();
    }
  }

  private final ResultsDatabase database;
  private final Clock clock;
  private final ImportLimits limits;

  public ReportImporter(ResultsDatabase database, Clock clock, ImportLimits limits) {
    this.database = Objects.requireNonNull(database, "database");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /**
   * Reads and stores the file {@code name} holding {@code data}.
   *
   * @param name where it came from ("-" for standard input), kept with the reports
   * @throws SQLException when the database fails: nothing of the file was stored, and it may be given again
   */
  public FileOutcome importFile(String name, byte[] data) throws SQLException {
    ReadOutcome read = ReceivedReportReader.read(data, limits);
    if (read instanceof ReadOutcome.Refused refused) {
      return new FileOutcome.Refused(refused.reason());
    }
    List<ReceivedReport> reports = ((ReadOutcome.Read) read).reports();
    Instant now = clock.instant();
    try (Connection c = database.connect()) {
      return database.transaction(c, tx -> {
        List<ReportOutcome> outcomes = new ArrayList<>();
        Set<String> inThisFile = new HashSet<>();
        for (ReceivedReport report : reports) {
          String identity = report.identity();
          Optional<ReceivedReports.Imported> earlier = inThisFile.contains(identity)
              ? Optional.of(new ReceivedReports.Imported(now, name)) : ReceivedReports.find(tx, identity);
          if (earlier.isEmpty()) {
            ReceivedReports.insert(tx, report, now, name);
            inThisFile.add(identity);
          }
          outcomes.add(new ReportOutcome(report, earlier));
        }
        return new FileOutcome.Stored(outcomes);
      });
    }
  }
}
