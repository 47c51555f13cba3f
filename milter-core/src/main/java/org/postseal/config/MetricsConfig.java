package org.postseal.config;

import java.util.Optional;

/**
 * The [metrics] section. Parsed and validated now; the metrics endpoint arrives in a later release.
 *
 * @param listen HOST:PORT of the Prometheus and /health endpoint; empty turns it off
 */
public record MetricsConfig(Optional<HostPort> listen) {

  public static final String DEFAULT_LISTEN = "";

  public static MetricsConfig defaults() {
    return new MetricsConfig(Optional.empty());
  }
}
