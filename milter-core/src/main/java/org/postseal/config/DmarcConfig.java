package org.postseal.config;

import java.util.List;
import java.util.Locale;

/**
 * The [dmarc] section: what the inbound pipeline does with a message once DMARC has been evaluated.
 *
 * @param enforce           reject (550 5.7.1) failures under p=reject
 * @param quarantine        what p=quarantine does
 * @param onDnsError        what a DNS failure during evaluation does
 * @param protectOwnDomains reject outside, unauthenticated mail From our signing domains that fails DMARC
 * @param trustedForwarders networks (CIDR) or host names whose failures are overridden (RFC 9989 section 8)
 * @param neverReject       From: domains never rejected (override reason local_policy), as DomainName writes them
 * @param maxTreeWalkQueries the most queries one DNS tree walk makes (RFC 9989 section 4.10: 8)
 */
public record DmarcConfig(boolean enforce, Quarantine quarantine, DnsErrorAction onDnsError, boolean protectOwnDomains,
                          List<String> trustedForwarders, List<String> neverReject, int maxTreeWalkQueries) {

  public static final boolean DEFAULT_ENFORCE = true;
  public static final Quarantine DEFAULT_QUARANTINE = Quarantine.HEADER;
  public static final DnsErrorAction DEFAULT_ON_DNS_ERROR = DnsErrorAction.ACCEPT;
  public static final boolean DEFAULT_PROTECT_OWN_DOMAINS = true;
  public static final List<String> DEFAULT_TRUSTED_FORWARDERS = List.of();
  public static final List<String> DEFAULT_NEVER_REJECT = List.of();
  public static final int DEFAULT_MAX_TREE_WALK_QUERIES = 8;
  /** The name itself and its top label. */
  public static final int MIN_MAX_TREE_WALK_QUERIES = 2;

  /** What p=quarantine does to a message that fails DMARC. */
  public enum Quarantine {
    HEADER, HOLD, ACCEPT;

    /** The value as written in the configuration. */
    public String configValue() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What a DNS failure during DMARC evaluation does. */
  public enum DnsErrorAction {
    ACCEPT, TEMPFAIL;

    /** The value as written in the configuration. */
    public String configValue() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public DmarcConfig {
    trustedForwarders = List.copyOf(trustedForwarders);
    neverReject = neverReject.stream().map(ConfigKeys::domain).toList();
  }

  public static DmarcConfig defaults() {
    return new DmarcConfig(DEFAULT_ENFORCE, DEFAULT_QUARANTINE, DEFAULT_ON_DNS_ERROR, DEFAULT_PROTECT_OWN_DOMAINS,
        DEFAULT_TRUSTED_FORWARDERS, DEFAULT_NEVER_REJECT, DEFAULT_MAX_TREE_WALK_QUERIES);
  }
}
