package org.postseal.dmarc;

import java.util.Objects;

/**
 * How one authenticated identifier compares with the From domain (RFC 9989 section 4.4): a DKIM d= that
 * passed, or the SPF domain that passed.
 *
 * @param method               DKIM or SPF
 * @param domain               the authenticated domain (d=, or the MAIL FROM / HELO domain SPF checked)
 * @param selector             the DKIM s= (for reports, section 5.3.3); empty for SPF
 * @param mode                 the alignment mode the policy asks for (relaxed when there is no policy)
 * @param isAligned            the answer
 * @param organizationalDomain the identifier's Organizational Domain when a relaxed comparison needed it,
 *                             else empty
 */
public record IdentifierAlignment(Method method, String domain, String selector, DmarcAlignmentMode mode,
                                  boolean isAligned, String organizationalDomain) {

  /** The mechanism that authenticated the identifier. */
  public enum Method {
    DKIM, SPF
  }

  public IdentifierAlignment {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(selector, "selector");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(organizationalDomain, "organizationalDomain");
  }
}
