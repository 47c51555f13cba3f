package org.postseal.config;

import java.nio.file.Path;
import java.util.List;
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
                             DatabaseConfig database, MetricsConfig metrics, MilterConfig milter) {

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
    Objects.requireNonNull(milter, "milter");
  }

  /** Where private keys live: state-dir/keys. */
  public Path keysDir() {
    return stateDir.resolve(KEYS_DIR_NAME);
  }

  /** The same configuration listening elsewhere (tests bind port 0). */
  public PostsealConfig withListen(ListenAddress other) {
    return new PostsealConfig(other, authservId, stateDir, dns, signing, verify, spf, dmarc, keys, reports, database,
        metrics, milter);
  }

  /** The same configuration signing the domains domains-query returned too ({@link SigningConfig#withQueriedDomains}). */
  public PostsealConfig withQueriedDomains(List<String> queried) {
    return new PostsealConfig(listen, authservId, stateDir, dns, signing.withQueriedDomains(queried), verify, spf,
        dmarc, keys, reports, database, metrics, milter);
  }

  /**
   * The effective configuration, one line per section, for the startup log. Holds no secrets: the
   * database URL is redacted and no key material is ever part of the configuration.
   */
  public List<String> describe() {
    return List.of(
        "listen=" + listen + " authserv-id=" + authservId + " state-dir=" + stateDir,
        "[milter] max-frame-bytes=" + milter.maxFrameBytes() + " max-header-fields=" + milter.maxHeaderFields()
            + " max-header-bytes=" + milter.maxHeaderBytes() + " max-connections=" + milter.maxConnections()
            + " max-connections-per-client=" + milter.maxConnectionsPerClient()
            + " idle-timeout=" + DurationText.format(milter.idleTimeout()) + " on-limit=" + milter.onLimit().configValue(),
        "[dns] servers=" + (dns.servers().isEmpty() ? "(system resolvers)" : dns.servers())
            + " timeout=" + DurationText.format(dns.timeout())
            + " message-deadline=" + DurationText.format(dns.messageDeadline()),
        "[signing] domains=" + signing.domains() + " domains-query=" + (signing.domainsQuery().isEmpty() ? "(none)"
            : "\"" + signing.domainsQuery() + "\" every " + DurationText.format(signing.domainsRefresh()))
            + " internal-networks=" + signing.internalNetworks() + " sign-authenticated=" + signing.signAuthenticated()
            + " algorithms=" + signing.algorithms().stream().map(DkimAlgorithm::tagValue).collect(Collectors.toList()),
        "[verify] max-signatures=" + verify.maxSignatures() + " min-rsa-bits=" + verify.minRsaBits()
            + " max-rsa-bits=" + verify.maxRsaBits() + " max-key-record-bytes=" + verify.maxKeyRecordBytes(),
        "[spf] max-dns-terms=" + spf.maxDnsTerms() + " max-void-lookups=" + spf.maxVoidLookups()
            + " max-macro-bytes=" + spf.maxMacroBytes(),
        "[dmarc] enforce=" + dmarc.enforce() + " quarantine=" + dmarc.quarantine().configValue()
            + " on-dns-error=" + dmarc.onDnsError().configValue() + " protect-own-domains=" + dmarc.protectOwnDomains()
            + " trusted-forwarders=" + dmarc.trustedForwarders() + " never-reject=" + dmarc.neverReject()
            + " max-tree-walk-queries=" + dmarc.maxTreeWalkQueries(),
        "[keys] auto-activate=" + keys.autoActivate() + " retire-after=" + DurationText.format(keys.retireAfter()),
        "[reports] enabled=" + reports.enabled() + " org-name=\"" + reports.orgName() + "\" from=\"" + reports.from()
            + "\" smtp=" + reports.smtp() + " keep=" + DurationText.format(reports.keep())
            + " suppress=" + reports.suppress(),
        "[database] url=" + (database.url().isEmpty() ? "(SQLite in state-dir)" : database.redactedUrl()),
        "[metrics] listen=" + metrics.listen().map(HostPort::toString).orElse("(off)"));
  }
}
