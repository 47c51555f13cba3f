package org.postseal.config;

import java.time.Duration;
import java.util.List;

/**
 * The [dns] section.
 *
 * @param servers resolvers as "IP" or "IP:PORT"; empty uses the system's resolvers
 * @param timeout how long one query may take before it counts as a temporary error
 */
public record DnsConfig(List<String> servers, Duration timeout) {

  public static final List<String> DEFAULT_SERVERS = List.of();
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration MIN_TIMEOUT = Duration.ofMillis(50);
  public static final Duration MAX_TIMEOUT = Duration.ofSeconds(60);

  public DnsConfig {
    servers = List.copyOf(servers);
  }

  public static DnsConfig defaults() {
    return new DnsConfig(DEFAULT_SERVERS, DEFAULT_TIMEOUT);
  }
}
