package org.postseal.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * An IP network in CIDR notation ({@code 192.0.2.0/24}, {@code 2001:db8::/32}); a bare address is a
 * network of one. Only address literals are accepted: nothing here ever queries DNS.
 */
public record Network(InetAddress address, int prefixLength) {

  public static final String ALLOWED = "CIDR such as \"192.0.2.0/24\" or \"2001:db8::/32\", or a single address";

  public Network {
    int max = address.getAddress().length * 8;
    if (prefixLength < 0 || prefixLength > max) {
      throw new IllegalArgumentException("prefix length must be 0.." + max + ", was " + prefixLength);
    }
  }

  /**
   * Parses CIDR text.
   *
   * @throws IllegalArgumentException naming what is wrong (configuration error)
   */
  public static Network parse(String text) {
    int slash = text.indexOf('/');
    String addressText = slash < 0 ? text : text.substring(0, slash);
    InetAddress address = parseAddressLiteral(addressText)
        .orElseThrow(() -> new IllegalArgumentException("\"" + addressText + "\" is not an IP address"));
    int max = address.getAddress().length * 8;
    int prefix = max;
    if (slash >= 0) {
      String prefixText = text.substring(slash + 1);
      if (prefixText.isEmpty() || prefixText.length() > 3 || !prefixText.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new IllegalArgumentException("prefix length \"" + prefixText + "\" is not a number");
      }
      prefix = Integer.parseInt(prefixText);
      if (prefix > max) {
        throw new IllegalArgumentException("prefix length must be 0.." + max + " for " + addressText + ", was " + prefix);
      }
    }
    return new Network(address, prefix);
  }

  /**
   * An IPv4 or IPv6 literal as an address, without DNS; empty when {@code text} is not one. Accepts
   * the {@code IPv6:} prefix that Sendmail-style MTAs put in front of IPv6 client addresses.
   */
  public static Optional<InetAddress> parseAddressLiteral(String text) {
    String literal = text.regionMatches(true, 0, "IPv6:", 0, 5) ? text.substring(5) : text;
    if (literal.startsWith("[") && literal.endsWith("]")) {
      literal = literal.substring(1, literal.length() - 1);
    }
    if (literal.isEmpty()) {
      return Optional.empty();
    }
    boolean v6 = literal.indexOf(':') >= 0;
    boolean v4 = !v6 && literal.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.')
        && literal.chars().filter(c -> c == '.').count() == 3;
    if (v6 && !literal.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
      return Optional.empty();
    }
    if (!v4 && !v6) {
      return Optional.empty();
    }
    if (v4) {
      for (String part : literal.split("\\.", -1)) {
        if (part.isEmpty() || part.length() > 3 || Integer.parseInt(part) > 255) {
          return Optional.empty();
        }
      }
    }
    try {
      // Only literals reach this point, so getByName parses and never resolves.
      return Optional.of(InetAddress.getByName(literal));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  /** True when {@code candidate} lies in this network (IPv4 and IPv6 never match each other). */
  public boolean contains(InetAddress candidate) {
    byte[] network = address.getAddress();
    byte[] other = candidate.getAddress();
    if (network.length != other.length) {
      return false;
    }
    int fullBytes = prefixLength / 8;
    for (int i = 0; i < fullBytes; i++) {
      if (network[i] != other[i]) {
        return false;
      }
    }
    int remainingBits = prefixLength % 8;
    if (remainingBits == 0) {
      return true;
    }
    int mask = (0xFF << (8 - remainingBits)) & 0xFF;
    return (network[fullBytes] & mask) == (other[fullBytes] & mask);
  }

  @Override
  public String toString() {
    String host = address.getHostAddress();
    return host + "/" + prefixLength;
  }

  /** True for an IPv4 network. */
  public boolean isIpv4() {
    return address instanceof Inet4Address;
  }
}
