package org.postseal.dmarc.outbox;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.postseal.dmarc.DmarcRecordParser;
import org.postseal.dmarc.report.MailtoAddress;
import org.postseal.dns.DnsAnswer;
import org.postseal.dns.DnsSource;
import org.postseal.dns.RecordType;

/**
 * External destination verification (RFC 9990 section 4): a report for a policy domain goes to a rua address
 * outside that domain's organization only if {@code <policy-domain>._report._dmarc.<rua-host>} has a TXT record
 * that starts with v=DMARC1 (a wildcard {@code *._report._dmarc.<rua-host>} answers for every domain: DNS
 * resolves it). Without this check anyone could publish a victim's address in rua= and have receivers flood it.
 *
 * <p>A destination is inside when its host is the Organizational Domain of the messages (or below it), or, for a
 * policy found above that (a Public Suffix Domain), the policy domain itself. The one mapping of DNS answers:
 * found with a v=DMARC1 record authorizes; NXDOMAIN, NODATA or only other records refuse; a failed lookup
 * defers. Stateless; lookups are asynchronous.
 */
public final class DestinationVerification {

  private static final int MAX_NAME = 253;

  private final DnsSource dns;

  public DestinationVerification(DnsSource dns) {
    this.dns = Objects.requireNonNull(dns, "dns");
  }

  /**
   * @param policyDomain         the DMARC Policy Domain of the report
   * @param organizationalDomain the From domains' Organizational Domain, empty when unknown
   * @param address              the rua address (domain in lower case)
   */
  public CompletableFuture<Verification> verify(String policyDomain, String organizationalDomain, String address) {
    String host = MailtoAddress.domainOf(address);
    if (isInside(policyDomain.toLowerCase(Locale.ROOT), organizationalDomain.toLowerCase(Locale.ROOT), host)) {
      return CompletableFuture.completedFuture(new Verification.Authorized(List.of(address),
          "inside the organization of " + policyDomain));
    }
    String name = policyDomain + "._report._dmarc." + host;
    if (name.length() > MAX_NAME) {
      // section 4, step 4: "a positive determination of the external reporting relationship cannot be made"
      return CompletableFuture.completedFuture(new Verification.Refused(name.length() + " characters in " + name
          + ", more than DNS allows"));
    }
    return dns.lookup(name, RecordType.TXT).thenApply(answer -> decide(answer, name, host, address));
  }

  static boolean isInside(String policyDomain, String organizationalDomain, String host) {
    if (!organizationalDomain.isEmpty() && isAtOrBelow(policyDomain, organizationalDomain)) {
      return isAtOrBelow(host, organizationalDomain);
    }
    if (!organizationalDomain.isEmpty()) {
      // the policy came from above the Organizational Domain (psd=y): only the PSD itself is the same party
      return host.equals(policyDomain);
    }
    return isAtOrBelow(host, policyDomain);
  }

  private static boolean isAtOrBelow(String name, String domain) {
    return name.equals(domain) || name.endsWith("." + domain);
  }

  private static Verification decide(DnsAnswer answer, String name, String host, String address) {
    if (answer instanceof DnsAnswer.Found found) {
      return fromRecords(found.records(), name, host, address);
    }
    if (answer instanceof DnsAnswer.NotFound notFound) {
      return new Verification.Refused((notFound.nxdomain() ? "NXDOMAIN" : "no TXT record") + " at " + name + ": "
          + host + " does not accept reports for this domain");
    }
    return new Verification.Deferred("TXT lookup of " + name + " failed: " + ((DnsAnswer.Failed) answer).reason());
  }

  /** Section 4, steps 6-9: any v=DMARC1 record verifies; its rua=, if any, must stay on the same host. */
  private static Verification fromRecords(List<String> records, String name, String host, String address) {
    for (String text : records) {
      if (DmarcRecordParser.parse(text) instanceof DmarcRecordParser.Valid valid) {
        List<String> overrides = new ArrayList<>();
        for (String uri : valid.record().aggregateReportUris()) {
          MailtoAddress.of(uri).ifPresent(overrides::add);
        }
        if (overrides.isEmpty()) {
          return new Verification.Authorized(List.of(address), "\"" + text + "\" at " + name);
        }
        for (String override : overrides) {
          if (!MailtoAddress.domainOf(override).equals(host)) {
            // "the Mail Receiver generating the report MUST NOT generate a report to either the original or the
            // override URI"
            return new Verification.Refused("the record at " + name + " redirects reports to " + override
                + ", outside " + host);
          }
        }
        return new Verification.Authorized(overrides, "\"" + text + "\" at " + name + " (its rua= replaces "
            + address + ")");
      }
    }
    return new Verification.Refused("no record starting with v=DMARC1 at " + name + " (" + records.size()
        + " other TXT record" + (records.size() == 1 ? "" : "s") + ")");
  }
}
