package org.postseal.config;

import java.util.Optional;

/**
 * The [web] section: where the read-only report page is served ({@code GET /}).
 *
 * @param listen       HOST:PORT of the page; empty turns it off. Beyond loopback only with {@code listen-public =
 *                     true} (checked by the loader). The same HOST:PORT as {@code [metrics] listen} serves both from
 *                     one listener
 * @param listenPublic the admin guards who reaches the page (a firewall, a proxy): any Host header is answered;
 *                     without it only loopback names are (no DNS rebinding)
 */
public record WebConfig(Optional<HostPort> listen, boolean listenPublic) {

  public static final String DEFAULT_LISTEN = "";
  public static final boolean DEFAULT_LISTEN_PUBLIC = false;

  public static WebConfig defaults() {
    return new WebConfig(Optional.empty(), DEFAULT_LISTEN_PUBLIC);
  }

  /** Whether the page shares the metrics listener: the same HOST:PORT in [web] and [metrics]. */
  public boolean sharesListenerWith(MetricsConfig metrics) {
    return listen.isPresent() && listen.equals(metrics.listen());
  }
}
