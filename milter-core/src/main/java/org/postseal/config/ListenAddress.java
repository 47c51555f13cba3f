package org.postseal.config;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Where the milter listens, in Postfix's own notation so that the value can be copied into
 * {@code smtpd_milters}: {@code inet:HOST:PORT} or {@code unix:/absolute/path}.
 */
public sealed interface ListenAddress {

  /** What {@link #parse} accepts, for error messages. */
  String ALLOWED = "\"inet:HOST:PORT\" (e.g. \"inet:127.0.0.1:8891\", port 0 picks a free one) or \"unix:/absolute/path\"";

  /**
   * A TCP address. {@code host} is a name or an address literal without brackets; port 0 asks the
   * system for a free port (tests).
   */
  record Inet(String host, int port) implements ListenAddress {
    @Override
    public String toString() {
      return "inet:" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /** A Unix domain socket. */
  record Unix(Path path) implements ListenAddress {
    @Override
    public String toString() {
      return "unix:" + path;
    }
  }

  /**
   * Parses a listen value.
   *
   * @throws IllegalArgumentException naming what is wrong with {@code text} (configuration error)
   */
  static ListenAddress parse(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    if (lower.startsWith("unix:")) {
      String path = text.substring("unix:".length());
      if (path.isEmpty() || !path.startsWith("/")) {
        throw new IllegalArgumentException("the socket path must be absolute, was \"" + path + "\"");
      }
      return new Unix(Path.of(path));
    }
    if (!lower.startsWith("inet:")) {
      throw new IllegalArgumentException("\"" + text + "\" has neither the inet: nor the unix: prefix");
    }
    HostPort hostPort = HostPort.parse(text.substring("inet:".length()));
    return new Inet(hostPort.host(), hostPort.port());
  }
}
