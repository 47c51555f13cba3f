package org.postseal.cli;

import ch.qos.logback.classic.Level;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.postseal.config.ConfigLoader;
import org.postseal.config.DurationText;
import org.postseal.config.PostsealConfig;
import org.postseal.config.ReportsConfig;
import org.postseal.dmarc.outbox.ReportCycle;
import org.postseal.dmarc.outbox.ReportSettings;
import org.postseal.dmarc.report.ReporterIdentity;
import org.postseal.dmarc.store.OutboxReport;
import org.postseal.dmarc.store.RecordedMessages;
import org.postseal.dmarc.store.ReportOutbox;
import org.postseal.dmarc.store.ReportingCounters;
import org.postseal.dmarc.store.ResultsDatabase;
import org.postseal.dns.DnsResolver;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code postseal report ...}: DMARC aggregate reports from the results database ([database]): build and send them
 * on demand (serve does it daily by itself), show what was evaluated, show the outbox. Output is rendered by
 * {@link ReportOutput}.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = "DMARC aggregate reports (RFC 9990): send, show what was evaluated, the outbox.",
    subcommands = {ReportCommand.Send.class, ReportCommand.Show.class, ReportCommand.Status.class})
final class ReportCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required, e.g. postseal report show");
  }

  /** What every report command does first: configuration (errors: exit 1) and the database it names. */
  private record Opened(PostsealConfig config, ResultsDatabase database) {
  }

  private static Optional<Opened> open(CommandSpec spec, CommonOptions common, Clock clock) {
    PrintWriter err = spec.commandLine().getErr();
    if (!common.applyLogLevel(Level.ERROR)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "unknown --log-level " + common.logLevel);
    }
    Optional<PostsealConfig> config = common.validConfig(new ConfigLoader(), err);
    if (config.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Opened(config.get(), ResultsDatabase.open(config.get().database().url(),
          config.get().stateDir(), clock)));
    } catch (SQLException | RuntimeException e) {
      err.println("postseal: " + e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * A time on the command line: "now", an ISO instant or offset time (2026-11-28T10:00:00Z), a UTC date (2026-11-28,
   * its midnight), or, where {@code ago} allows, a duration back from now ("7d").
   */
  static Instant time(CommandSpec spec, String option, String text, Instant now, boolean ago) {
    if (text.equals("now")) {
      return now;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException notAnInstant) {
      // a date, or a duration
    }
    try {
      return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
    } catch (DateTimeParseException notADate) {
      // a duration
    }
    if (ago) {
      try {
        return now.minus(DurationText.parse(text));
      } catch (IllegalArgumentException notADuration) {
        // the message below says what is allowed
      }
    }
    throw new CommandLine.ParameterException(spec.commandLine(), option + " " + text + " is not a time: use now, "
        + "2026-11-28T10:00:00Z, 2026-11-28 (midnight UTC)" + (ago ? " or a duration back from now such as 7d" : ""));
  }

  private static ReportSettings settings(PostsealConfig config, ReporterIdentity reporter) {
    ReportsConfig r = config.reports();
    return ReportSettings.of(reporter, r.smtp().host(), r.smtp().port(), r.suppress());
  }

  /** {@code postseal report send [--dry-run --out DIR] [--until TIME|now]}. */
  @Command(name = "send", mixinStandardHelpOptions = true,
      description = {"Build the reports of the periods that ended (UTC days) and send what is due.",
          "--until now also closes the day so far; --dry-run --out DIR writes the .xml.gz files there instead,"
              + " recording and sending nothing."})
  static final class Send implements Callable<Integer> {
    @Mixin
    CommonOptions common;
    @Spec
    CommandSpec spec;
    @Option(names = "--dry-run", description = "Write the reports into --out; record nothing, send nothing.")
    boolean dryRun;
    @Option(names = "--out", paramLabel = "DIR", description = "Where --dry-run writes the .xml.gz files.")
    Path out;
    @Option(names = "--until", paramLabel = "TIME",
        description = "Close periods up to this time: now, 2026-11-28T10:00:00Z or 2026-11-28 (default: the last UTC"
            + " midnight at least 10 minutes ago).")
    String until;

    @Override
    public Integer call() {
      if (dryRun != (out != null)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--dry-run and --out DIR go together");
      }
      Clock clock = Clock.systemUTC();
      Instant now = clock.instant();
      Instant end = until == null ? ReportCycle.finishedUntil(now) : time(spec, "--until", until, now, false);
      Optional<Opened> opened = open(spec, common, clock);
      if (opened.isEmpty()) {
        return Main.EXIT_FAILURE;
      }
      PostsealConfig config = opened.get().config();
      PrintWriter stdout = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      ReportsConfig reports = config.reports();
      String generator = "Postseal " + VersionProvider.version();
      boolean noSender = reports.from().isEmpty();
      if (!dryRun && !reports.isSending()) {
        err.println("postseal: reports are not sent: " + (noSender ? "reports.from is empty (an address in one of"
            + " signing.domains)" : "reports.enabled is false") + "; --dry-run --out DIR shows what they would be");
        return Main.EXIT_FAILURE;
      }
      ReporterIdentity reporter = ReporterIdentity.of(reports.orgName(),
          noSender ? "postmaster@" + config.authservId() : reports.from(), generator);
      ReportCycle cycle = new ReportCycle(opened.get().database(), new ReportingCounters(), settings(config, reporter),
          DnsResolver.create(config.dns().servers(), config.dns().timeout(), clock), clock,
          "postseal-report-send:" + ProcessHandle.current().pid());
      try {
        if (dryRun) {
          List<ReportOutbox.ClosedPeriod> periods = cycle.preview(end);
          Files.createDirectories(out);
          for (ReportOutbox.ClosedPeriod period : periods) {
            for (OutboxReport report : period.reports()) {
              Files.write(out.resolve(report.fileName()), report.attachment());
            }
          }
          stdout.print(ReportOutput.dryRun(periods, out, end, noSender ? reporter.email() : ""));
          return Main.EXIT_OK;
        }
        List<ReportOutbox.ClosedPeriod> closed = cycle.close(end);
        ReportCycle.SendResult sent = cycle.send();
        stdout.print(ReportOutput.sent(closed, sent, end));
        return Main.EXIT_OK;
      } catch (SQLException | IOException e) {
        err.println("postseal: " + e.getMessage());
        return Main.EXIT_FAILURE;
      }
    }
  }

  /** {@code postseal report show [--domain D] [--since T] [--json]}. */
  @Command(name = "show", mixinStandardHelpOptions = true,
      description = {"What was evaluated, per policy domain, source IP and result: who sends as whom, failing sources"
          + " first."})
  static final class Show implements Callable<Integer> {
    @Mixin
    CommonOptions common;
    @Spec
    CommandSpec spec;
    @Option(names = "--domain", paramLabel = "D", description = "Only this policy domain or From domain.")
    String domain;
    @Option(names = "--since", paramLabel = "T",
        description = "From this time: 7d (back from now, the default), 2026-11-28 or 2026-11-28T10:00:00Z.")
    String since = "7d";
    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    @Override
    public Integer call() {
      Clock clock = Clock.systemUTC();
      Instant from = time(spec, "--since", since, clock.instant(), true);
      Optional<Opened> opened = open(spec, common, clock);
      if (opened.isEmpty()) {
        return Main.EXIT_FAILURE;
      }
      try (java.sql.Connection c = opened.get().database().connect()) {
        List<RecordedMessages.SummaryRow> rows = RecordedMessages.summary(c, from,
            Optional.ofNullable(domain).map(d -> d.toLowerCase(java.util.Locale.ROOT)));
        spec.commandLine().getOut().print(json ? ReportOutput.showJson(rows, from, domain)
            : ReportOutput.showTable(rows, from));
        return Main.EXIT_OK;
      } catch (SQLException e) {
        spec.commandLine().getErr().println("postseal: " + e.getMessage());
        return Main.EXIT_FAILURE;
      }
    }
  }

  /** {@code postseal report status [--json]}. */
  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "The outbox: each report and destination, pending, sent, failed or refused, with the reason.")
  static final class Status implements Callable<Integer> {
    @Mixin
    CommonOptions common;
    @Spec
    CommandSpec spec;
    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    @Override
    public Integer call() {
      Clock clock = Clock.systemUTC();
      Optional<Opened> opened = open(spec, common, clock);
      if (opened.isEmpty()) {
        return Main.EXIT_FAILURE;
      }
      PostsealConfig config = opened.get().config();
      Duration keep = config.reports().keep();
      try {
        List<org.postseal.dmarc.store.Delivery> deliveries = new ReportOutbox(opened.get().database(),
            new ReportingCounters(), clock, "postseal-report-status").status(clock.instant().minus(keep));
        Optional<Instant> closedUntil = new ReportOutbox(opened.get().database(), new ReportingCounters(), clock,
            "postseal-report-status").closedUntil();
        spec.commandLine().getOut().print(json ? ReportOutput.statusJson(deliveries, closedUntil)
            : ReportOutput.statusTable(deliveries, closedUntil, clock.instant()));
        return Main.EXIT_OK;
      } catch (SQLException e) {
        spec.commandLine().getErr().println("postseal: " + e.getMessage());
        return Main.EXIT_FAILURE;
      }
    }
  }
}
