package org.postseal.spf;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.postseal.dns.AddressText;

/**
 * An IPv4 or IPv6 network: an address and a prefix length. Used for SPF's {@code ip4:} and {@code ip6:}
 * mechanisms and for the {@code dmarc.trusted-forwarders} setting.
 *
 * <p>An IPv4-mapped IPv6 address ({@code ::ffff:192.0.2.1}) given to {@link #contains} is the IPv4 address
 * it maps (RFC 7208 section 5: such a client "MUST still be considered an IPv4 address"), so it matches IPv4
 * networks only. Immutable and thread-safe.
 */
public final class IpNetwork {

  private static final int IPV4_BYTES = 4;
  private static final int IPV6_BYTES = 16;

  /** The address with the bits beyond the prefix cleared, 4 or 16 bytes. */
  private final byte[] network;
  private final int prefixLength;

  private IpNetwork(byte[] address, int prefixLength) {
    this.prefixLength = prefixLength;
    this.network = masked(address, prefixLength);
  }

  /**
   * Parses "192.0.2.0/24", "2001:db8::/32" or a single address ("192.0.2.1" is "/32", "2001:db8::1" is
   * "/128"). Host bits beyond the prefix are ignored.
   *
   * @throws IllegalArgumentException naming the value when it is not an address with an optional prefix
   */
  public static IpNetwork parse(String text) {
    Objects.requireNonNull(text, "text");
    String trimmed = text.trim();
    int slash = trimmed.indexOf('/');
    String addressText = slash < 0 ? trimmed : trimmed.substring(0, slash);
    Optional<byte[]> address = parseIpv4(addressText).or(() -> parseIpv6(addressText));
    if (address.isEmpty()) {
      throw new IllegalArgumentException("\"" + text + "\" is not an IP address or network"
          + " (e.g. \"192.0.2.0/24\", \"2001:db8::/32\", \"192.0.2.7\")");
    }
    int maxPrefix = address.get().length * 8;
    int prefix = maxPrefix;
    if (slash >= 0) {
      String prefixText = trimmed.substring(slash + 1);
      if (!prefixText.matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(prefixText) > maxPrefix) {
        throw new IllegalArgumentException("\"" + text + "\" has prefix length \"" + prefixText
            + "\"; it must be 0.." + maxPrefix);
      }
      prefix = Integer.parseInt(prefixText);
    }
    return new IpNetwork(address.get(), prefix);
  }

  /** The network of {@code address} (IPv4-mapped addresses become IPv4) with {@code prefixLength} bits. */
  public static IpNetwork of(InetAddress address, int prefixLength) {
    byte[] bytes = unmapped(address).getAddress();
    if (prefixLength < 0 || prefixLength > bytes.length * 8) {
      throw new IllegalArgumentException("prefix length must be 0.." + bytes.length * 8 + ", was " + prefixLength);
    }
    return new IpNetwork(bytes, prefixLength);
  }

  /**
   * The octets of an address literal (4 for IPv4, 16 for IPv6), in the same strict syntax as {@link #parse}; empty
   * for anything else. Never looks a name up.
   */
  public static Optional<byte[]> parseAddress(String text) {
    Objects.requireNonNull(text, "text");
    String trimmed = text.trim();
    return parseIpv4(trimmed).or(() -> parseIpv6(trimmed));
  }

  /** Package use: the SPF parser has already checked the address bytes and the prefix length. */
  static IpNetwork of(byte[] address, int prefixLength) {
    return new IpNetwork(address, prefixLength);
  }

  /** True when {@code address} lies in this network; an IPv4 address is never in an IPv6 network and back. */
  public boolean contains(InetAddress address) {
    return contains(unmapped(address).getAddress());
  }

  boolean contains(byte[] address) {
    if (address.length != network.length) {
      return false;
    }
    return Arrays.equals(masked(address, prefixLength), network);
  }

  public boolean isIpv4() {
    return network.length == IPV4_BYTES;
  }

  public int prefixLength() {
    return prefixLength;
  }

  /**
   * The address itself for IPv4 and IPv6 clients, and the IPv4 address inside an IPv4-mapped IPv6 address
   * (::ffff:a.b.c.d). {@link InetAddress#getByName} already does this for text, but an {@code Inet6Address}
   * built from bytes keeps the mapped form.
   */
  public static InetAddress unmapped(InetAddress address) {
    Objects.requireNonNull(address, "address");
    byte[] bytes = address.getAddress();
    if (bytes.length != IPV6_BYTES) {
      return address;
    }
    for (int i = 0; i < 10; i++) {
      if (bytes[i] != 0) {
        return address;
      }
    }
    if ((bytes[10] & 0xFF) != 0xFF || (bytes[11] & 0xFF) != 0xFF) {
      return address;
    }
    try {
      return Inet4Address.getByAddress(Arrays.copyOfRange(bytes, 12, 16));
    } catch (UnknownHostException e) {
      throw new IllegalStateException("4 bytes are always an IPv4 address", e);
    }
  }

  /**
   * RFC 7208 section 5.6 ip4-network: four decimal octets, no leading zeros, no missing parts
   * ("1.2.3" is not 1.2.0.3 here, unlike inet_aton).
   */
  static Optional<byte[]> parseIpv4(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return Optional.empty();
    }
    byte[] out = new byte[IPV4_BYTES];
    for (int i = 0; i < 4; i++) {
      String part = parts[i];
      if (!part.matches("0|[1-9][0-9]{0,2}")) {
        return Optional.empty();
      }
      int value = Integer.parseInt(part);
      if (value > 255) {
        return Optional.empty();
      }
      out[i] = (byte) value;
    }
    return Optional.of(out);
  }

  /**
   * RFC 4291 section 2.2 text forms: eight groups of 1-4 hex digits, at most one "::" standing for one or
   * more zero groups, and optionally a dotted IPv4 address as the last 32 bits. Nothing else (no zone id,
   * no brackets).
   */
  static Optional<byte[]> parseIpv6(String text) {
    if (text.isEmpty() || text.indexOf("::") != text.lastIndexOf("::")) {
      return Optional.empty();
    }
    int doubleColon = text.indexOf("::");
    String head = doubleColon < 0 ? text : text.substring(0, doubleColon);
    String tail = doubleColon < 0 ? "" : text.substring(doubleColon + 2);
    int[] headGroups = groups(head, doubleColon < 0);
    int[] tailGroups = doubleColon < 0 ? new int[0] : groups(tail, true);
    if (headGroups == null || tailGroups == null) {
      return Optional.empty();
    }
    int count = headGroups.length + tailGroups.length;
    if (doubleColon < 0 ? count != 8 : count > 7) {
      return Optional.empty();
    }
    int[] all = new int[8];
    System.arraycopy(headGroups, 0, all, 0, headGroups.length);
    System.arraycopy(tailGroups, 0, all, 8 - tailGroups.length, tailGroups.length);
    byte[] out = new byte[IPV6_BYTES];
    for (int i = 0; i < 8; i++) {
      out[2 * i] = (byte) (all[i] >> 8);
      out[2 * i + 1] = (byte) all[i];
    }
    return Optional.of(out);
  }

  /**
   * The 16-bit groups of a colon-separated run ("" gives none); a dotted IPv4 address counts as two groups
   * and is allowed only as the last element of the whole address ({@code mayEndInIpv4}). Null when malformed.
   */
  private static int[] groups(String run, boolean mayEndInIpv4) {
    if (run.isEmpty()) {
      return new int[0];
    }
    String[] parts = run.split(":", -1);
    int[] out = new int[parts.length + 1];
    int n = 0;
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      if (i == parts.length - 1 && part.indexOf('.') >= 0) {
        if (!mayEndInIpv4) {
          return null;
        }
        Optional<byte[]> ipv4 = parseIpv4(part);
        if (ipv4.isEmpty()) {
          return null;
        }
        byte[] b = ipv4.get();
        out[n++] = ((b[0] & 0xFF) << 8) | (b[1] & 0xFF);
        out[n++] = ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
        continue;
      }
      if (!part.matches("[0-9A-Fa-f]{1,4}")) {
        return null;
      }
      out[n++] = Integer.parseInt(part, 16);
    }
    return Arrays.copyOf(out, n);
  }


  /** Dotted decimal for IPv4, RFC 5952 for IPv6. */
  static String text(byte[] address) {
    return AddressText.of(address);
  }

  private static byte[] masked(byte[] address, int prefixLength) {
    byte[] out = address.clone();
    for (int bit = prefixLength; bit < out.length * 8; bit++) {
      out[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IpNetwork other && other.prefixLength == prefixLength && Arrays.equals(other.network, network);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(network) + prefixLength;
  }

  /** "192.0.2.0/24", "2001:db8::/32". */
  @Override
  public String toString() {
    return text(network) + "/" + prefixLength;
  }
}
