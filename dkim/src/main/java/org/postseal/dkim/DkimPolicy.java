package org.postseal.dkim;

import java.time.Duration;

/**
 * What we accept beyond what the library checks (RFC 8301 and our own limits): applied to every
 * signature after the cryptography.
 *
 * @param minRsaBits        RSA keys shorter than this are never a pass (RFC 8301 section 3.2: 1024)
 * @param maxRsaBits        RSA keys longer than this are not used: a hostile record's huge key would make every
 *                          message signed with it cost CPU (verifying takes time quadratic in the key size)
 * @param maxSignatures     signatures beyond this many are not evaluated
 * @param maxKeyRecordBytes key records longer than this are not parsed (an RSA-8192 record is about 1,450)
 * @param clockSkew         tolerance for t= in the future and x= in the past
 */
public record DkimPolicy(int minRsaBits, int maxRsaBits, int maxSignatures, int maxKeyRecordBytes,
                         Duration clockSkew) {

  public static final int DEFAULT_MIN_RSA_BITS = 1024;
  /** RFC 8301 section 3.2: verifiers MUST validate up to 4096 bits; twice that still verifies in well under 1 ms. */
  public static final int DEFAULT_MAX_RSA_BITS = 8192;
  public static final int DEFAULT_MAX_SIGNATURES = 5;
  /** Room for an RSA-8192 key (about 1,450 bytes) with every tag; a DNS TXT answer may carry 64 KiB. */
  public static final int DEFAULT_MAX_KEY_RECORD_BYTES = 4096;
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofMinutes(5);

  public static DkimPolicy defaults() {
    return new DkimPolicy(DEFAULT_MIN_RSA_BITS, DEFAULT_MAX_RSA_BITS, DEFAULT_MAX_SIGNATURES,
        DEFAULT_MAX_KEY_RECORD_BYTES, DEFAULT_CLOCK_SKEW);
  }
}
