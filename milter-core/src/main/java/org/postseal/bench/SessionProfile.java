package org.postseal.bench;

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
}
