package org.postseal.spf;

/**
 * How much one check_host() may cost, beyond the message's deadline. The defaults are RFC 7208 section 4.6.4's;
 * an admin may lower them ([spf] in the configuration), never raise the lookup limit past the RFC's 10.
 *
 * @param maxDnsTerms    DNS-querying terms (include, a, mx, ptr, exists, redirect) through every include; more is
 *                       a permerror (cause lookup_limit)
 * @param maxVoidLookups lookups answered with no records (NXDOMAIN or NODATA); more is a permerror (cause
 *                       void_lookup_limit)
 * @param maxMacroBytes  the longest text one macro-string may expand to: longer is cut there, before section
 *                       7.3's own cut of a domain name to 253 characters (a record of %{s} macros could otherwise
 *                       expand to tens of kilobytes for a long sender)
 */
public record SpfLimits(int maxDnsTerms, int maxVoidLookups, int maxMacroBytes) {

  /** Section 4.6.4: "MUST limit the total number of those terms to 10". */
  public static final int RFC_MAX_DNS_TERMS = 10;
  /** Section 4.6.4: "SHOULD limit the number of void lookups to two". */
  public static final int RFC_MAX_VOID_LOOKUPS = 2;
  public static final int DEFAULT_MAX_MACRO_BYTES = 4096;
  /** RFC 7208 section 4.6.4's limits, and room for every legitimate macro expansion. */
  public static final SpfLimits DEFAULTS = new SpfLimits(RFC_MAX_DNS_TERMS, RFC_MAX_VOID_LOOKUPS,
      DEFAULT_MAX_MACRO_BYTES);

  public SpfLimits {
    if (maxDnsTerms < 1 || maxDnsTerms > RFC_MAX_DNS_TERMS) {
      throw new IllegalArgumentException("SPF maxDnsTerms must be 1.." + RFC_MAX_DNS_TERMS + ", was " + maxDnsTerms);
    }
    if (maxVoidLookups < 0) {
      throw new IllegalArgumentException("SPF maxVoidLookups must be 0 or more, was " + maxVoidLookups);
    }
    if (maxMacroBytes < 253) {
      throw new IllegalArgumentException("SPF maxMacroBytes must be at least 253 (a whole domain name), was "
          + maxMacroBytes);
    }
  }
}
