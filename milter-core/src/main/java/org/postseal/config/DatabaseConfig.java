package org.postseal.config;

/**
 * The [database] section: where evaluated messages and the report outbox are kept.
 *
 * @param url empty for the SQLite file state-dir/postseal.db (created on first use, no setup), else a
 *            jdbc:postgresql:// or jdbc:sqlite: URL. May carry a password: log it only through {@link #redactedUrl()}.
 */
public record DatabaseConfig(String url) {

  public static final String DEFAULT_URL = "";

  public static DatabaseConfig defaults() {
    return new DatabaseConfig(DEFAULT_URL);
  }

  /** The URL without credentials or parameters, fit for logs. */
  public String redactedUrl() {
    String shown = url;
    int query = shown.indexOf('?');
    if (query >= 0) {
      shown = shown.substring(0, query) + "?(parameters hidden)";
    }
    int scheme = shown.indexOf("://");
    int at = shown.indexOf('@');
    if (scheme >= 0 && at > scheme) {
      shown = shown.substring(0, scheme + 3) + "(credentials hidden)" + shown.substring(at);
    }
    return shown;
  }
}
