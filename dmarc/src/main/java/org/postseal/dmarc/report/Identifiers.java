package org.postseal.dmarc.report;

import java.util.Objects;
import java.util.Optional;

/**
 * record/identifiers (RFC 9990 section 3.1.1.12).
 *
 * @param headerFrom   the RFC5322.From domain
 * @param envelopeFrom the RFC5321.MailFrom domain; present but empty for the null reverse-path
 * @param envelopeTo   the RFC5321.RcptTo domain
 */
public record Identifiers(String headerFrom, Optional<String> envelopeFrom, Optional<String> envelopeTo) {

  public Identifiers {
    Objects.requireNonNull(headerFrom, "headerFrom");
    Objects.requireNonNull(envelopeFrom, "envelopeFrom");
    Objects.requireNonNull(envelopeTo, "envelopeTo");
  }
}
