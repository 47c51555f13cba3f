package org.postseal.config;

import java.time.Duration;
import java.util.Locale;

/**
 * The [milter] section: what one MTA connection may send and hold, and how many connections there may be.
 * Every limit has a defined result when it is hit (README.md, "Limits").
 *
 * @param maxFrameBytes           the largest milter packet read; a longer header or body packet is skipped
 *                                unread and its message gets {@code onLimit}, any other closes the connection
 * @param maxHeaderFields         header fields stored per message; one more and the message gets {@code onLimit}
 * @param maxHeaderBytes          header bytes (names and values as sent) stored per message; beyond, {@code onLimit}
 * @param maxConnections          open milter connections; more are closed at once
 * @param maxConnectionsPerClient open milter connections from one peer address (TCP only); more are closed at once
 * @param idleTimeout             a connection that sends no complete packet for this long is closed
 * @param onLimit                 what an inbound message over a limit gets (outbound always gets a temporary failure)
 */
public record MilterConfig(int maxFrameBytes, int maxHeaderFields, int maxHeaderBytes, int maxConnections,
                           int maxConnectionsPerClient, Duration idleTimeout, LimitAction onLimit) {

  /**
   * Postfix sends a header field in one packet, at most header_size_limit (102,400) bytes, and body chunks of
   * 65,535 bytes: 256 KiB leaves room for twice Postfix's header limit.
   */
  public static final int DEFAULT_MAX_FRAME_BYTES = 256 * 1024;
  /** A body chunk from Postfix or libmilter is 65,535 bytes plus the command byte: a smaller limit refuses every body. */
  public static final int MIN_MAX_FRAME_BYTES = 65_536;
  public static final int MAX_MAX_FRAME_BYTES = 16 * 1024 * 1024;
  /** Ordinary mail has 10 to 60 header fields, mailing-list and forwarded mail up to a few hundred. */
  public static final int DEFAULT_MAX_HEADER_FIELDS = 1000;
  public static final int MIN_MAX_HEADER_FIELDS = 50;
  public static final int MAX_MAX_HEADER_FIELDS = 100_000;
  /** Twenty times the largest header block seen in ordinary mail (about 50 KiB with long Received chains and ARC sets). */
  public static final int DEFAULT_MAX_HEADER_BYTES = 1024 * 1024;
  public static final int MIN_MAX_HEADER_BYTES = 64 * 1024;
  public static final int MAX_MAX_HEADER_BYTES = 64 * 1024 * 1024;
  /**
   * Postfix opens one milter connection per smtpd process and one per cleanup process: with its default
   * process limit of 100 that is at most 200. Each idle connection costs a file descriptor and a few KiB.
   */
  public static final int DEFAULT_MAX_CONNECTIONS = 1000;
  /** Half of {@link #DEFAULT_MAX_CONNECTIONS}: one peer address cannot take every connection. */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 500;
  public static final int MAX_MAX_CONNECTIONS = 100_000;
  /**
   * Longer than every wait of Postfix's own: milter_connect_timeout and milter_command_timeout (30 s),
   * milter_content_timeout (300 s) and smtpd_timeout (300 s), for which its milter connection may stay silent
   * between two commands of an SMTP session. Twice the longest of them.
   */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);
  public static final Duration MIN_IDLE_TIMEOUT = Duration.ofSeconds(1);
  public static final Duration MAX_IDLE_TIMEOUT = Duration.ofDays(1);
  /**
   * Temporary failure: accepting would let a sender escape DMARC enforcement by padding the header, while a
   * legitimate sender's MTA retries and its postmaster sees the reason in the bounce.
   */
  public static final LimitAction DEFAULT_ON_LIMIT = LimitAction.TEMPFAIL;

  /** What an inbound message over a limit gets. */
  public enum LimitAction {
    /** Passes unchanged: no checks, no Authentication-Results. */
    ACCEPT,
    /** 451 4.7.0: the sending MTA retries later. */
    TEMPFAIL;

    /** The value as written in the configuration. */
    public String configValue() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public MilterConfig {
    requireRange("maxFrameBytes", maxFrameBytes, MIN_MAX_FRAME_BYTES, MAX_MAX_FRAME_BYTES);
    requireRange("maxHeaderFields", maxHeaderFields, MIN_MAX_HEADER_FIELDS, MAX_MAX_HEADER_FIELDS);
    requireRange("maxHeaderBytes", maxHeaderBytes, MIN_MAX_HEADER_BYTES, MAX_MAX_HEADER_BYTES);
    requireRange("maxConnections", maxConnections, 1, MAX_MAX_CONNECTIONS);
    requireRange("maxConnectionsPerClient", maxConnectionsPerClient, 1, MAX_MAX_CONNECTIONS);
    if (idleTimeout.compareTo(MIN_IDLE_TIMEOUT) < 0 || idleTimeout.compareTo(MAX_IDLE_TIMEOUT) > 0) {
      throw new IllegalArgumentException("idleTimeout must be " + MIN_IDLE_TIMEOUT + ".." + MAX_IDLE_TIMEOUT + ", was "
          + idleTimeout);
    }
    if (onLimit == null) {
      throw new IllegalArgumentException("onLimit must be given");
    }
  }

  public static MilterConfig defaults() {
    return new MilterConfig(DEFAULT_MAX_FRAME_BYTES, DEFAULT_MAX_HEADER_FIELDS, DEFAULT_MAX_HEADER_BYTES,
        DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_CLIENT, DEFAULT_IDLE_TIMEOUT, DEFAULT_ON_LIMIT);
  }

  public MilterConfig withIdleTimeout(Duration value) {
    return new MilterConfig(maxFrameBytes, maxHeaderFields, maxHeaderBytes, maxConnections, maxConnectionsPerClient, value,
        onLimit);
  }

  public MilterConfig withConnections(int total, int perClient) {
    return new MilterConfig(maxFrameBytes, maxHeaderFields, maxHeaderBytes, total, perClient, idleTimeout, onLimit);
  }

  public MilterConfig withHeaderLimits(int fields, int bytes) {
    return new MilterConfig(maxFrameBytes, fields, bytes, maxConnections, maxConnectionsPerClient, idleTimeout, onLimit);
  }

  public MilterConfig withOnLimit(LimitAction value) {
    return new MilterConfig(maxFrameBytes, maxHeaderFields, maxHeaderBytes, maxConnections, maxConnectionsPerClient,
        idleTimeout, value);
  }

  private static void requireRange(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + " must be " + min + ".." + max + ", was " + value);
    }
  }
}
