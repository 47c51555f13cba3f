package org.postseal.dkim;

import java.time.Duration;

/**
 * What we accept beyond what the library checks (RFC 8301 and our own limits): applied to every
 * signature after the cryptography.
 *
 * @param minRsaBits     RSA keys shorter than this are never a pass (RFC 8301 section 3.2: 1024)
 * @param maxSignatures  signatures beyond this many are not evaluated
 * @param clockSkew      tolerance for t= in the future and x= in the past
 */
public record DkimPolicy(int minRsaBits, int maxSignatures, Duration clockSkew) {

  public static final int DEFAULT_MIN_RSA_BITS = 1024;
  public static final int DEFAULT_MAX_SIGNATURES = 5;
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofMinutes(5);

  public static DkimPolicy defaults() {
    return new DkimPolicy(DEFAULT_MIN_RSA_BITS, DEFAULT_MAX_SIGNATURES, DEFAULT_CLOCK_SKEW);
  }
}
