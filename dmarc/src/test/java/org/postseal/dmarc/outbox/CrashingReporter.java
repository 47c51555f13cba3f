package org.postseal.dmarc.outbox;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.postseal.dmarc.report.ReportFixtures;
import org.postseal.dmarc.store.ReportOutbox;
import org.postseal.dmarc.store.ReportingCounters;
import org.postseal.dmarc.store.ResultsDatabase;
import org.postseal.dns.DnsResolver;

/**
 * The process {@code ReportCycleTest} kills with SIGKILL: it closes the finished periods (the reports are built and
 * committed), prints "built ID FILE" for each, and then waits, before sending, for the kill.
 *
 * <p>Arguments: STATE-DIR NOW (ISO instant: its clock stands there) SMTP-PORT DNS-SERVER; it closes what serve
 * would close at NOW.
 */
public final class CrashingReporter {

  private CrashingReporter() {
  }

  public static void main(String[] args) throws Exception {
    Clock clock = Clock.fixed(Instant.parse(args[1]), java.time.ZoneOffset.UTC);
    ResultsDatabase database = ResultsDatabase.open("", Path.of(args[0]), clock);
    ReportCycle cycle = new ReportCycle(database, new ReportingCounters(),
        ReportSettings.of(ReportFixtures.REPORTER, "127.0.0.1", Integer.parseInt(args[2]), List.of()),
        DnsResolver.create(List.of(args[3]), java.time.Duration.ofSeconds(1), clock), clock,
        "crashing:" + ProcessHandle.current().pid());
    for (ReportOutbox.ClosedPeriod period : cycle.close(ReportCycle.finishedUntil(clock.instant()))) {
      period.reports().forEach(r -> System.out.println("built " + r.reportId() + " " + r.fileName()));
    }
    System.out.println("about to send");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
