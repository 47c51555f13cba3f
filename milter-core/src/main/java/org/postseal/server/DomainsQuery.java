package org.postseal.server;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.postseal.config.PostsealConfig;
import org.postseal.dmarc.store.ResultsDatabase;
import org.postseal.mail.DomainName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code [signing] domains-query}: the signing (and own-domain-protection) domains that come from SQL on the
 * [database] connection, e.g. the admin's Postfix virtual domains table. {@link #refresh} runs the query on a fresh
 * connection and keeps its answer as the last good list; when the query fails, the last good list stays in force,
 * the failure is logged as an ERROR (the operator must act: new domains are not signed) and counted.
 *
 * <p>Each value is read as a {@link DomainName}; NULLs are skipped, and a value that is no domain name is skipped
 * with a WARN naming it. Called from one thread at a time ({@code postseal-domains}, or a SIGHUP's reload, both
 * under the server's lock); the counters and the last list are read by any thread.
 */
public final class DomainsQuery {

  private static final Logger LOG = LoggerFactory.getLogger(DomainsQuery.class);

  /** How long the query may run: the refresh thread waits for nothing else. */
  static final Duration QUERY_TIMEOUT = Duration.ofSeconds(10);

  private final Clock clock;
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong refreshes = new AtomicLong();
  private volatile List<String> lastGood = List.of();
  private volatile Optional<Instant> lastGoodAt = Optional.empty();
  private ResultsDatabase database;
  private String databaseUrl;

  /**
   * The signing domains a command sees (keys list, doctor): signing.domains, and what domains-query returns now.
   *
   * @param queryFailure why the query failed, when it did (then {@code queried} is empty)
   */
  public record SigningDomains(List<String> configured, List<String> queried, Optional<String> queryFailure) {
    public SigningDomains {
      configured = List.copyOf(configured);
      queried = List.copyOf(queried);
      Objects.requireNonNull(queryFailure, "queryFailure");
    }

    /** signing.domains first, then the queried ones not among them. */
    public List<String> all() {
      java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>(configured);
      all.addAll(queried);
      return List.copyOf(all);
    }
  }

  /** Runs {@code config}'s domains-query once, logging nothing: for commands, which print what they found. */
  public static SigningDomains once(PostsealConfig config, Clock clock) {
    List<String> configured = config.signing().domains();
    if (!config.signing().hasDomainsQuery()) {
      return new SigningDomains(configured, List.of(), Optional.empty());
    }
    try {
      return new SigningDomains(configured, new DomainsQuery(clock).run(config, config.signing().domainsQuery()),
          Optional.empty());
    } catch (SQLException | RuntimeException e) {
      return new SigningDomains(configured, List.of(), Optional.of(oneLine(e)));
    }
  }

  DomainsQuery(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Runs {@code config}'s domains-query when it has one.
   *
   * @return the domains to sign besides signing.domains: the query's answer, or the last good one when it failed
   *         (empty before any success, and when no query is configured)
   */
  List<String> refresh(PostsealConfig config) {
    String sql = config.signing().domainsQuery();
    if (sql.isEmpty()) {
      lastGood = List.of();
      return lastGood;
    }
    try {
      List<String> answer = run(config, sql);
      refreshes.incrementAndGet();
      if (!answer.equals(lastGood) || lastGoodAt.isEmpty()) {
        List<String> added = new ArrayList<>(answer);
        added.removeAll(lastGood);
        List<String> removed = new ArrayList<>(lastGood);
        removed.removeAll(answer);
        LOG.info("signing: domains-query returned {} domain{}{}{}; with signing.domains {} signing for {}",
            answer.size(), answer.size() == 1 ? "" : "s", added.isEmpty() ? "" : ", added " + added,
            removed.isEmpty() ? "" : ", removed " + removed, config.signing().domains(),
            config.signing().withQueriedDomains(answer).domains());
      }
      lastGood = answer;
      lastGoodAt = Optional.of(clock.instant());
    } catch (SQLException | RuntimeException e) {
      failures.incrementAndGet();
      LOG.error("signing: domains-query failed on {}, keeping {}: {} (fix the query or the database; it runs again"
          + " every {} and at SIGHUP)", config.database().url().isEmpty() ? "the SQLite file in state-dir"
              : config.database().redactedUrl(), lastGoodAt.map(at -> "the last good list of " + lastGood.size()
              + " domain" + (lastGood.size() == 1 ? "" : "s") + " " + lastGood + " from " + at)
              .orElse("signing.domains only (the query never succeeded)"), oneLine(e),
          org.postseal.config.DurationText.format(config.signing().domainsRefresh()));
    }
    return lastGood;
  }

  private List<String> run(PostsealConfig config, String sql) throws SQLException {
    String url = config.database().url();
    if (database == null || !url.equals(databaseUrl)) {
      database = ResultsDatabase.open(url, config.stateDir(), clock);
      databaseUrl = url;
    }
    TreeSet<String> domains = new TreeSet<>();
    List<String> refused = new ArrayList<>();
    try (Connection c = database.connect(); Statement s = c.createStatement()) {
      s.setQueryTimeout((int) QUERY_TIMEOUT.toSeconds());
      try (ResultSet r = s.executeQuery(sql)) {
        if (r.getMetaData().getColumnCount() < 1) {
          throw new SQLException("the query returns no column");
        }
        while (r.next()) {
          String value = r.getString(1);
          if (value == null) {
            continue;
          }
          DomainName.Parse parsed = DomainName.parse(value.strip(), DomainName.Syntax.HOST_NAME);
          if (parsed instanceof DomainName.Valid valid) {
            domains.add(valid.domain().value());
          } else if (refused.size() < 20) {
            refused.add("\"" + value + "\"");
          }
        }
      }
    }
    if (!refused.isEmpty()) {
      LOG.warn("signing: domains-query returned values that are no domain names, skipped: {}", refused);
    }
    return List.copyOf(domains);
  }

  private static String oneLine(Exception e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    return message.replaceAll("\\s+", " ").strip();
  }

  /** The domains of the last successful run. */
  List<String> lastGood() {
    return lastGood;
  }

  /** How many runs failed since start. */
  long failures() {
    return failures.get();
  }

  /** How many runs succeeded since start. */
  long refreshes() {
    return refreshes.get();
  }
}
