package org.postseal.config;

import java.net.InetAddress;
import java.util.List;
import org.postseal.dkim.DkimAlgorithm;
import org.postseal.mail.DomainName;

/**
 * The [signing] section: which mail is ours and how we sign it.
 *
 * @param domains           From: domains we sign for, as {@link DomainName} writes them
 * @param domainsQuery      optional SQL on [database] returning more domains; empty when unused
 * @param internalNetworks  clients in these networks send outbound mail
 * @param signAuthenticated whether SASL-authenticated clients ({auth_authen}) send outbound mail
 * @param algorithms        one signature per algorithm, in this order
 */
public record SigningConfig(List<String> domains, String domainsQuery, List<Network> internalNetworks,
                            boolean signAuthenticated, List<DkimAlgorithm> algorithms) {

  public static final List<String> DEFAULT_DOMAINS = List.of();
  public static final String DEFAULT_DOMAINS_QUERY = "";
  public static final List<String> DEFAULT_INTERNAL_NETWORKS = List.of("127.0.0.0/8", "::1/128");
  public static final boolean DEFAULT_SIGN_AUTHENTICATED = true;
  public static final List<DkimAlgorithm> DEFAULT_ALGORITHMS = List.of(DkimAlgorithm.RSA_SHA256);

  public SigningConfig {
    domains = domains.stream().map(ConfigKeys::domain).toList();
    internalNetworks = List.copyOf(internalNetworks);
    algorithms = List.copyOf(algorithms);
  }

  public static SigningConfig defaults() {
    return new SigningConfig(DEFAULT_DOMAINS, DEFAULT_DOMAINS_QUERY,
        DEFAULT_INTERNAL_NETWORKS.stream().map(Network::parse).toList(), DEFAULT_SIGN_AUTHENTICATED, DEFAULT_ALGORITHMS);
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
