package org.postseal.config;

/**
 * A {@code HOST:PORT} pair as written in the configuration ({@code [v6]:PORT} for IPv6 literals).
 * Nothing is resolved here: the host stays text.
 */
public record HostPort(String host, int port) {

  public static final String ALLOWED = "HOST:PORT, e.g. \"127.0.0.1:25\" or \"[::1]:25\", port 0..65535";

  /**
   * Parses {@code HOST:PORT}.
   *
   * @throws IllegalArgumentException naming what is wrong (configuration error)
   */
  public static HostPort parse(String text) {
    String host;
    String port;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
        throw new IllegalArgumentException("\"" + text + "\" is not [IPV6]:PORT");
      }
      host = text.substring(1, close);
      port = text.substring(close + 2);
    } else {
      int colon = text.lastIndexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("\"" + text + "\" has no :PORT");
      }
      host = text.substring(0, colon);
      port = text.substring(colon + 1);
      if (host.indexOf(':') >= 0) {
        throw new IllegalArgumentException("IPv6 addresses need brackets: \"[" + host + "]:" + port + "\"");
      }
    }
    if (host.isEmpty()) {
      throw new IllegalArgumentException("\"" + text + "\" has no host");
    }
    if (!host.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == ':' || c == '_')) {
      throw new IllegalArgumentException("\"" + host + "\" is not a host name or address");
    }
    if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException("port \"" + port + "\" is not a number");
    }
    int number = Integer.parseInt(port);
    if (number > 65535) {
      throw new IllegalArgumentException("port " + number + " is above 65535");
    }
    return new HostPort(host, number);
  }

  /** {@code localhost} or a loopback address literal (127.0.0.0/8, ::1); any other name may resolve anywhere. */
  public boolean isLoopback() {
    return ConfigLoader.isLoopback(host);
  }

  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
