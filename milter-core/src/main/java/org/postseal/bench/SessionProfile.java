package org.postseal.bench;

import java.io.IOException;
import java.util.List;
import org.postseal.milter.client.Envelope;
import org.postseal.milter.client.MilterClient;
import org.postseal.milter.client.MilterReply;

/**
 * The SMTP side of a benchmark session, as Postfix would describe it in macros: who the client is and
 * whether it authenticated. Sign mode looks like an internal, authenticated submission (loopback client,
 * {@code {auth_authen}} set), verify mode like mail from the outside (a documentation address, no login).
 */
record SessionProfile(String clientHost, String clientIp, String helo, String mailFrom, String recipient, String authUser) {

  /** A submission from a logged-in user on the machine itself: every DKIM milter signs this. */
  static SessionProfile internal(String fromDomain) {
    return new SessionProfile("localhost", "127.0.0.1", "localhost", "bench@" + fromDomain, "rcpt@bench.test", "bench");
  }

  /** Mail arriving from a server on the internet (TEST-NET-3 address, RFC 5737): milters verify it. */
  static SessionProfile external(String fromDomain) {
    return new SessionProfile("mail.outside.test", "203.0.113.5", "mail.outside.test", "bench@" + fromDomain,
        "rcpt@bench.test", "");
  }

  /** Connect and HELO for this client on a new milter connection. */
  MilterReply greet(MilterClient connection) throws IOException {
    return connection.greet(clientHost, clientIp, helo);
  }

  /** The envelope of one message of this session. */
  Envelope envelope(String queueId) {
    return new Envelope(clientHost, clientIp, helo, "<" + mailFrom + ">", List.of("<" + recipient + ">"), authUser, queueId);
  }
}
