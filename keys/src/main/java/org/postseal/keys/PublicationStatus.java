package org.postseal.keys;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What DNS serves for one selector compared with our key: the answer of a {@link KeyPublicationCheck}.
 *
 * @param kind       the verdict
 * @param recordName SELECTOR._domainkey.DOMAIN, looked up
 * @param detail     one sentence for the operator: what was served, or why the lookup failed
 * @param served     the TXT records served, each one's strings joined (empty unless DNS answered with records)
 */
public record PublicationStatus(Kind kind, String recordName, String detail, List<String> served) {

  /** The verdicts; {@link #label()} is what listings print. */
  public enum Kind {
    /** DNS serves exactly our public key: verifiers will accept our signatures. */
    MATCH,
    /** No TXT record at the name (NXDOMAIN or no data). */
    MISSING,
    /** A key record, but of another key (or several records of which not only ours). */
    DIFFERENT_KEY,
    /** A record with an empty p=: the selector is revoked. */
    REVOKED,
    /** A record that is not a usable DKIM key record (bad base64, no p=, wrong Ed25519 form). */
    MALFORMED,
    /** The lookup failed (timeout, SERVFAIL): nothing is known. */
    DNS_ERROR;

    /** "match", "missing", "different key", "revoked", "malformed", "dns error". */
    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
  }

  public PublicationStatus {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(recordName, "recordName");
    Objects.requireNonNull(detail, "detail");
    served = List.copyOf(served);
  }

  public boolean isMatch() {
    return kind == Kind.MATCH;
  }
}
