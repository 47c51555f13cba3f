package org.postseal.config;

import org.postseal.spf.SpfLimits;

/**
 * The [spf] section: what one SPF evaluation may cost. The defaults are RFC 7208 section 4.6.4's.
 *
 * @param maxDnsTerms    DNS-querying terms through every include (1..10; the RFC's limit is 10)
 * @param maxVoidLookups lookups that find nothing (the RFC recommends 2)
 * @param maxMacroBytes  the longest text one macro-string expands to
 */
public record SpfConfig(int maxDnsTerms, int maxVoidLookups, int maxMacroBytes) {

  public static final int DEFAULT_MAX_DNS_TERMS = SpfLimits.RFC_MAX_DNS_TERMS;
  public static final int DEFAULT_MAX_VOID_LOOKUPS = SpfLimits.RFC_MAX_VOID_LOOKUPS;
  public static final int MAX_MAX_VOID_LOOKUPS = 10;
  public static final int DEFAULT_MAX_MACRO_BYTES = SpfLimits.DEFAULT_MAX_MACRO_BYTES;
  /** A whole domain name must fit (RFC 7208 section 7.3 cuts names to 253). */
  public static final int MIN_MAX_MACRO_BYTES = 253;
  public static final int MAX_MAX_MACRO_BYTES = 65535;

  public static SpfConfig defaults() {
    return new SpfConfig(DEFAULT_MAX_DNS_TERMS, DEFAULT_MAX_VOID_LOOKUPS, DEFAULT_MAX_MACRO_BYTES);
  }

  public SpfLimits limits() {
    return new SpfLimits(maxDnsTerms, maxVoidLookups, maxMacroBytes);
  }
}
