package org.postseal.dmarc;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
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

  private static final Pattern HOST_NAME =
      Pattern.compile("(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");

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
      String e = entry.strip().toLowerCase(Locale.ROOT);
      if (e.endsWith(".")) {
        e = e.substring(0, e.length() - 1);
      }
      if (HOST_NAME.matcher(e).matches() && !e.matches("[0-9.]+")) {
        names.add(e);
        continue;
      }
      try {
        networks.add(IpNetwork.parse(e));
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException("dmarc.trusted-forwarders entry \"" + entry
            + "\" is neither an IP network (\"192.0.2.0/24\", \"2001:db8::/48\") nor a host name"
            + " (\"lists.example.org\")", ex);
      }
    }
    return new TrustedForwarders(networks, names);
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
    String host = origin.clientHostName().strip().toLowerCase(Locale.ROOT);
    if (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    if (host.isEmpty()) {
      return false;
    }
    for (String name : hostNames) {
      if (host.equals(name) || host.endsWith("." + name)) {
        return true;
      }
    }
    return false;
  }
}
