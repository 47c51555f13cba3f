package org.postseal.config;

import java.util.Optional;

/**
 * The [metrics] section: where Prometheus reads {@code /metrics} and a monitor {@code /healthz}.
 *
 * @param listen HOST:PORT of the HTTP endpoint; empty turns it off. Beyond loopback only with
 *               {@code listen-public = true} (checked by the loader)
 */
public record MetricsConfig(Optional<HostPort> listen) {

  public static final String DEFAULT_LISTEN = "";
  public static final boolean DEFAULT_LISTEN_PUBLIC = false;

  public static MetricsConfig defaults() {
    return new MetricsConfig(Optional.empty());
  }
}
