package org.postseal.spf;

import java.util.Objects;

/**
 * One directive of an SPF record (RFC 7208 section 5): a qualifier and a mechanism. Domain specs are kept as
 * written (macros unexpanded); an empty {@code domainSpec} means the current domain. {@link #term()} writes
 * the directive back in a normalised form, for reasons and logs.
 */
sealed interface SpfMechanism {

  /** IPv4 prefix length when a/mx give none. */
  int FULL_IPV4 = 32;
  /** IPv6 prefix length when a/mx give none. */
  int FULL_IPV6 = 128;

  SpfQualifier qualifier();

  /** True for the mechanisms that cost one of the ten DNS-querying terms (RFC 7208 section 4.6.4). */
  boolean isDnsQuerying();

  String term();

  /** "all": always matches (RFC 7208 section 5.1). */
  record All(SpfQualifier qualifier) implements SpfMechanism {
    public All {
      Objects.requireNonNull(qualifier, "qualifier");
    }

    @Override
    public boolean isDnsQuerying() {
      return false;
    }

    @Override
    public String term() {
      return qualifier.prefix() + "all";
    }
  }

  /** "include:domain": matches when check_host() for the domain passes (section 5.2). */
  record Include(SpfQualifier qualifier, String domainSpec) implements SpfMechanism {
    public Include {
      Objects.requireNonNull(qualifier, "qualifier");
      Objects.requireNonNull(domainSpec, "domainSpec");
    }

    @Override
    public boolean isDnsQuerying() {
      return true;
    }

    @Override
    public String term() {
      return qualifier.prefix() + "include:" + domainSpec;
    }
  }

  /** "a[:domain][/ip4][//ip6]": the client is in the domain's A/AAAA addresses (section 5.3). */
  record A(SpfQualifier qualifier, String domainSpec, int ip4PrefixLength, int ip6PrefixLength)
      implements SpfMechanism {
    public A {
      Objects.requireNonNull(qualifier, "qualifier");
      Objects.requireNonNull(domainSpec, "domainSpec");
    }

    @Override
    public boolean isDnsQuerying() {
      return true;
    }

    @Override
    public String term() {
      return qualifier.prefix() + "a" + target(domainSpec) + cidr(ip4PrefixLength, ip6PrefixLength);
    }
  }

  /** "mx[:domain][/ip4][//ip6]": the client is one of the domain's mail exchangers (section 5.4). */
  record Mx(SpfQualifier qualifier, String domainSpec, int ip4PrefixLength, int ip6PrefixLength)
      implements SpfMechanism {
    public Mx {
      Objects.requireNonNull(qualifier, "qualifier");
      Objects.requireNonNull(domainSpec, "domainSpec");
    }

    @Override
    public boolean isDnsQuerying() {
      return true;
    }

    @Override
    public String term() {
      return qualifier.prefix() + "mx" + target(domainSpec) + cidr(ip4PrefixLength, ip6PrefixLength);
    }
  }

  /** "ptr[:domain]": the client's validated reverse name is in the domain (section 5.5; discouraged). */
  record Ptr(SpfQualifier qualifier, String domainSpec) implements SpfMechanism {
    public Ptr {
      Objects.requireNonNull(qualifier, "qualifier");
      Objects.requireNonNull(domainSpec, "domainSpec");
    }

    @Override
    public boolean isDnsQuerying() {
      return true;
    }

    @Override
    public String term() {
      return qualifier.prefix() + "ptr" + target(domainSpec);
    }
  }

  /** "ip4:network[/len]" (section 5.6). */
  record Ip4(SpfQualifier qualifier, IpNetwork network) implements SpfMechanism {
    public Ip4 {
      Objects.requireNonNull(qualifier, "qualifier");
      Objects.requireNonNull(network, "network");
    }

    @Override
    public boolean isDnsQuerying() {
      return false;
    }

    @Override
    public String term() {
      return qualifier.prefix() + "ip4:" + network;
    }
  }

  /** "ip6:network[/len]" (section 5.6). */
  record Ip6(SpfQualifier qualifier, IpNetwork network) implements SpfMechanism {
    public Ip6 {
      Objects.requireNonNull(qualifier, "qualifier");
      Objects.requireNonNull(network, "network");
    }

    @Override
    public boolean isDnsQuerying() {
      return false;
    }

    @Override
    public String term() {
      return qualifier.prefix() + "ip6:" + network;
    }
  }

  /** "exists:domain": the name has an A record, whatever the client's address family (section 5.7). */
  record Exists(SpfQualifier qualifier, String domainSpec) implements SpfMechanism {
    public Exists {
      Objects.requireNonNull(qualifier, "qualifier");
      Objects.requireNonNull(domainSpec, "domainSpec");
    }

    @Override
    public boolean isDnsQuerying() {
      return true;
    }

    @Override
    public String term() {
      return qualifier.prefix() + "exists:" + domainSpec;
    }
  }

  private static String target(String domainSpec) {
    return domainSpec.isEmpty() ? "" : ":" + domainSpec;
  }

  private static String cidr(int ip4, int ip6) {
    return (ip4 == FULL_IPV4 ? "" : "/" + ip4) + (ip6 == FULL_IPV6 ? "" : "//" + ip6);
  }
}
