package org.postseal.config;

import org.postseal.dkim.DkimPolicy;

/**
 * The [verify] section.
 *
 * @param maxSignatures     DKIM-Signature fields evaluated per message
 * @param minRsaBits        RSA keys shorter than this never pass (RFC 8301 section 3.2 forbids less than 1024)
 * @param maxRsaBits        RSA keys longer than this are not used (policy), their cost being the sender's choice
 * @param maxKeyRecordBytes key records longer than this are not parsed (permerror)
 */
public record VerifyConfig(int maxSignatures, int minRsaBits, int maxRsaBits, int maxKeyRecordBytes) {

  public static final int DEFAULT_MAX_SIGNATURES = DkimPolicy.DEFAULT_MAX_SIGNATURES;
  public static final int MIN_MAX_SIGNATURES = 1;
  public static final int MAX_MAX_SIGNATURES = 20;
  public static final int DEFAULT_MIN_RSA_BITS = DkimPolicy.DEFAULT_MIN_RSA_BITS;
  /** RFC 8301 section 3.2: verifiers must not accept keys under 1024 bits. */
  public static final int LOWEST_MIN_RSA_BITS = 1024;
  public static final int HIGHEST_MIN_RSA_BITS = 8192;
  public static final int DEFAULT_MAX_RSA_BITS = DkimPolicy.DEFAULT_MAX_RSA_BITS;
  /** RFC 8301 section 3.2: verifiers MUST validate keys of 1024 to 4096 bits. */
  public static final int LOWEST_MAX_RSA_BITS = 4096;
  public static final int HIGHEST_MAX_RSA_BITS = 16384;
  public static final int DEFAULT_MAX_KEY_RECORD_BYTES = DkimPolicy.DEFAULT_MAX_KEY_RECORD_BYTES;
  /** An RSA-4096 record (about 750 bytes) must fit. */
  public static final int MIN_MAX_KEY_RECORD_BYTES = 1024;
  public static final int MAX_MAX_KEY_RECORD_BYTES = 65535;

  public static VerifyConfig defaults() {
    return new VerifyConfig(DEFAULT_MAX_SIGNATURES, DEFAULT_MIN_RSA_BITS, DEFAULT_MAX_RSA_BITS,
        DEFAULT_MAX_KEY_RECORD_BYTES);
  }

  /** The verification policy these settings describe, with the library's default clock skew. */
  public DkimPolicy policy() {
    return new DkimPolicy(minRsaBits, maxRsaBits, maxSignatures, maxKeyRecordBytes, DkimPolicy.DEFAULT_CLOCK_SKEW);
  }
}
