package org.postseal.dmarc;

import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.postseal.mail.DomainName;

/**
 * The {@code [dmarc]} settings and the signing domains, as the disposition uses them. Immutable.
 *
 * @param enforce            {@code dmarc.enforce}: p=reject failures are rejected; when off they are
 *                           quarantined (override reason local_policy)
 * @param quarantine         {@code dmarc.quarantine}: what p=quarantine failures get
 * @param onDnsError         {@code dmarc.on-dns-error}: what a temperror gets
 * @param protectOwnDomains  {@code dmarc.protect-own-domains}: mail from an outside, unauthenticated client
 *                           with one of {@code ownDomains} in From that does not pass DMARC is rejected even
 *                           when the domain publishes no policy, or a milder one
 * @param ownDomains         {@code signing.domains}: the domains whose legitimate mail we sign ourselves
 * @param trustedForwarders  {@code dmarc.trusted-forwarders}
 * @param neverReject        {@code dmarc.never-reject}: From domains (and their subdomains) never rejected
 */
public record DmarcSettings(boolean enforce, QuarantineMode quarantine, DnsErrorMode onDnsError,
                            boolean protectOwnDomains, Set<String> ownDomains, TrustedForwarders trustedForwarders,
                            Set<String> neverReject) {

  /** {@code dmarc.quarantine} values. */
  public enum QuarantineMode {
    /** "header": deliver with a header for filters. */
    HEADER,
    /** "hold": the MTA's quarantine. */
    HOLD,
    /** "accept": deliver as is (override reason local_policy). */
    ACCEPT
  }

  /** {@code dmarc.on-dns-error} values. */
  public enum DnsErrorMode {
    ACCEPT, TEMPFAIL
  }

  public static final boolean DEFAULT_ENFORCE = true;
  public static final QuarantineMode DEFAULT_QUARANTINE = QuarantineMode.HEADER;
  public static final DnsErrorMode DEFAULT_ON_DNS_ERROR = DnsErrorMode.ACCEPT;
  public static final boolean DEFAULT_PROTECT_OWN_DOMAINS = true;

  public DmarcSettings {
    Objects.requireNonNull(quarantine, "quarantine");
    Objects.requireNonNull(onDnsError, "onDnsError");
    ownDomains = domains(ownDomains);
    Objects.requireNonNull(trustedForwarders, "trustedForwarders");
    neverReject = domains(neverReject);
  }

  /** The defaults of the reference configuration, with these signing domains. */
  public static DmarcSettings defaults(Set<String> ownDomains) {
    return new DmarcSettings(DEFAULT_ENFORCE, DEFAULT_QUARANTINE, DEFAULT_ON_DNS_ERROR, DEFAULT_PROTECT_OWN_DOMAINS,
        ownDomains, TrustedForwarders.NONE, Set.of());
  }

  /** True when {@code domain} is one of our signing domains (exactly: a subdomain we do not sign is not). */
  public boolean isOwnDomain(String domain) {
    return DomainName.parse(domain).filter(d -> ownDomains.contains(d.value())).isPresent();
  }

  /** True when {@code domain} is a never-reject domain or below one. */
  public boolean isNeverReject(String domain) {
    Optional<DomainName> author = DomainName.parse(domain);
    return author.isPresent() && neverReject.stream().map(d -> DomainName.parse(d).orElseThrow())
        .anyMatch(author.get()::isSubdomainOf);
  }

  /** The names as DomainName writes them; configuration has checked them, so anything else is a programming error. */
  private static Set<String> domains(Set<String> domains) {
    Set<String> out = new LinkedHashSet<>();
    for (String d : Objects.requireNonNull(domains, "domains")) {
      out.add(DomainName.parse(d).orElseThrow(() -> new IllegalArgumentException("\"" + d + "\" is not a domain name"))
          .value());
    }
    return Set.copyOf(out);
  }
}
