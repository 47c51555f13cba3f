package org.postseal.config;

/**
 * The [reports] section: DMARC aggregate reports we send. Parsed and validated now; reports arrive in
 * a later release.
 *
 * @param enabled send reports to domains that ask for them (rua=)
 * @param orgName the organisation named in our reports
 * @param from    the sender address of our reports; empty until configured
 * @param smtp    the relay, HOST:PORT
 */
public record ReportsConfig(boolean enabled, String orgName, String from, HostPort smtp) {

  /** Off: reports are not built in this release, and setting it true is a configuration error until they are. */
  public static final boolean DEFAULT_ENABLED = false;
  public static final String DEFAULT_ORG_NAME = "";
  public static final String DEFAULT_FROM = "";
  public static final String DEFAULT_SMTP = "127.0.0.1:25";

  public static ReportsConfig defaults() {
    return new ReportsConfig(DEFAULT_ENABLED, DEFAULT_ORG_NAME, DEFAULT_FROM, HostPort.parse(DEFAULT_SMTP));
  }
}
