package org.postseal.cli;

import ch.qos.logback.classic.Level;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.nio.file.Files;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.postseal.config.ConfigLoader;
import org.postseal.config.FileExposure;
import org.postseal.config.PostsealConfig;
import org.postseal.dns.DnsResolver;
import org.postseal.doctor.DoctorReport;
import org.postseal.doctor.DomainDoctor;
import org.postseal.doctor.Finding;
import org.postseal.doctor.ReportedTraffic;
import org.postseal.dmarc.received.ReceivedReportSummary;
import org.postseal.dmarc.store.ResultsDatabase;
import org.postseal.keys.KeyDirectory;
import org.postseal.server.DomainsQuery;
import org.postseal.mail.DomainName;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code postseal doctor DOMAIN [--ip IP] [--json]}: the domain as receivers see it. The report goes to stdout
 * either way (scripts read --json); exit 1 when it holds an error finding, with a one-line summary on stderr.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
    description = {"Audit a domain as receivers see it: MX, SPF, DKIM (our selectors), DMARC, and with --ip the",
        "reverse DNS of the server (FCrDNS) and whether SPF passes for it; then what receivers reported about it in the",
        "last 7 days (postseal report import), the next policy step, and the signing domains without a key.",
        "Each finding says what to fix."})
final class DoctorCommand implements Callable<Integer> {

  private static final Pattern IP_LITERAL = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  @Mixin
  CommonOptions common;

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DOMAIN", description = "The domain you send mail as.")
  String domain;

  @Option(names = "--ip", paramLabel = "IP", description = "Your mail server's public address (IPv4 or IPv6).")
  String ip;

  @Option(names = "--json", description = "Print JSON for scripts.")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!common.applyLogLevel(Level.ERROR)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "unknown --log-level " + common.logLevel);
    }
    DomainName.Parse parsed = DomainName.parse(domain, DomainName.Syntax.HOST_NAME);
    if (parsed instanceof DomainName.Invalid invalid) {
      throw notADomain("it " + invalid.problem());
    }
    if (((DomainName.Valid) parsed).domain().labels().size() < 2) {
      throw notADomain("a sending domain has at least two labels");
    }
    String name = ((DomainName.Valid) parsed).domain().value();
    Optional<InetAddress> address = Optional.empty();
    if (ip != null) {
      address = Optional.of(parseIp(ip));
    }
    Optional<PostsealConfig> config = common.validConfig(new ConfigLoader(), err);
    if (config.isEmpty()) {
      return Main.EXIT_FAILURE;
    }
    // who else may read the configuration and the private keys: said before the domain's findings
    FileExposure.check(common.loadConfig(new ConfigLoader()).source(), config.get().keysDir(), true)
        .forEach(w -> err.println("warning: " + w));
    err.flush();
    Clock clock = Clock.systemUTC();
    Duration timeout = config.get().dns().timeout();
    DnsResolver dns = DnsResolver.create(config.get().dns().servers(), timeout, clock);
    DomainDoctor doctor = new DomainDoctor(dns, KeyCommandRun.store(config.get(), clock), clock,
        timeout.multipliedBy(2));
    DoctorReport report = withReportsAndKeys(doctor.examine(name, address), config.get(), dns, clock);
    out.print(json ? DoctorOutput.json(report) : DoctorOutput.text(report));
    if (!report.hasErrors()) {
      return Main.EXIT_OK;
    }
    err.println("postseal: doctor found " + report.count(org.postseal.doctor.Severity.ERROR) + " error(s) for " + name);
    return Main.EXIT_FAILURE;
  }

  /** How far back the doctor reads received reports. */
  static final Duration REPORT_WINDOW = Duration.ofDays(7);

  /**
   * The DNS audit, then what receivers reported about the domain (the last {@link #REPORT_WINDOW}) and which signing
   * domains have no key yet (signing.domains and domains-query).
   */
  private static DoctorReport withReportsAndKeys(DoctorReport report, PostsealConfig config, DnsResolver dns,
                                                 Clock clock) {
    List<Finding> findings = new ArrayList<>(report.findings());
    DomainsQuery.SigningDomains signing = DomainsQuery.once(config, clock);
    KeyDirectory keys = KeyDirectory.scan(config.keysDir());
    List<String> withoutKey = signing.all().stream().filter(d -> keys.activeKeys(d).stream()
        .noneMatch(k -> config.signing().algorithms().contains(k.algorithm()))).toList();
    findings.addAll(ReportedTraffic.keys(withoutKey, signing.queried(), signing.queryFailure()));
    Optional<ReceivedReportSummary.Summary> summary = Optional.empty();
    boolean noDatabaseYet = config.database().url().isEmpty()
        && !Files.exists(config.stateDir().resolve(ResultsDatabase.SQLITE_FILE_NAME));
    if (noDatabaseYet) {
      summary = Optional.of(ReceivedReportSummary.summarize(List.of(), clock.instant().minus(REPORT_WINDOW),
          Optional.of(report.domain()), java.util.Map.of()));
    } else {
      try {
        ResultsDatabase database = ResultsDatabase.open(config.database().url(), config.stateDir(), clock);
        summary = Optional.of(ReceivedReportSummary.load(database, clock.instant().minus(REPORT_WINDOW),
            Optional.of(report.domain()), dns, config.dns().timeout()));
      } catch (SQLException | RuntimeException e) {
        // the finding says the reports could not be read
      }
    }
    findings.addAll(ReportedTraffic.findings(report.domain(), summary, REPORT_WINDOW));
    return new DoctorReport(report.domain(), report.ip(), findings);
  }

  private CommandLine.ParameterException notADomain(String why) {
    return new CommandLine.ParameterException(spec.commandLine(), "\"" + domain + "\" is not a domain name (" + why
        + "); give the domain you send as, e.g. example.com");
  }

  private InetAddress parseIp(String text) {
    String value = text.strip();
    // the pattern first: the octet check parses digits only
    if (IP_LITERAL.matcher(value).matches() && (value.contains(":")
        || java.util.Arrays.stream(value.split("\\.")).allMatch(o -> Integer.parseInt(o) <= 255))) {
      try {
        // a literal: no lookup happens
        return InetAddress.getByName(value);
      } catch (UnknownHostException e) {
        // falls through to the usage error
      }
    }
    throw new CommandLine.ParameterException(spec.commandLine(), "--ip \"" + text + "\" is not an IP address;"
        + " give your mail server's public IPv4 or IPv6 address, e.g. --ip 192.0.2.25");
  }
}
