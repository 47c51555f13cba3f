package org.postseal.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.postseal.dkim.DkimAlgorithm;

/**
 * The whole configuration, immutable. Built only by {@link ConfigLoader}, after every key validated.
 *
 * @param listen     where the milter listens
 * @param authservId the name written first in Authentication-Results (already defaulted to the host name)
 * @param stateDir   keys and the results database; relative paths are relative to the working directory
 * @param milter     what one MTA connection may send and hold, and how many connections there may be
 */
public record PostsealConfig(ListenAddress listen, String authservId, Path stateDir, DnsConfig dns, SigningConfig signing,
                             VerifyConfig verify, SpfConfig spf, DmarcConfig dmarc, KeysConfig keys, ReportsConfig reports,
                             DatabaseConfig database, MetricsConfig metrics, WebConfig web, MilterConfig milter) {

  public static final String DEFAULT_LISTEN = "inet:127.0.0.1:8891";
  /** A listen address beyond loopback must be asked for: the milter protocol has no authentication. */
  public static final boolean DEFAULT_LISTEN_PUBLIC = false;
  /** Empty means this host's name. */
  public static final String DEFAULT_AUTHSERV_ID = "";
  /** The default in a configuration file, as installed by the package. */
  public static final String DEFAULT_STATE_DIR = "/var/lib/postseal";
  /** The state directory of the built-in configuration used when no file exists (a source checkout). */
  public static final String EMBEDDED_STATE_DIR = "./postseal-data";
  /** Under state-dir: keys/DOMAIN/SELECTOR.pem. */
  public static final String KEYS_DIR_NAME = "keys";

  public PostsealConfig {
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(authservId, "authservId");
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(dns, "dns");
    Objects.requireNonNull(signing, "signing");
    Objects.requireNonNull(verify, "verify");
    Objects.requireNonNull(dmarc, "dmarc");
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(reports, "reports");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(web, "web");
    Objects.requireNonNull(milter, "milter");
  }

  /** Where private keys live: state-dir/keys. */
  public Path keysDir() {
    return stateDir.resolve(KEYS_DIR_NAME);
  }

  /** The same configuration listening elsewhere (tests bind port 0). */
  public PostsealConfig withListen(ListenAddress other) {
    return new PostsealConfig(other, authservId, stateDir, dns, signing, verify, spf, dmarc, keys, reports, database,
        metrics, web, milter);
  }

  /** The same configuration signing the domains domains-query returned too ({@link SigningConfig#withQueriedDomains}). */
  public PostsealConfig withQueriedDomains(List<String> queried) {
    return new PostsealConfig(listen, authservId, stateDir, dns, signing.withQueriedDomains(queried), verify, spf,
        dmarc, keys, reports, database, metrics, web, milter);
  }

  /**
   * The effective configuration, one line per section, for the startup log. Holds no secrets: the
   * database URL is redacted and no key material is ever part of the configuration.
   */
  public List<String> describe() {
    Map<String, List<String>> sections = new LinkedHashMap<>();
    settings().forEach((key, value) -> {
      int dot = key.indexOf('.');
      String section = dot < 0 ? "" : key.substring(0, dot);
      sections.computeIfAbsent(section, s -> new ArrayList<>()).add(key.substring(dot + 1) + "=" + value);
    });
    List<String> lines = new ArrayList<>();
    sections.forEach((section, values) -> lines.add((section.isEmpty() ? "" : "[" + section + "] ")
        + String.join(" ", values)));
    return lines;
  }

  /**
   * Every setting by its dotted key, as the log writes it ({@link #describe()}, and what a reload changed): no
   * secret is part of it (the database URL redacted, the domains query only said to be set).
   */
  public Map<String, String> settings() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("listen", listen.toString());
    s.put("authserv-id", authservId);
    s.put("state-dir", stateDir.toString());
    s.put("milter.max-frame-bytes", Integer.toString(milter.maxFrameBytes()));
    s.put("milter.max-header-fields", Integer.toString(milter.maxHeaderFields()));
    s.put("milter.max-header-bytes", Integer.toString(milter.maxHeaderBytes()));
    s.put("milter.max-connections", Integer.toString(milter.maxConnections()));
    s.put("milter.max-connections-per-client", Integer.toString(milter.maxConnectionsPerClient()));
    s.put("milter.idle-timeout", DurationText.format(milter.idleTimeout()));
    s.put("milter.on-limit", milter.onLimit().configValue());
    s.put("dns.servers", dns.servers().isEmpty() ? "(system resolvers)" : dns.servers().toString());
    s.put("dns.timeout", DurationText.format(dns.timeout()));
    s.put("dns.message-deadline", DurationText.format(dns.messageDeadline()));
    s.put("signing.domains", signing.domains().toString());
    s.put("signing.domains-query", signing.domainsQuery().isEmpty() ? "(none)" : "(set)");
    s.put("signing.domains-refresh", DurationText.format(signing.domainsRefresh()));
    s.put("signing.internal-networks", signing.internalNetworks().toString());
    s.put("signing.sign-authenticated", Boolean.toString(signing.signAuthenticated()));
    s.put("signing.algorithms", signing.algorithms().stream().map(DkimAlgorithm::tagValue).collect(Collectors.toList())
        .toString());
    s.put("verify.max-signatures", Integer.toString(verify.maxSignatures()));
    s.put("verify.min-rsa-bits", Integer.toString(verify.minRsaBits()));
    s.put("verify.max-rsa-bits", Integer.toString(verify.maxRsaBits()));
    s.put("verify.max-key-record-bytes", Integer.toString(verify.maxKeyRecordBytes()));
    s.put("spf.max-dns-terms", Integer.toString(spf.maxDnsTerms()));
    s.put("spf.max-void-lookups", Integer.toString(spf.maxVoidLookups()));
    s.put("spf.max-macro-bytes", Integer.toString(spf.maxMacroBytes()));
    s.put("dmarc.enforce", Boolean.toString(dmarc.enforce()));
    s.put("dmarc.quarantine", dmarc.quarantine().configValue());
    s.put("dmarc.on-dns-error", dmarc.onDnsError().configValue());
    s.put("dmarc.protect-own-domains", Boolean.toString(dmarc.protectOwnDomains()));
    s.put("dmarc.trusted-forwarders", dmarc.trustedForwarders().toString());
    s.put("dmarc.never-reject", dmarc.neverReject().toString());
    s.put("dmarc.max-tree-walk-queries", Integer.toString(dmarc.maxTreeWalkQueries()));
    s.put("keys.auto-activate", Boolean.toString(keys.autoActivate()));
    s.put("keys.retire-after", DurationText.format(keys.retireAfter()));
    s.put("reports.enabled", Boolean.toString(reports.enabled()));
    s.put("reports.org-name", "\"" + reports.orgName() + "\"");
    s.put("reports.from", "\"" + reports.from() + "\"");
    s.put("reports.smtp", String.valueOf(reports.smtp()));
    s.put("reports.keep", DurationText.format(reports.keep()));
    s.put("reports.suppress", reports.suppress().toString());
    s.put("database.url", database.url().isEmpty() ? "(SQLite in state-dir)" : database.redactedUrl());
    s.put("metrics.listen", metrics.listen().map(HostPort::toString).orElse("(off)"));
    s.put("web.listen", web.listen().map(HostPort::toString).orElse("(off)") + (web.sharesListenerWith(metrics)
        ? " (with metrics)" : ""));
    return s;
  }

  /**
   * What differs from {@code before}, one line per setting ("dns.timeout: 5s -> 2s"; for lists the elements added
   * and removed): what a reload logs. Secrets are never shown, only that they changed.
   */
  public List<String> changesSince(PostsealConfig before) {
    List<String> changes = new ArrayList<>();
    Map<String, String> old = before.settings();
    settings().forEach((key, value) -> {
      String was = old.get(key);
      if (!value.equals(was)) {
        changes.add(key + ": " + listChange(was, value).orElse(was + " -> " + value));
      }
    });
    if (!signing.domainsQuery().equals(before.signing.domainsQuery()) && signing.domainsQuery().isEmpty()
        == before.signing.domainsQuery().isEmpty()) {
      changes.add("signing.domains-query: changed (the query is not logged)");
    }
    if (!database.url().equals(before.database.url()) && database.redactedUrl().equals(before.database.redactedUrl())) {
      changes.add("database.url: changed (only its credentials; they are not logged)");
    }
    return changes;
  }

  /** "added [x]; removed [y]" when both are lists as settings() writes them. */
  private static java.util.Optional<String> listChange(String was, String now) {
    if (was == null || !was.startsWith("[") || !now.startsWith("[")) {
      return java.util.Optional.empty();
    }
    List<String> before = elements(was);
    List<String> after = elements(now);
    List<String> added = after.stream().filter(e -> !before.contains(e)).toList();
    List<String> removed = before.stream().filter(e -> !after.contains(e)).toList();
    List<String> parts = new ArrayList<>();
    if (!added.isEmpty()) {
      parts.add("added " + added);
    }
    if (!removed.isEmpty()) {
      parts.add("removed " + removed);
    }
    if (parts.isEmpty()) {
      parts.add("reordered " + was + " -> " + now);
    }
    return java.util.Optional.of(String.join("; ", parts) + " (now " + now + ")");
  }

  private static List<String> elements(String list) {
    String inner = list.substring(1, list.length() - 1).strip();
    return inner.isEmpty() ? List.of() : List.of(inner.split(", "));
  }
}
