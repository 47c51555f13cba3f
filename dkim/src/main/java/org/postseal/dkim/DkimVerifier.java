package org.postseal.dkim;

import java.time.Clock;
import java.util.List;
import java.util.Objects;
import org.postseal.dns.DnsSource;
import org.postseal.mail.HeaderField;

/**
 * Verifies inbound DKIM signatures (RFC 6376, RFC 8463) and applies {@link DkimPolicy} (RFC 8301).
 * Everything a message can contain ends up as a {@link DkimResult}; nothing here throws for message
 * content.
 *
 * <p>Thread-safe: one verifier serves every session; each message gets its own
 * {@link VerificationSession}. Parsed key records are shared between sessions (see
 * {@link DkimKeySource}).
 */
public final class DkimVerifier {

  private final DkimKeySource keys;
  private final DkimPolicy policy;
  private final Clock clock;

  public DkimVerifier(DnsSource dns, DkimPolicy policy, Clock clock) {
    Objects.requireNonNull(dns, "dns");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (policy.maxSignatures() < 0) {
      throw new IllegalArgumentException("dkim maxSignatures must be 0 or more, was " + policy.maxSignatures());
    }
    if (policy.minRsaBits() < 0) {
      throw new IllegalArgumentException("dkim minRsaBits must be 0 or more, was " + policy.minRsaBits());
    }
    if (policy.clockSkew() == null || policy.clockSkew().isNegative()) {
      throw new IllegalArgumentException("dkim clockSkew must be zero or positive, was " + policy.clockSkew());
    }
    if (policy.maxRsaBits() < policy.minRsaBits()) {
      throw new IllegalArgumentException("dkim maxRsaBits must be at least minRsaBits (" + policy.minRsaBits()
          + "), was " + policy.maxRsaBits());
    }
    if (policy.maxKeyRecordBytes() < 1) {
      throw new IllegalArgumentException("dkim maxKeyRecordBytes must be positive, was " + policy.maxKeyRecordBytes());
    }
    this.keys = new DkimKeySource(dns, policy.maxKeyRecordBytes());
  }

  /**
   * Starts verifying one message from its header fields (top first). Parses each DKIM-Signature, top to
   * bottom and at most {@link DkimPolicy#maxSignatures()} of them, and starts their key lookups and
   * body hashes at once: body chunks can be written while DNS answers.
   */
  public VerificationSession start(List<HeaderField> headers) {
    return new MessageVerificationSession(headers, keys, policy, clock);
  }
}
