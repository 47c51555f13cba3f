package org.postseal.pipeline;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.postseal.dkim.DkimResult;
import org.postseal.dmarc.DmarcDisposition;
import org.postseal.dmarc.DmarcResult;
import org.postseal.mail.HeaderField;
import org.postseal.spf.SpfResult;

/**
 * What the inbound checks concluded about one message: the results of each mechanism, what DMARC and the
 * local settings decided, and the Authentication-Results field that says so. The log line, {@code postseal
 * check} and the result store read it; the field is added to the message only when it is delivered.
 *
 * @param spf                   SPF for MAIL FROM (HELO for the null sender): the one DMARC uses
 * @param heloSpf               the separate check of the HELO identity (RFC 7208 section 2.3), when there was one
 * @param dkim                  one result per DKIM-Signature, in header order
 * @param dmarc                 the DMARC result
 * @param disposition           what is done with the message and why
 * @param authenticationResults our Authentication-Results field (dkim=, spf=, dmarc=)
 * @param limitsHit             the configuration keys of the limits this message reached ("verify.max-signatures",
 *                              "spf.max-dns-terms", "dns.message-deadline", ...), each once; usually none
 */
public record InboundAuthentication(SpfResult spf, Optional<SpfResult> heloSpf, List<DkimResult> dkim, DmarcResult dmarc,
                                    DmarcDisposition disposition, HeaderField authenticationResults,
                                    List<String> limitsHit) {

  /** Every limit {@link #limitsHit} can name, by its configuration key (metrics show each from the start). */
  public static final List<String> LIMITS = List.of("dns.message-deadline", "verify.max-signatures",
      "verify.max-rsa-bits", "verify.max-key-record-bytes", "spf.max-dns-terms", "spf.max-void-lookups");

  public InboundAuthentication {
    Objects.requireNonNull(spf, "spf");
    Objects.requireNonNull(heloSpf, "heloSpf");
    dkim = List.copyOf(dkim);
    Objects.requireNonNull(dmarc, "dmarc");
    Objects.requireNonNull(disposition, "disposition");
    Objects.requireNonNull(authenticationResults, "authenticationResults");
    limitsHit = List.copyOf(limitsHit);
    if (!LIMITS.containsAll(limitsHit)) {
      throw new IllegalArgumentException("not a limit in InboundAuthentication.LIMITS: " + limitsHit);
    }
  }
}
