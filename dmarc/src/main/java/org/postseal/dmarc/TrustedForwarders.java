package org.postseal.dmarc;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.postseal.mail.DomainName;
import org.postseal.spf.IpNetwork;

/**
 * The {@code dmarc.trusted-forwarders} setting: forwarders and mailing lists whose DMARC failures are expected
 * (they break SPF by forwarding, DKIM by changing the message) and are not held against the message.
 *
 * @param networks  client networks ("192.0.2.0/24", "2001:db8::/48", or single addresses)
 * @param hostNames client host names, matching the name itself and every name below it; compared with the
 *                  forward-confirmed reverse name of the client
 */
public record TrustedForwarders(List<IpNetwork> networks, List<String> hostNames) {

  /** No trusted forwarders (the default). */
  public static final TrustedForwarders NONE = new TrustedForwarders(List.of(), List.of());

  public TrustedForwarders {
    networks = List.copyOf(networks);
    hostNames = List.copyOf(hostNames);
  }

  /**
   * Reads the setting's entries: each is an IP address or network, or a host name.
   *
   * @throws IllegalArgumentException naming the entry when it is neither
   */
  public static TrustedForwarders parse(List<String> entries) {
    Objects.requireNonNull(entries, "entries");
    List<IpNetwork> networks = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (String entry : entries) {
      Optional<DomainName> name = DomainName.parse(entry).filter(TrustedForwarders::isHostName);
      if (name.isPresent()) {
        names.add(name.get().value());
        continue;
      }
      try {
        networks.add(IpNetwork.parse(entry.strip()));
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException("dmarc.trusted-forwarders entry \"" + entry
            + "\" is neither an IP network (\"192.0.2.0/24\", \"2001:db8::/48\") nor a host name"
            + " (\"lists.example.org\")", ex);
      }
    }
    return new TrustedForwarders(networks, names);
  }

  /** At least two labels, and not an IPv4 address written in dotted digits. */
  private static boolean isHostName(DomainName name) {
    return name.labels().size() >= 2 && !name.value().chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
  }

  /** True when the client is one of them, by address or by its forward-confirmed host name. */
  public boolean contains(MessageOrigin origin) {
    if (origin.clientIp().isPresent()) {
      InetAddress ip = origin.clientIp().get();
      for (IpNetwork network : networks) {
        if (network.contains(ip)) {
          return true;
        }
      }
    }
    // a reverse name is whatever its owner published: '_' does occur there
    Optional<DomainName> host = DomainName.parse(origin.clientHostName(), DomainName.Syntax.WITH_UNDERSCORE)
        .toOptional();
    if (host.isEmpty()) {
      return false;
    }
    for (String name : hostNames) {
      if (DomainName.parse(name).filter(host.get()::isSubdomainOf).isPresent()) {
        return true;
      }
    }
    return false;
  }
}
