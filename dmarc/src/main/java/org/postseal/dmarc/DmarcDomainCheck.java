package org.postseal.dmarc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.postseal.dns.DnsAnswer;
import org.postseal.dns.DnsSource;
import org.postseal.dns.RecordType;

/**
 * What a receiver finds when it discovers a domain's DMARC policy (RFC 9989 section 4.10): the records at
 * {@code _dmarc.DOMAIN} and the tree walk's conclusion, by the same code the milter runs. For
 * {@code postseal doctor}.
 *
 * <p>Threading: {@link #check} blocks on DNS, each lookup at most the timeout given (a walk is at most
 * {@value DmarcPolicySource#MAX_QUERIES} of them, one after another): call it from a command's thread, never from
 * a milter event loop.
 */
public final class DmarcDomainCheck {

  private final DnsSource dns;
  private final DmarcPolicySource policies;
  private final Duration lookupTimeout;

  public DmarcDomainCheck(DnsSource dns, Duration lookupTimeout) {
    this.dns = Objects.requireNonNull(dns, "dns");
    this.policies = new DmarcPolicySource(dns);
    this.lookupTimeout = Objects.requireNonNull(lookupTimeout, "lookupTimeout");
  }

  /** The policy that applies to mail From {@code domain} (lower case, no trailing dot), and how it was found. */
  public DmarcDomainReport check(String domain) {
    Objects.requireNonNull(domain, "domain");
    String name = "_dmarc." + domain;
    List<String> invalid = new ArrayList<>();
    if (await(dns.lookup(name, RecordType.TXT), lookupTimeout) instanceof DnsAnswer.Found own) {
      long count = 0;
      for (String text : own.records()) {
        DmarcRecordParser.Parsed parsed = DmarcRecordParser.parse(text);
        if (parsed instanceof DmarcRecordParser.Valid) {
          count++;
        } else if (parsed instanceof DmarcRecordParser.Invalid bad) {
          invalid.add("\"" + text + "\": " + bad.reason());
        }
      }
      if (count > 1) {
        return DmarcDomainReport.without(DmarcDomainReport.Status.SEVERAL_RECORDS, domain, count + " DMARC records");
      }
    }
    PolicyDiscovery discovery = await(policies.discover(domain), lookupTimeout.multipliedBy(DmarcPolicySource.MAX_QUERIES));
    if (discovery == null) {
      return DmarcDomainReport.without(DmarcDomainReport.Status.DNS_FAILURE, domain, "no answer in time");
    }
    DmarcTreeWalk walk = discovery.walk();
    List<String> steps = walk.steps().stream()
        .map(s -> "_dmarc." + s.domain() + (s.record().isPresent() ? " (record)" : " (none)")).toList();
    DmarcDomainReport.Status status = switch (discovery.status()) {
      case FOUND -> DmarcDomainReport.Status.FOUND;
      case NOT_FOUND -> DmarcDomainReport.Status.NOT_FOUND;
      case TEMPERROR -> DmarcDomainReport.Status.DNS_FAILURE;
    };
    return new DmarcDomainReport(status, domain, discovery.status() == PolicyDiscovery.Status.TEMPERROR
        ? discovery.reason() : "", steps, walk.failure().map(LookupFailure::detail), discovery.organizationalDomain(),
        discovery.record(), discovery.policyDomain(), invalid);
  }

  private static <T> T await(CompletableFuture<T> future, Duration timeout) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (ExecutionException | TimeoutException e) {
      future.cancel(true);
      return null;
    }
  }
}
