package org.postseal.dmarc;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;
import org.postseal.mail.EnvelopeAddress;

/**
 * Where a message came from, as the disposition needs it.
 *
 * @param clientIp       the SMTP client's address; empty when unknown (an offline check)
 * @param clientHostName the client's forward-confirmed reverse name as the MTA gives it (Postfix says
 *                       "unknown" when it does not confirm); empty when none. Only a confirmed name may be
 *                       matched against trusted forwarders
 * @param isAuthenticated the client authenticated (SMTP AUTH)
 * @param isInternal     the client is in the internal networks
 * @param helo           the HELO/EHLO name the client gave; empty when unknown
 * @param mailFrom       the MAIL FROM argument, read
 */
public record MessageOrigin(Optional<InetAddress> clientIp, String clientHostName, boolean isAuthenticated,
                            boolean isInternal, String helo, EnvelopeAddress mailFrom) {

  public MessageOrigin {
    Objects.requireNonNull(clientIp, "clientIp");
    clientHostName = clientHostName == null ? "" : clientHostName;
    helo = helo == null ? "" : helo;
    Objects.requireNonNull(mailFrom, "mailFrom");
  }

  /** An outside client that did not authenticate: the mail DMARC enforcement is for. */
  public boolean isOutsideUnauthenticated() {
    return !isAuthenticated && !isInternal;
  }
}
