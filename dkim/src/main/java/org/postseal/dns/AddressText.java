package org.postseal.dns;

/**
 * Text forms of IP addresses as every mechanism writes them (A/AAAA answers, SPF networks, logs):
 * one implementation so that an address compares equal whoever printed it.
 */
public final class AddressText {

  private AddressText() {
  }

  /** Dotted decimal for a 4-byte IPv4 address, RFC 5952 text for a 16-byte IPv6 one. */
  public static String of(byte[] address) {
    if (address.length == 4) {
      return (address[0] & 0xFF) + "." + (address[1] & 0xFF) + "." + (address[2] & 0xFF) + "." + (address[3] & 0xFF);
    }
    return ipv6(address);
  }

  /** RFC 5952 section 4: lower-case hex, no leading zeros, the longest run of two or more zero groups as "::". */
  public static String ipv6(byte[] address) {
    if (address.length != 16) {
      throw new IllegalArgumentException("an IPv6 address has 16 octets, got " + address.length);
    }
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((address[2 * i] & 0xFF) << 8) | (address[2 * i + 1] & 0xFF);
    }
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; i++) {
      int length = 0;
      while (i + length < 8 && groups[i + length] == 0) {
        length++;
      }
      if (length > bestLength) {
        bestStart = i;
        bestLength = length;
      }
      i += length;
    }
    StringBuilder out = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLength - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(groups[i]));
    }
    return out.toString();
  }
}
