package org.postseal.config;

import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import org.postseal.dkim.DkimAlgorithm;
import org.postseal.mail.DomainName;

/**
 * The [signing] section: which mail is ours and how we sign it.
 *
 * @param domains           From: domains we sign for, as {@link DomainName} writes them
 * @param domainsQuery      optional SQL on [database] returning more domains; empty when unused
 * @param domainsRefresh    how often domainsQuery runs (and at every SIGHUP)
 * @param internalNetworks  clients in these networks send outbound mail
 * @param signAuthenticated whether SASL-authenticated clients ({auth_authen}) send outbound mail
 * @param algorithms        one signature per algorithm, in this order
 */
public record SigningConfig(List<String> domains, String domainsQuery, Duration domainsRefresh,
                            List<Network> internalNetworks, boolean signAuthenticated, List<DkimAlgorithm> algorithms) {

  public static final List<String> DEFAULT_DOMAINS = List.of();
  public static final String DEFAULT_DOMAINS_QUERY = "";
  /** A domain added to the admin's table is signed within a minute. */
  public static final Duration DEFAULT_DOMAINS_REFRESH = Duration.ofSeconds(60);
  public static final Duration MIN_DOMAINS_REFRESH = Duration.ofSeconds(1);
  public static final Duration MAX_DOMAINS_REFRESH = Duration.ofDays(1);
  public static final List<String> DEFAULT_INTERNAL_NETWORKS = List.of("127.0.0.0/8", "::1/128");
  public static final boolean DEFAULT_SIGN_AUTHENTICATED = true;
  public static final List<DkimAlgorithm> DEFAULT_ALGORITHMS = List.of(DkimAlgorithm.RSA_SHA256);

  public SigningConfig {
    domains = domains.stream().map(ConfigKeys::domain).toList();
    internalNetworks = List.copyOf(internalNetworks);
    algorithms = List.copyOf(algorithms);
  }

  public static SigningConfig defaults() {
    return new SigningConfig(DEFAULT_DOMAINS, DEFAULT_DOMAINS_QUERY, DEFAULT_DOMAINS_REFRESH,
        DEFAULT_INTERNAL_NETWORKS.stream().map(Network::parse).toList(), DEFAULT_SIGN_AUTHENTICATED, DEFAULT_ALGORITHMS);
  }

  /**
   * The same section signing {@code queried} too, after {@link #domains()} (the result of domains-query: already
   * written as {@link DomainName}s). The running server's snapshot uses this; the file's own list stays as read.
   */
  public SigningConfig withQueriedDomains(List<String> queried) {
    LinkedHashSet<String> merged = new LinkedHashSet<>(domains);
    merged.addAll(queried);
    return new SigningConfig(List.copyOf(merged), domainsQuery, domainsRefresh, internalNetworks, signAuthenticated,
        algorithms);
  }

  /** Whether some domains come from [database] (domains-query is set). */
  public boolean hasDomainsQuery() {
    return !domainsQuery.isEmpty();
  }

  /** True when {@code domain} is one of {@link #domains()} (compared as {@link DomainName}s). */
  public boolean isSigningDomain(String domain) {
    return DomainName.parse(domain).filter(d -> domains.contains(d.value())).isPresent();
  }

  /** True when {@code client} lies in one of {@link #internalNetworks()}. */
  public boolean isInternal(InetAddress client) {
    return internalNetworks.stream().anyMatch(n -> n.contains(client));
  }
}
