package org.postseal.config;

import org.postseal.dmarc.store.ResultsDatabase;

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
    return ResultsDatabase.redactedUrl(url);
  }
}
