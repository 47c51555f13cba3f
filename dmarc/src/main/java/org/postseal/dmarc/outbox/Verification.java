package org.postseal.dmarc.outbox;

import java.util.List;
import java.util.Objects;

/** Whether a report may go to a destination (RFC 9990 section 4), decided by {@link DestinationVerification}. */
public sealed interface Verification {

  /**
   * Send it, to {@code addresses}: the destination itself, or the rua= of the verifying record when it names
   * addresses on the same host (section 4, step 9).
   *
   * @param how "inside the policy domain's organization" or the record that verified it, for the log
   */
  record Authorized(List<String> addresses, String how) implements Verification {
    public Authorized {
      addresses = List.copyOf(addresses);
      if (addresses.isEmpty()) {
        throw new IllegalArgumentException("an authorized destination has at least one address");
      }
      Objects.requireNonNull(how, "how");
    }
  }

  /** Never send it: NXDOMAIN, no record starting with v=DMARC1, or an override to another host. */
  record Refused(String reason) implements Verification {
    public Refused {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** DNS did not answer: ask again later (section 4, step 5: the receiver may temporarily fail the delivery). */
  record Deferred(String reason) implements Verification {
    public Deferred {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
