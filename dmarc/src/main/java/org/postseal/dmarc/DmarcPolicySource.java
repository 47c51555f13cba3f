package org.postseal.dmarc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.postseal.dns.Deadline;
import org.postseal.dns.DnsAnswer;
import org.postseal.dns.DnsSource;
import org.postseal.dns.RecordType;

/**
 * Finds DMARC records by the DNS tree walk of RFC 9989 section 4.10: policy discovery for an Author Domain
 * (section 4.10.1) and the Organizational Domain of any domain (section 4.10.2). No public suffix list.
 *
 * <p>A walk queries at most {@value #MAX_QUERIES} names (fewer when configured so; at least 2, the name and its
 * top label): a name of 8 or more labels is followed by its last 7
 * labels, skipping those in between, and the walk stops at a record with psd=y or psd=n. The queries of a
 * walk run one after another (each depends on the answer before it), as futures: nothing blocks. Within one
 * call, and within one message's {@link DmarcSession}, each "_dmarc" name is queried once, and no query is sent
 * once the message's deadline is reached.
 */
final class DmarcPolicySource {

  /** Section 4.10: a tree walk makes at most eight queries. */
  public static final int MAX_QUERIES = 8;
  /** A walk must at least ask the name itself and its top label. */
  public static final int MIN_QUERIES = 2;

  private final DnsSource dns;
  private final int maxQueries;

  DmarcPolicySource(DnsSource dns) {
    this(dns, MAX_QUERIES);
  }

  /** @param maxQueries at most this many queries per walk: {@value #MIN_QUERIES}..{@value #MAX_QUERIES} */
  DmarcPolicySource(DnsSource dns, int maxQueries) {
    this.dns = Objects.requireNonNull(dns, "dns");
    if (maxQueries < MIN_QUERIES || maxQueries > MAX_QUERIES) {
      throw new IllegalArgumentException("DMARC tree walk queries must be " + MIN_QUERIES + ".." + MAX_QUERIES
          + ", was " + maxQueries);
    }
    this.maxQueries = maxQueries;
  }

  /** Policy discovery for {@code authorDomain} (lower case A-labels, no trailing dot), with no deadline of its own. */
  public CompletableFuture<PolicyDiscovery> discover(String authorDomain) {
    return new Lookups(Deadline.unarmed(Duration.ZERO)).discover(authorDomain);
  }

  /** Fresh lookups for one message, sharing no answers with any other (the resolver's cache still applies). */
  Lookups lookups(Deadline deadline) {
    return new Lookups(deadline);
  }

  /**
   * The one place where a DNS status becomes a DMARC error: a failed lookup (timeout, SERVFAIL, REFUSED,
   * network) is a temperror, with this detail (RFC 9989 section 4.10.1 leaves the handling to the receiver,
   * section 5.3.6 says no pass or fail can be concluded). NXDOMAIN and NODATA are answers: no record, or a
   * non-existent domain.
   */
  static Optional<LookupFailure> failureOf(DnsAnswer answer, String what) {
    if (answer instanceof DnsAnswer.Failed failed) {
      return Optional.of(new LookupFailure(DmarcCause.DNS_FAILURE, "DNS lookup of " + what + " failed: "
          + failed.reason()));
    }
    return Optional.empty();
  }

  /** A "_dmarc" lookup: the single valid record, none, or why it failed. */
  record RecordLookup(Optional<DmarcRecord> record, Optional<LookupFailure> failure) {
  }

  /** Whether a domain exists (RFC 8020: NXDOMAIN means neither it nor any name below it does). */
  record Existence(boolean exists, Optional<LookupFailure> failure) {
  }

  /** The lookups of one message; its walks may run in parallel. Not shared across messages. */
  final class Lookups {

    private final Map<String, CompletableFuture<RecordLookup>> records = new ConcurrentHashMap<>();
    private final Deadline deadline;

    private Lookups(Deadline deadline) {
      this.deadline = deadline;
    }

    CompletableFuture<PolicyDiscovery> discover(String authorDomain) {
      return walk(authorDomain).thenApply(walk -> {
        Optional<DmarcRecord> atAuthor = walk.recordAt(authorDomain);
        String organizational = walk.isComplete() ? walk.organizationalDomain() : "";
        if (atAuthor.isPresent()) {
          return new PolicyDiscovery(PolicyDiscovery.Status.FOUND, authorDomain, atAuthor, authorDomain,
              organizational, walk, "DMARC record at _dmarc." + authorDomain);
        }
        if (!walk.isComplete()) {
          return new PolicyDiscovery(PolicyDiscovery.Status.TEMPERROR, authorDomain, Optional.empty(), "", "", walk,
              walk.failure().get().detail());
        }
        Optional<DmarcRecord> atOrganizational = walk.recordAt(organizational);
        if (atOrganizational.isPresent()) {
          return new PolicyDiscovery(PolicyDiscovery.Status.FOUND, authorDomain, atOrganizational, organizational,
              organizational, walk, "DMARC record of the organizational domain, at _dmarc." + organizational);
        }
        Optional<DmarcTreeWalk.Step> psd = walk.publicSuffixStep();
        if (psd.isPresent()) {
          return new PolicyDiscovery(PolicyDiscovery.Status.FOUND, authorDomain, psd.get().record(),
              psd.get().domain(), organizational, walk,
              "DMARC record of the public suffix domain, at _dmarc." + psd.get().domain());
        }
        return new PolicyDiscovery(PolicyDiscovery.Status.NOT_FOUND, authorDomain, Optional.empty(), "",
            organizational, walk, "no DMARC record for " + authorDomain + " or its organizational domain");
      });
    }

    CompletableFuture<DmarcTreeWalk> walk(String domain) {
      return step(domain, DmarcTreeWalk.targets(domain, maxQueries), 0, new ArrayList<>());
    }

    private CompletableFuture<DmarcTreeWalk> step(String start, List<String> targets, int index,
                                                  List<DmarcTreeWalk.Step> steps) {
      if (index == targets.size()) {
        return CompletableFuture.completedFuture(new DmarcTreeWalk(start, steps, Optional.empty()));
      }
      String target = targets.get(index);
      if (deadline.isReached()) {
        return CompletableFuture.completedFuture(new DmarcTreeWalk(start, steps, Optional.of(new LookupFailure(
            DmarcCause.DEADLINE, "the message's deadline came before _dmarc." + target + " was asked"))));
      }
      return record(target).thenCompose(lookup -> {
        if (lookup.failure().isPresent()) {
          return CompletableFuture.completedFuture(new DmarcTreeWalk(start, steps, lookup.failure()));
        }
        steps.add(new DmarcTreeWalk.Step(target, lookup.record()));
        if (lookup.record().isPresent() && lookup.record().get().psd() != DmarcRecord.Psd.U) {
          // section 4.10 steps 2 and 6: a record with psd=y or psd=n ends the walk
          return CompletableFuture.completedFuture(new DmarcTreeWalk(start, steps, Optional.empty()));
        }
        return step(start, targets, index + 1, steps);
      });
    }

    /**
     * The DMARC record at "_dmarc." + domain: records that are not DMARC are discarded, and several DMARC
     * records count as none (section 4.10 step 2).
     */
    CompletableFuture<RecordLookup> record(String domain) {
      return records.computeIfAbsent(domain, d -> {
        String name = "_dmarc." + d;
        return dns.lookup(name, RecordType.TXT).thenApply(answer -> {
          Optional<LookupFailure> failure = failureOf(answer, name + " TXT");
          if (failure.isPresent()) {
            return new RecordLookup(Optional.empty(), failure);
          }
          if (!(answer instanceof DnsAnswer.Found found)) {
            return new RecordLookup(Optional.empty(), Optional.empty());
          }
          List<DmarcRecord> valid = new ArrayList<>();
          for (String txt : found.records()) {
            if (DmarcRecordParser.parse(txt) instanceof DmarcRecordParser.Valid v) {
              valid.add(v.record());
            }
          }
          return new RecordLookup(valid.size() == 1 ? Optional.of(valid.get(0)) : Optional.empty(),
              Optional.empty());
        });
      });
    }

    /** For np=: does the Author Domain exist? Any record type tells: NXDOMAIN is for the name (RFC 8020). */
    CompletableFuture<Existence> exists(String domain) {
      if (deadline.isReached()) {
        return CompletableFuture.completedFuture(new Existence(true, Optional.of(new LookupFailure(DmarcCause.DEADLINE,
            "the message's deadline came before " + domain + " A was asked"))));
      }
      return dns.lookup(domain, RecordType.A).thenApply(answer -> {
        Optional<LookupFailure> failure = failureOf(answer, domain + " A");
        if (failure.isPresent()) {
          return new Existence(true, failure);
        }
        return new Existence(!(answer instanceof DnsAnswer.NotFound notFound && notFound.nxdomain()),
            Optional.empty());
      });
    }
  }
}
