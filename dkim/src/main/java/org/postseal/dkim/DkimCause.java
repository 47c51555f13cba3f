package org.postseal.dkim;

import java.util.Locale;

/**
 * Why one DKIM-Signature got its result: one constant per decision the verifier makes, so code can branch
 * on it and tests can assert it. Each cause fixes the outcome. The text is what Authentication-Results
 * comments, logs and {@code postseal check} show, followed by the result's detail (names, numbers).
 */
public enum DkimCause {

  // pass
  VERIFIED(DkimOutcome.PASS, "signature verified"),
  /** RFC 6376 section 3.6.1: t=y; still a pass, but the signer says it is testing. */
  VERIFIED_TEST_MODE(DkimOutcome.PASS, "signature verified; the key is in test mode (t=y)"),

  // fail: the cryptography says no
  BODY_HASH_MISMATCH(DkimOutcome.FAIL, "body hash did not verify"),
  /** l= counts more bytes than the canonical body has: the body was cut (RFC 6376 section 3.5). */
  BODY_LENGTH_EXCEEDS(DkimOutcome.FAIL, "l= is longer than the body"),
  SIGNATURE_MISMATCH(DkimOutcome.FAIL, "signature did not verify"),

  // policy: verified or verifiable, but not accepted (RFC 8301, RFC 6376 section 8.2)
  RSA_SHA1_REFUSED(DkimOutcome.POLICY, "rsa-sha1 is not accepted (RFC 8301)"),
  KEY_TOO_SHORT(DkimOutcome.POLICY, "RSA key is shorter than allowed (RFC 8301)"),
  /** A local limit (verify.max-rsa-bits): the key would cost too much CPU to use. */
  KEY_TOO_LONG(DkimOutcome.POLICY, "RSA key is longer than allowed (verify.max-rsa-bits)"),
  /** l= is shorter than the body: what follows is unauthenticated (RFC 6376 section 8.2). */
  BODY_LENGTH_PARTIAL(DkimOutcome.POLICY, "l= leaves body bytes unsigned"),

  // neutral: outside its validity period (RFC 6376 section 3.5, x= and t=)
  SIGNATURE_EXPIRED(DkimOutcome.NEUTRAL, "signature expired"),
  SIGNATURE_IN_FUTURE(DkimOutcome.NEUTRAL, "signature timestamp is in the future"),

  // temperror: no key yet (RFC 6376 section 6.1.2)
  DNS_TIMEOUT(DkimOutcome.TEMPERROR, "DNS timeout looking up the key"),
  DNS_FAILURE(DkimOutcome.TEMPERROR, "DNS failure looking up the key"),
  /** The message's deadline passed before the key lookup answered. */
  KEY_LOOKUP_UNFINISHED(DkimOutcome.TEMPERROR, "key lookup did not finish in time"),

  // permerror: the signature field (RFC 6376 section 3.5)
  SIGNATURE_SYNTAX(DkimOutcome.PERMERROR, "signature syntax error"),
  MISSING_TAG(DkimOutcome.PERMERROR, "signature lacks a required tag"),
  /** A tag is present but its value is not of its kind (d= not a name, b= not base64, x= before t=, ...). */
  MALFORMED_TAG(DkimOutcome.PERMERROR, "signature has a malformed tag"),
  UNSUPPORTED_VERSION(DkimOutcome.PERMERROR, "signature version is not 1"),
  UNSUPPORTED_ALGORITHM(DkimOutcome.PERMERROR, "unknown signing algorithm"),
  UNSUPPORTED_CANONICALIZATION(DkimOutcome.PERMERROR, "unknown canonicalization"),
  UNSUPPORTED_QUERY_METHOD(DkimOutcome.PERMERROR, "q= names no supported query method (dns/txt)"),
  FROM_NOT_SIGNED(DkimOutcome.PERMERROR, "h= does not include From (RFC 6376 section 5.4)"),
  IDENTITY_OUTSIDE_DOMAIN(DkimOutcome.PERMERROR, "i= is not d= or a subdomain of it (RFC 6376 section 3.5)"),

  // permerror: the key record (RFC 6376 sections 3.6.1, 6.1.2; RFC 8463 section 4)
  KEY_NOT_FOUND(DkimOutcome.PERMERROR, "no key for signature"),
  KEY_SYNTAX(DkimOutcome.PERMERROR, "key record syntax error"),
  KEY_UNSUPPORTED_VERSION(DkimOutcome.PERMERROR, "key record version is not DKIM1"),
  KEY_REVOKED(DkimOutcome.PERMERROR, "key revoked"),
  KEY_TYPE_MISMATCH(DkimOutcome.PERMERROR, "key type k= does not match a="),
  /** p= does not decode to a public key of type k=. */
  KEY_MALFORMED(DkimOutcome.PERMERROR, "key p= is not a usable public key"),
  /** A local limit (verify.max-key-record-bytes): the record is not parsed at all. */
  KEY_RECORD_TOO_LONG(DkimOutcome.PERMERROR, "key record is longer than allowed (verify.max-key-record-bytes)"),
  KEY_HASH_NOT_ALLOWED(DkimOutcome.PERMERROR, "key h= excludes the signature's hash"),
  KEY_SERVICE_NOT_EMAIL(DkimOutcome.PERMERROR, "key s= is not for email"),
  /** t=s: the i= domain must be d= itself. */
  KEY_STRICT_SUBDOMAIN(DkimOutcome.PERMERROR, "key has t=s but i= is in a subdomain of d="),

  /** An exception inside our code: a bug, logged; never a property of the message. */
  INTERNAL_ERROR(DkimOutcome.PERMERROR, "verification error");

  private final DkimOutcome outcome;
  private final String text;

  DkimCause(DkimOutcome outcome, String text) {
    this.outcome = outcome;
    this.text = text;
  }

  /** The dkim= result this cause gives. */
  public DkimOutcome outcome() {
    return outcome;
  }

  /** The cause in words, without detail: "body hash did not verify". */
  public String text() {
    return text;
  }

  /** The stable lower_snake name for JSON and logs: "body_hash_mismatch". */
  public String keyword() {
    return name().toLowerCase(Locale.ROOT);
  }
}
