package org.postseal.dmarc;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.postseal.dkim.DkimResult;
import org.postseal.spf.SpfResult;

/**
 * Everything aggregate reports (RFC 9990) need about one evaluated inbound message.
 *
 * @param time                when it was evaluated (from the injected clock)
 * @param clientIp            the SMTP client; empty when unknown (an offline check)
 * @param headerFrom          the From domain (empty when there was not exactly one)
 * @param envelopeFromDomain  the MAIL FROM domain, empty for the null sender
 * @param envelopeToDomains   the RCPT TO domains, each once
 * @param spf                 the SPF result (its domain and identity)
 * @param dkim                every DKIM result, with d= and s=
 * @param dmarc               the DMARC result: published policy, policy domain, alignment
 * @param disposition         what was done, and the override reason
 */
public record EvaluatedMessage(Instant time, Optional<InetAddress> clientIp, String headerFrom,
                               String envelopeFromDomain, List<String> envelopeToDomains, SpfResult spf,
                               List<DkimResult> dkim, DmarcResult dmarc, DmarcDisposition disposition) {

  public EvaluatedMessage {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(clientIp, "clientIp");
    Objects.requireNonNull(headerFrom, "headerFrom");
    Objects.requireNonNull(envelopeFromDomain, "envelopeFromDomain");
    envelopeToDomains = List.copyOf(envelopeToDomains);
    Objects.requireNonNull(spf, "spf");
    dkim = List.copyOf(dkim);
    Objects.requireNonNull(dmarc, "dmarc");
    Objects.requireNonNull(disposition, "disposition");
  }

  /** The policy record as published, when one applied. */
  public Optional<DmarcRecord> publishedPolicy() {
    return dmarc.record();
  }

  public Optional<OverrideReason> overrideReason() {
    return disposition.overrideReason();
  }
}
