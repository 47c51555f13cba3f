package org.postseal.config;

import org.postseal.dns.DnsResolver;

/** Checks one dns.servers entry by the resolver's own rules, so that config check and serve agree. */
final class DnsServerSyntax {

  static final String ALLOWED = "\"IP\" or \"IP:PORT\", e.g. \"127.0.0.53\", \"192.0.2.1:5353\" or \"[2001:db8::53]:53\"";

  private DnsServerSyntax() {
  }

  static String check(String server) {
    try {
      DnsResolver.parseServer(server);
      return server;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("\"" + server + "\" is not an IP address or IP:PORT (a host name would need"
          + " the DNS being configured)");
    }
  }
}
