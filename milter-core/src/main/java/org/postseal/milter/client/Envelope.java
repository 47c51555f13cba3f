package org.postseal.milter.client;

import java.util.List;

/**
 * The SMTP side of one transaction, as Postfix describes it to milters. Client host, IP and HELO describe
 * the connection: {@link MilterClient#send} uses them for the first transaction on a connection only (one
 * milter connection is one SMTP session).
 *
 * @param clientIp   the SMTP client, an IPv4 or IPv6 literal
 * @param mailFrom   the MAIL FROM address in angle brackets, as the client wrote it
 * @param recipients the RCPT TO addresses in angle brackets
 * @param authUser   the SASL login ({auth_authen}), empty when not authenticated
 * @param queueId    the queue id (macro i)
 */
public record Envelope(String clientHost, String clientIp, String helo, String mailFrom, List<String> recipients,
                       String authUser, String queueId) {

  public Envelope {
    recipients = List.copyOf(recipients);
  }

  public Envelope withAuthUser(String user) {
    return new Envelope(clientHost, clientIp, helo, mailFrom, recipients, user, queueId);
  }

  public Envelope withQueueId(String id) {
    return new Envelope(clientHost, clientIp, helo, mailFrom, recipients, authUser, id);
  }

  public Envelope withMailFrom(String address) {
    return new Envelope(clientHost, clientIp, helo, address, recipients, authUser, queueId);
  }
}
