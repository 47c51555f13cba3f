package org.postseal.dns;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of one lookup. Each mechanism maps these to its own temperror/permerror in one function.
 */
public sealed interface DnsAnswer {

  /**
   * The name has records of the type asked for. {@code records} are in the server's order, as text: TXT the
   * character-strings joined, A and AAAA the address, MX "PRIORITY NAME", PTR the name. Names are written
   * without the final dot, as {@link org.postseal.mail.DomainName} writes them; the root (a null MX, RFC 7505)
   * is ".".
   */
  record Found(List<String> records, Duration ttl) implements DnsAnswer {
    public Found {
      records = List.copyOf(records);
    }
  }

  /** The name does not exist ({@code nxdomain}) or has no record of that type (NODATA). */
  record NotFound(boolean nxdomain) implements DnsAnswer {
  }

  /** No usable answer: timeout, SERVFAIL, REFUSED, network error. {@code reason} is for logs and comments. */
  record Failed(String reason, boolean timedOut) implements DnsAnswer {

    /** How {@link DnsResolver} begins the reason when the server's port is closed (ICMP port unreachable). */
    static final String UNREACHABLE = "DNS server unreachable";

    /**
     * True when no server answered at all (a timeout, a closed port), as opposed to a server that answered with
     * an error code: then the resolver, not the name looked up, is the first suspect ({@link ResolverProbe}).
     */
    public boolean isNoAnswer() {
      return timedOut || reason.startsWith(UNREACHABLE);
    }
  }
}
