package org.postseal.config;

import java.time.Duration;
import java.util.List;

/**
 * The [dns] section.
 *
 * @param servers         resolvers as "IP" or "IP:PORT"; empty uses the system's resolvers
 * @param timeout         how long one lookup may take in all before it counts as a temporary error
 * @param messageDeadline how long after end of headers an inbound message's lookups may take in all: the
 *                        longest the MTA waits for our reply. At least {@code timeout}
 */
public record DnsConfig(List<String> servers, Duration timeout, Duration messageDeadline) {

  public static final List<String> DEFAULT_SERVERS = List.of();
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration MIN_TIMEOUT = Duration.ofMillis(50);
  public static final Duration MAX_TIMEOUT = Duration.ofSeconds(60);
  /** Two lookups in a row at the default timeout (an include after a record, a walk's second step). */
  public static final Duration DEFAULT_MESSAGE_DEADLINE = Duration.ofSeconds(10);
  public static final Duration MIN_MESSAGE_DEADLINE = MIN_TIMEOUT;
  /**
   * Well below Postfix's milter_content_timeout (300 s), after which it gives up on the milter and applies
   * milter_default_action; the body takes some of that time too.
   */
  public static final Duration MAX_MESSAGE_DEADLINE = Duration.ofSeconds(120);

  public DnsConfig {
    servers = List.copyOf(servers);
  }

  public static DnsConfig defaults() {
    return new DnsConfig(DEFAULT_SERVERS, DEFAULT_TIMEOUT, DEFAULT_MESSAGE_DEADLINE);
  }
}
