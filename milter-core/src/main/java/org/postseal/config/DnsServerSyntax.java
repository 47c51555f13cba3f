package org.postseal.config;

/** Checks one dns.servers entry. PENDING-DNS-MERGE: delegate to DnsResolver's rules once the dns branch is merged. */
final class DnsServerSyntax {

  static final String ALLOWED = "\"IP\" or \"IP:PORT\", e.g. \"127.0.0.53\" or \"[2001:db8::53]:53\"";

  private DnsServerSyntax() {
  }

  static String check(String server) {
    if (server.isBlank()) {
      throw new IllegalArgumentException("must not be empty");
    }
    return server;
  }
}
