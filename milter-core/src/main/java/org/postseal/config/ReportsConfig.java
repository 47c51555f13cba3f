package org.postseal.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The [reports] section: the DMARC aggregate reports (RFC 9990) {@code serve} sends, and how long evaluated
 * messages and sent reports are kept.
 *
 * @param enabled  serve closes each UTC day and sends its reports to the domains that ask (rua=)
 * @param orgName  org_name in our reports; empty means the domain of {@code from}
 * @param from     the sender of our reports: an address in one of signing.domains, so that our own signature makes
 *                 them pass DMARC aligned (RFC 9990 section 3.1.6.2); empty: nothing is sent
 * @param smtp     where report mail is submitted, HOST:PORT (the local Postfix, which signs it through us)
 * @param keep     evaluated messages and sent reports older than this are deleted
 * @param suppress rua destinations never reported to: addresses, or domains (with everything below them)
 */
public record ReportsConfig(boolean enabled, String orgName, String from, HostPort smtp, Duration keep,
                            List<String> suppress) {

  /** On: reports go out as soon as {@code from} names a sender. */
  public static final boolean DEFAULT_ENABLED = true;
  public static final String DEFAULT_ORG_NAME = "";
  public static final String DEFAULT_FROM = "";
  public static final String DEFAULT_SMTP = "127.0.0.1:25";
  public static final Duration DEFAULT_KEEP = Duration.ofDays(30);
  /** A day's reports are built a few minutes after the day: keep at least that day. */
  public static final Duration MIN_KEEP = Duration.ofDays(2);
  public static final Duration MAX_KEEP = Duration.ofDays(3650);
  public static final List<String> DEFAULT_SUPPRESS = List.of();

  public ReportsConfig {
    Objects.requireNonNull(orgName, "orgName");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(smtp, "smtp");
    Objects.requireNonNull(keep, "keep");
    suppress = List.copyOf(suppress);
  }

  public static ReportsConfig defaults() {
    return new ReportsConfig(DEFAULT_ENABLED, DEFAULT_ORG_NAME, DEFAULT_FROM, HostPort.parse(DEFAULT_SMTP), DEFAULT_KEEP,
        DEFAULT_SUPPRESS);
  }

  /** Reports go out: enabled, and a sender configured. */
  public boolean isSending() {
    return enabled && !from.isEmpty();
  }
}
