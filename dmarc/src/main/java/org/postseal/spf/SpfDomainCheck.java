package org.postseal.spf;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.postseal.dns.DnsAnswer;
import org.postseal.dns.DnsSource;
import org.postseal.dns.RecordType;
import org.postseal.mail.DomainName;

/**
 * What a receiver finds in a domain's SPF record before any message arrives: the record, every include and
 * redirect it leads to, and how many DNS-querying terms check_host() would spend on them, counted by the same
 * rule ({@link SpfMechanism#isDnsQuerying()}) and against the same limit ({@link SpfLimits#RFC_MAX_DNS_TERMS}) as
 * the evaluation of a message. For {@code postseal doctor}.
 *
 * <p>Threading: {@link #check} blocks on DNS, one lookup after another, each at most the timeout given: call it
 * from a command's thread, never from a milter event loop.
 */
public final class SpfDomainCheck {

  /** Deeper include/redirect nesting than any sane record; also ends loops the visited set misses. */
  private static final int MAX_DEPTH = 12;

  private final DnsSource dns;
  private final Duration lookupTimeout;

  public SpfDomainCheck(DnsSource dns, Duration lookupTimeout) {
    this.dns = Objects.requireNonNull(dns, "dns");
    this.lookupTimeout = Objects.requireNonNull(lookupTimeout, "lookupTimeout");
  }

  /** The SPF record of {@code domain} (lower case, no trailing dot) and everything it leads to. */
  public SpfDomainReport check(String domain) {
    Objects.requireNonNull(domain, "domain");
    DnsAnswer answer = lookup(domain);
    if (answer instanceof DnsAnswer.Failed failed) {
      return SpfDomainReport.without(SpfDomainReport.Status.DNS_FAILURE, domain, "", failed.reason());
    }
    List<String> records = spfRecords(answer);
    if (records.isEmpty()) {
      return SpfDomainReport.without(SpfDomainReport.Status.NO_RECORD, domain, "", "");
    }
    if (records.size() > 1) {
      return SpfDomainReport.without(SpfDomainReport.Status.SEVERAL_RECORDS, domain, String.join(" | ", records),
          records.size() + " records");
    }
    String text = records.get(0);
    if (SpfRecordParser.parse(text) instanceof SpfRecordParser.Invalid invalid) {
      return SpfDomainReport.without(SpfDomainReport.Status.INVALID, domain, text, invalid.reason());
    }
    SpfRecord record = ((SpfRecordParser.Valid) SpfRecordParser.parse(text)).record();
    Tally tally = new Tally();
    tally.visited.add(domain);
    Optional<SpfQualifier> ending = follow(record, tally, 0);
    boolean usesPtr = record.mechanisms().stream().anyMatch(m -> m instanceof SpfMechanism.Ptr);
    return new SpfDomainReport(SpfDomainReport.Status.FOUND, domain, text, "", tally.lookups,
        SpfLimits.RFC_MAX_DNS_TERMS, tally.problems, tally.notes, usesPtr, ending);
  }

  /** What following one record (and its includes and redirect) found. */
  private static final class Tally {
    int lookups;
    final List<String> problems = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    final Set<String> visited = new HashSet<>();
  }

  /**
   * Counts the DNS-querying terms of {@code record} and, recursively, of every include and redirect target;
   * returns the qualifier of the "all" that ends the evaluation (through redirects), if any.
   */
  private Optional<SpfQualifier> follow(SpfRecord record, Tally tally, int depth) {
    Optional<SpfQualifier> ending = Optional.empty();
    for (SpfMechanism m : record.mechanisms()) {
      if (m.isDnsQuerying()) {
        tally.lookups++;
      }
      if (m instanceof SpfMechanism.Include include) {
        followTarget("include:" + include.domainSpec(), include.domainSpec(), tally, depth);
      } else if (m instanceof SpfMechanism.All all) {
        ending = Optional.of(all.qualifier());
      }
    }
    if (record.redirect().isPresent() && !record.hasAll()) {
      // redirect= is a DNS-querying term too (section 4.6.4)
      tally.lookups++;
      return followTarget("redirect=" + record.redirect().get(), record.redirect().get(), tally, depth);
    }
    return ending;
  }

  /** One include or redirect: its target's record, counted; the ending of that record (for a redirect). */
  private Optional<SpfQualifier> followTarget(String term, String target, Tally tally, int depth) {
    if (target.contains("%")) {
      tally.notes.add(term + " uses macros: its lookups depend on the sender and were not counted");
      return Optional.empty();
    }
    DomainName.Parse targetName = DomainName.parse(target, DomainName.Syntax.WITH_UNDERSCORE);
    if (targetName instanceof DomainName.Invalid invalid) {
      // section 4.3: check_host() of a malformed name is none; an include or redirect makes that permerror
      tally.problems.add(term + ": " + invalid.describe() + ": receivers return permerror");
      return Optional.empty();
    }
    String name = ((DomainName.Valid) targetName).domain().value();
    if (!tally.visited.add(name) || depth >= MAX_DEPTH) {
      tally.problems.add(term + " leads back to a record already followed (a loop): receivers return permerror");
      return Optional.empty();
    }
    DnsAnswer answer = lookup(name);
    if (answer instanceof DnsAnswer.Failed failed) {
      tally.problems.add(term + ": DNS lookup failed (" + failed.reason() + "): receivers return temperror");
      return Optional.empty();
    }
    List<String> spf = spfRecords(answer);
    if (spf.size() != 1) {
      tally.problems.add(term + ": " + name + (spf.isEmpty() ? " has no SPF record" : " has " + spf.size()
          + " SPF records") + ", so receivers return permerror (RFC 7208 section 5.2)");
      return Optional.empty();
    }
    SpfRecordParser.Parsed parsed = SpfRecordParser.parse(spf.get(0));
    if (parsed instanceof SpfRecordParser.Invalid invalid) {
      tally.problems.add(term + ": the record of " + name + " is not valid SPF (" + invalid.reason()
          + "), so receivers return permerror");
      return Optional.empty();
    }
    return follow(((SpfRecordParser.Valid) parsed).record(), tally, depth + 1);
  }

  /** The SPF records among a name's TXT records. */
  private static List<String> spfRecords(DnsAnswer answer) {
    return answer instanceof DnsAnswer.Found found
        ? found.records().stream().filter(SpfRecordParser::isSpfRecord).toList() : List.of();
  }

  private DnsAnswer lookup(String name) {
    try {
      return dns.lookup(name, RecordType.TXT).get(lookupTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new DnsAnswer.Failed("interrupted", false);
    } catch (ExecutionException | TimeoutException e) {
      return new DnsAnswer.Failed("no answer within " + lookupTimeout.toMillis() + " ms", true);
    }
  }
}
