package org.postseal.cli;

import ch.qos.logback.classic.Level;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
import org.postseal.dmarc.received.ImportLimits;
import org.postseal.dmarc.received.ReceivedReportSummary;
import org.postseal.dmarc.received.ReportImporter;
import org.postseal.dmarc.report.ReporterIdentity;
import org.postseal.dmarc.store.OutboxReport;
import org.postseal.dmarc.store.RecordedMessages;
import org.postseal.dmarc.store.ReportOutbox;
import org.postseal.dmarc.store.ReportingCounters;
import org.postseal.dmarc.store.ResultsDatabase;
import org.postseal.dns.DnsResolver;
import org.postseal.server.DomainsQuery;
import org.postseal.web.ReportPage;
import org.postseal.web.ReportPageHtml;
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
    description = "DMARC aggregate reports (RFC 9990): send, show what was evaluated, the outbox; import and show"
        + " the reports receivers send us; write the report page.",
    subcommands = {ReportCommand.Send.class, ReportCommand.Show.class, ReportCommand.Status.class,
        ReportCommand.Import.class, ReportCommand.Html.class})
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

  /** {@code postseal report show [--received] [--by source|reporter|day] [--domain D] [--since T] [--json]}. */
  @Command(name = "show", mixinStandardHelpOptions = true,
      description = {"What was evaluated, per policy domain, source IP and result: who sends as whom, failing sources"
          + " first.", "--received: what receivers reported about our domains (postseal report import): per source IP"
          + " with its reverse DNS, failing sources first; --by reporter or --by day for the other views."})
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
    @Option(names = "--received", description = "The reports receivers sent us, not what we evaluated.")
    boolean received;
    @Option(names = "--by", paramLabel = "VIEW",
        description = "With --received: source (the default: per source IP), reporter or day.")
    String by;
    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    @Override
    public Integer call() {
      Clock clock = Clock.systemUTC();
      Instant from = time(spec, "--since", since, clock.instant(), true);
      ReceivedReportOutput.View view = view();
      Optional<Opened> opened = open(spec, common, clock);
      if (opened.isEmpty()) {
        return Main.EXIT_FAILURE;
      }
      Optional<String> onlyDomain = Optional.ofNullable(domain).map(d -> d.toLowerCase(java.util.Locale.ROOT));
      if (received) {
        PostsealConfig config = opened.get().config();
        DnsResolver dns = DnsResolver.create(config.dns().servers(), config.dns().timeout(), clock);
        try {
          ReceivedReportSummary.Summary summary = ReceivedReportSummary.load(opened.get().database(), from, onlyDomain,
              dns, config.dns().timeout());
          spec.commandLine().getOut().print(json ? ReceivedReportOutput.json(summary)
              : ReceivedReportOutput.table(summary, view));
          return Main.EXIT_OK;
        } catch (SQLException e) {
          spec.commandLine().getErr().println("postseal: " + e.getMessage());
          return Main.EXIT_FAILURE;
        }
      }
      try (java.sql.Connection c = opened.get().database().connect()) {
        List<RecordedMessages.SummaryRow> rows = RecordedMessages.summary(c, from, onlyDomain);
        spec.commandLine().getOut().print(json ? ReportOutput.showJson(rows, from, domain)
            : ReportOutput.showTable(rows, from));
        return Main.EXIT_OK;
      } catch (SQLException e) {
        spec.commandLine().getErr().println("postseal: " + e.getMessage());
        return Main.EXIT_FAILURE;
      }
    }

    private ReceivedReportOutput.View view() {
      if (by == null) {
        return ReceivedReportOutput.View.SOURCE;
      }
      if (!received) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--by goes with --received (what we evaluated"
            + " is shown per source already)");
      }
      for (ReceivedReportOutput.View v : ReceivedReportOutput.View.values()) {
        if (v.name().equalsIgnoreCase(by)) {
          return v;
        }
      }
      throw new CommandLine.ParameterException(spec.commandLine(), "--by " + by + " is not a view: use source,"
          + " reporter or day");
    }
  }

  /**
   * {@code postseal report import FILE...|-}: aggregate reports receivers sent us. Exit 0 when every file was
   * imported (or was a copy of a report imported before), 1 when a file was refused (each is named with its reason;
   * the others are imported all the same), 75 when the database failed: sysexits' EX_TEMPFAIL, on which Postfix's
   * pipe(8) and local(8) defer the message and try again instead of bouncing it.
   */
  @Command(name = "import", mixinStandardHelpOptions = true,
      description = {"Read aggregate reports that receivers sent to our rua address: XML, .gz, .zip, or a whole mail"
          + " message with one attached; - reads standard input (a Postfix pipe alias).",
          "A report already imported (same reporter, report id, policy domain and period) is not counted again; a"
              + " file that is not a report, or is hostile (DTD, decompression bomb, path tricks), is refused whole."})
  static final class Import implements Callable<Integer> {
    /** sysexits.h EX_TEMPFAIL: Postfix defers the delivery rather than bouncing it. */
    static final int EXIT_TEMPFAIL = 75;

    @Mixin
    CommonOptions common;
    @Spec
    CommandSpec spec;
    @CommandLine.Parameters(arity = "1..*", paramLabel = "FILE", description = "Report files, or - for standard input.")
    List<String> files;

    /** Where standard input comes from (tests give their own). */
    java.io.InputStream stdin = System.in;

    @Override
    public Integer call() {
      Clock clock = Clock.systemUTC();
      Optional<Opened> opened = open(spec, common, clock);
      if (opened.isEmpty()) {
        return EXIT_TEMPFAIL;
      }
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      ImportLimits limits = ImportLimits.DEFAULTS;
      ReportImporter importer = new ReportImporter(opened.get().database(), clock, limits);
      int refused = 0;
      for (String file : files) {
        byte[] data;
        try {
          data = read(file, limits.maxInputBytes());
        } catch (IOException e) {
          out.print(file + ": refused: cannot be read: " + e.getMessage() + "\n");
          refused++;
          continue;
        }
        ReportImporter.FileOutcome outcome;
        if (data == null) {
          outcome = new ReportImporter.FileOutcome.Refused("the file is more than " + limits.maxInputBytes()
              + " bytes, more than a report may be");
        } else {
          try {
            outcome = importer.importFile(file, data);
          } catch (SQLException e) {
            out.flush();
            err.println("postseal: " + file + " was not imported, the database failed (try again): " + e.getMessage());
            return EXIT_TEMPFAIL;
          }
        }
        if (outcome instanceof ReportImporter.FileOutcome.Refused) {
          refused++;
        }
        out.print(ReceivedReportOutput.imported(file, outcome));
      }
      out.flush();
      if (refused > 0) {
        err.println("postseal: " + refused + " of " + files.size() + " file" + (files.size() == 1 ? "" : "s")
            + " refused, nothing of " + (refused == 1 ? "it" : "them") + " stored");
        return Main.EXIT_FAILURE;
      }
      return Main.EXIT_OK;
    }

    /** The bytes of {@code file} ("-": standard input); null when there are more than {@code max}. */
    private byte[] read(String file, long max) throws IOException {
      try (java.io.InputStream in = file.equals("-") ? new java.io.FilterInputStream(stdin) {
        @Override
        public void close() {
          // standard input stays open
        }
      } : Files.newInputStream(Path.of(file))) {
        byte[] data = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
        return data.length > max ? null : data;
      }
    }
  }

  /**
   * {@code postseal report html --out DIR [--days N] [--domain D]}: the report page ([web] listen serves the same) as
   * DIR/index.html, for admins who publish it behind their own web server. It references nothing outside itself and
   * opens with no network. Exit 0 when written, 1 when the configuration, the database or the file failed.
   */
  @Command(name = "html", mixinStandardHelpOptions = true,
      description = {"Write the report page as DIR/index.html: per domain of ours, the share of mail passing DMARC per"
          + " day, the sources (failing first, with reverse DNS), the next policy step; what we did with other"
          + " domains' mail and what we reported to them.", "One file with inline CSS and SVG, no script, no"
          + " reference outside it: it opens offline. [web] listen serves the same page."})
  static final class Html implements Callable<Integer> {
    @Mixin
    CommonOptions common;
    @Spec
    CommandSpec spec;
    @Option(names = "--out", paramLabel = "DIR", required = true,
        description = "The directory to write index.html into (made when missing).")
    Path out;
    @Option(names = "--days", paramLabel = "N", description = "The last N days, 1..366 (default 30).")
    int days = ReportPage.DEFAULT_DAYS;
    @Option(names = "--domain", paramLabel = "D", description = "Only this policy domain.")
    String domain;

    @Override
    public Integer call() {
      if (days < 1 || days > ReportPage.MAX_DAYS) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--days " + days + " is not 1.."
            + ReportPage.MAX_DAYS + ": give how many days back the page looks, e.g. --days 30");
      }
      Clock clock = Clock.systemUTC();
      Optional<Opened> opened = open(spec, common, clock);
      if (opened.isEmpty()) {
        return Main.EXIT_FAILURE;
      }
      PostsealConfig config = opened.get().config();
      PrintWriter err = spec.commandLine().getErr();
      Optional<String> onlyDomain = Optional.ofNullable(domain).map(d -> d.toLowerCase(java.util.Locale.ROOT));
      DnsResolver dns = DnsResolver.create(config.dns().servers(), config.dns().timeout(), clock);
      try {
        List<String> ours = DomainsQuery.once(config, clock).all();
        ReportPage page = ReportPage.load(opened.get().database(), ours, onlyDomain, days, dns,
            config.dns().timeout(), clock);
        Files.createDirectories(out);
        Path file = out.resolve("index.html");
        Path partial = out.resolve(".index.html.part");
        Files.writeString(partial, ReportPageHtml.render(page, ReportPageHtml.Where.FILE));
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        spec.commandLine().getOut().println("wrote " + file + ": " + page.domains().size() + " domain"
            + (page.domains().size() == 1 ? "" : "s") + ", " + page.receivedReports() + " received report"
            + (page.receivedReports() == 1 ? "" : "s") + ", " + page.decisions().size() + " other policy domain"
            + (page.decisions().size() == 1 ? "" : "s") + ", " + page.sentReports().size() + " report"
            + (page.sentReports().size() == 1 ? "" : "s") + " sent, the last " + days + " day"
            + (days == 1 ? "" : "s"));
        return Main.EXIT_OK;
      } catch (SQLException | IOException e) {
        err.println("postseal: " + e.getMessage());
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
