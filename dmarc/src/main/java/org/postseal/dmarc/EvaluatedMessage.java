package org.postseal.dmarc;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.postseal.dkim.DkimResult;
import org.postseal.mail.DomainName;
import org.postseal.mail.EnvelopeAddress;
import org.postseal.spf.SpfResult;

/**
 * Everything aggregate reports (RFC 9990) need about one evaluated inbound message.
 *
 * @param time                when it was evaluated (from the injected clock)
 * @param clientIp            the SMTP client; empty when unknown (an offline check)
 * @param headerFrom          the From domain (empty when there was not exactly one)
 * @param envelopeFromDomain  the MAIL FROM domain, empty for the null sender
 * @param recipients          the RCPT TO addresses without angle brackets, in order: the store never records mail
 *                            addressed to our own report addresses (a report loop)
 * @param spf                 the SPF result (its domain and identity)
 * @param dkim                every DKIM result, with d= and s=
 * @param dmarc               the DMARC result: published policy, policy domain, alignment
 * @param disposition         what was done, and the override reason
 */
public record EvaluatedMessage(Instant time, Optional<InetAddress> clientIp, String headerFrom,
                               String envelopeFromDomain, List<String> recipients, SpfResult spf,
                               List<DkimResult> dkim, DmarcResult dmarc, DmarcDisposition disposition) {

  public EvaluatedMessage {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(clientIp, "clientIp");
    Objects.requireNonNull(headerFrom, "headerFrom");
    Objects.requireNonNull(envelopeFromDomain, "envelopeFromDomain");
    recipients = List.copyOf(recipients);
    Objects.requireNonNull(spf, "spf");
    dkim = List.copyOf(dkim);
    Objects.requireNonNull(dmarc, "dmarc");
    Objects.requireNonNull(disposition, "disposition");
  }

  /** The RCPT TO domains (lower case A-labels, {@link DomainName#value()}), each once, in order. */
  public List<String> envelopeToDomains() {
    return recipients.stream()
        .map(r -> EnvelopeAddress.parse(r) instanceof EnvelopeAddress.Address a ? a.domain() : Optional.<DomainName>empty())
        .flatMap(Optional::stream).map(DomainName::value).distinct().toList();
  }

  /** The policy record as published, when one applied. */
  public Optional<DmarcRecord> publishedPolicy() {
    return dmarc.record();
  }

  public Optional<OverrideReason> overrideReason() {
    return disposition.overrideReason();
  }
}
