package org.postseal.config;

import static org.postseal.config.ValueReader.bool;
import static org.postseal.config.ValueReader.choice;
import static org.postseal.config.ValueReader.duration;
import static org.postseal.config.ValueReader.integer;
import static org.postseal.config.ValueReader.list;
import static org.postseal.config.ValueReader.text;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.postseal.dkim.DkimAlgorithm;
import org.postseal.dmarc.TrustedForwarders;
import org.postseal.mail.DomainName;

/**
 * Every key of the configuration file (the reference file in packaging lists them): its dotted name, its default
 * and how its value is read and checked. The reference file in packaging lists exactly these keys
 * (ReferenceConfigTest keeps the two in step).
 */
final class ConfigKeys {

  /**
   * One key: {@code name} is dotted ("dns.timeout"); top-level keys have no dot. {@code missingFeature} is empty
   * for a key whose feature is built; otherwise it names what is missing, and any value but the default is an
   * error naming this release (an admin who sets it must not believe it works).
   */
  record Key<T>(String name, T defaultValue, ValueReader<T> reader, String missingFeature) {

    Key(String name, T defaultValue, ValueReader<T> reader) {
      this(name, defaultValue, reader, "");
    }

    boolean isBuilt() {
      return missingFeature.isEmpty();
    }

    String section() {
      int dot = name.indexOf('.');
      return dot < 0 ? "" : name.substring(0, dot);
    }

    String leaf() {
      return name.substring(name.indexOf('.') + 1);
    }
  }

  private static final Pattern AUTHSERV_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Pattern LOCAL_PART = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+");

  static final String DOMAIN_ALLOWED = "a domain name such as \"example.com\" (letters, digits and '-';"
      + " internationalized names as written or in their xn-- form)";

  static final Key<ListenAddress> LISTEN = new Key<>("listen",
      ListenAddress.parse(PostsealConfig.DEFAULT_LISTEN), text(ListenAddress.ALLOWED, ListenAddress::parse));
  static final Key<Boolean> LISTEN_PUBLIC = new Key<>("listen-public", PostsealConfig.DEFAULT_LISTEN_PUBLIC, bool());
  static final Key<String> AUTHSERV_ID_KEY = new Key<>("authserv-id", PostsealConfig.DEFAULT_AUTHSERV_ID,
      text("a host name such as \"mail.example.com\" (RFC 8601 authserv-id), or \"\" for this host's name", ConfigKeys::authservId));
  static final Key<String> STATE_DIR = new Key<>("state-dir", PostsealConfig.DEFAULT_STATE_DIR,
      text("a directory path, e.g. \"/var/lib/postseal\"", ConfigKeys::nonEmpty));

  static final Key<Integer> MILTER_MAX_FRAME_BYTES = new Key<>("milter.max-frame-bytes",
      MilterConfig.DEFAULT_MAX_FRAME_BYTES, integer(MilterConfig.MIN_MAX_FRAME_BYTES, MilterConfig.MAX_MAX_FRAME_BYTES));
  static final Key<Integer> MILTER_MAX_HEADER_FIELDS = new Key<>("milter.max-header-fields",
      MilterConfig.DEFAULT_MAX_HEADER_FIELDS, integer(MilterConfig.MIN_MAX_HEADER_FIELDS, MilterConfig.MAX_MAX_HEADER_FIELDS));
  static final Key<Integer> MILTER_MAX_HEADER_BYTES = new Key<>("milter.max-header-bytes",
      MilterConfig.DEFAULT_MAX_HEADER_BYTES, integer(MilterConfig.MIN_MAX_HEADER_BYTES, MilterConfig.MAX_MAX_HEADER_BYTES));
  static final Key<Integer> MILTER_MAX_CONNECTIONS = new Key<>("milter.max-connections",
      MilterConfig.DEFAULT_MAX_CONNECTIONS, integer(1, MilterConfig.MAX_MAX_CONNECTIONS));
  static final Key<Integer> MILTER_MAX_CONNECTIONS_PER_CLIENT = new Key<>("milter.max-connections-per-client",
      MilterConfig.DEFAULT_MAX_CONNECTIONS_PER_CLIENT, integer(1, MilterConfig.MAX_MAX_CONNECTIONS));
  static final Key<Duration> MILTER_IDLE_TIMEOUT = new Key<>("milter.idle-timeout", MilterConfig.DEFAULT_IDLE_TIMEOUT,
      duration(MilterConfig.MIN_IDLE_TIMEOUT, MilterConfig.MAX_IDLE_TIMEOUT));
  static final Key<MilterConfig.LimitAction> MILTER_ON_LIMIT = new Key<>("milter.on-limit", MilterConfig.DEFAULT_ON_LIMIT,
      choice(MilterConfig.LimitAction.class, MilterConfig.LimitAction::configValue));

  static final Key<List<String>> DNS_SERVERS = new Key<>("dns.servers", DnsConfig.DEFAULT_SERVERS,
      list(text(DnsServerSyntax.ALLOWED, DnsServerSyntax::check), true, ""));
  static final Key<Duration> DNS_TIMEOUT = new Key<>("dns.timeout", DnsConfig.DEFAULT_TIMEOUT,
      duration(DnsConfig.MIN_TIMEOUT, DnsConfig.MAX_TIMEOUT));
  static final Key<Duration> DNS_MESSAGE_DEADLINE = new Key<>("dns.message-deadline", DnsConfig.DEFAULT_MESSAGE_DEADLINE,
      duration(DnsConfig.MIN_MESSAGE_DEADLINE, DnsConfig.MAX_MESSAGE_DEADLINE));

  static final Key<List<String>> SIGNING_DOMAINS = new Key<>("signing.domains", SigningConfig.DEFAULT_DOMAINS,
      list(text(DOMAIN_ALLOWED, ConfigKeys::domain), true, ""));
  static final Key<String> SIGNING_DOMAINS_QUERY = new Key<>("signing.domains-query", SigningConfig.DEFAULT_DOMAINS_QUERY,
      text("an SQL query on [database] returning one column of domains, e.g. \"SELECT domain FROM virtual_domains"
          + " WHERE active\", or \"\"", String::strip));
  static final Key<Duration> SIGNING_DOMAINS_REFRESH = new Key<>("signing.domains-refresh",
      SigningConfig.DEFAULT_DOMAINS_REFRESH, duration(SigningConfig.MIN_DOMAINS_REFRESH, SigningConfig.MAX_DOMAINS_REFRESH));
  static final Key<List<Network>> SIGNING_INTERNAL_NETWORKS = new Key<>("signing.internal-networks",
      SigningConfig.DEFAULT_INTERNAL_NETWORKS.stream().map(Network::parse).toList(),
      list(text(Network.ALLOWED, Network::parse), true, ""));
  static final Key<Boolean> SIGNING_SIGN_AUTHENTICATED = new Key<>("signing.sign-authenticated",
      SigningConfig.DEFAULT_SIGN_AUTHENTICATED, bool());
  static final Key<List<DkimAlgorithm>> SIGNING_ALGORITHMS = new Key<>("signing.algorithms", SigningConfig.DEFAULT_ALGORITHMS,
      list(text("allowed \"rsa-sha256\", \"ed25519-sha256\"", ConfigKeys::algorithm), false,
          "list at least one of \"rsa-sha256\", \"ed25519-sha256\""));

  static final Key<Integer> VERIFY_MAX_SIGNATURES = new Key<>("verify.max-signatures", VerifyConfig.DEFAULT_MAX_SIGNATURES,
      integer(VerifyConfig.MIN_MAX_SIGNATURES, VerifyConfig.MAX_MAX_SIGNATURES));
  static final Key<Integer> VERIFY_MIN_RSA_BITS = new Key<>("verify.min-rsa-bits", VerifyConfig.DEFAULT_MIN_RSA_BITS,
      minRsaBits());
  static final Key<Integer> VERIFY_MAX_RSA_BITS = new Key<>("verify.max-rsa-bits", VerifyConfig.DEFAULT_MAX_RSA_BITS,
      integer(VerifyConfig.LOWEST_MAX_RSA_BITS, VerifyConfig.HIGHEST_MAX_RSA_BITS));
  static final Key<Integer> VERIFY_MAX_KEY_RECORD_BYTES = new Key<>("verify.max-key-record-bytes",
      VerifyConfig.DEFAULT_MAX_KEY_RECORD_BYTES,
      integer(VerifyConfig.MIN_MAX_KEY_RECORD_BYTES, VerifyConfig.MAX_MAX_KEY_RECORD_BYTES));

  static final Key<Integer> SPF_MAX_DNS_TERMS = new Key<>("spf.max-dns-terms", SpfConfig.DEFAULT_MAX_DNS_TERMS,
      integer(1, SpfConfig.DEFAULT_MAX_DNS_TERMS));
  static final Key<Integer> SPF_MAX_VOID_LOOKUPS = new Key<>("spf.max-void-lookups", SpfConfig.DEFAULT_MAX_VOID_LOOKUPS,
      integer(0, SpfConfig.MAX_MAX_VOID_LOOKUPS));
  static final Key<Integer> SPF_MAX_MACRO_BYTES = new Key<>("spf.max-macro-bytes", SpfConfig.DEFAULT_MAX_MACRO_BYTES,
      integer(SpfConfig.MIN_MAX_MACRO_BYTES, SpfConfig.MAX_MAX_MACRO_BYTES));

  static final Key<Boolean> DMARC_ENFORCE = new Key<>("dmarc.enforce", DmarcConfig.DEFAULT_ENFORCE, bool());
  static final Key<DmarcConfig.Quarantine> DMARC_QUARANTINE = new Key<>("dmarc.quarantine", DmarcConfig.DEFAULT_QUARANTINE,
      choice(DmarcConfig.Quarantine.class, DmarcConfig.Quarantine::configValue));
  static final Key<DmarcConfig.DnsErrorAction> DMARC_ON_DNS_ERROR = new Key<>("dmarc.on-dns-error",
      DmarcConfig.DEFAULT_ON_DNS_ERROR, choice(DmarcConfig.DnsErrorAction.class, DmarcConfig.DnsErrorAction::configValue));
  static final Key<Boolean> DMARC_PROTECT_OWN_DOMAINS = new Key<>("dmarc.protect-own-domains",
      DmarcConfig.DEFAULT_PROTECT_OWN_DOMAINS, bool());
  static final Key<List<String>> DMARC_TRUSTED_FORWARDERS = new Key<>("dmarc.trusted-forwarders",
      DmarcConfig.DEFAULT_TRUSTED_FORWARDERS,
      list(text(Network.ALLOWED + ", or a host name", ConfigKeys::networkOrHost), true, ""));
  static final Key<List<String>> DMARC_NEVER_REJECT = new Key<>("dmarc.never-reject", DmarcConfig.DEFAULT_NEVER_REJECT,
      list(text(DOMAIN_ALLOWED, ConfigKeys::domain), true, ""));
  static final Key<Integer> DMARC_MAX_TREE_WALK_QUERIES = new Key<>("dmarc.max-tree-walk-queries",
      DmarcConfig.DEFAULT_MAX_TREE_WALK_QUERIES,
      integer(DmarcConfig.MIN_MAX_TREE_WALK_QUERIES, DmarcConfig.DEFAULT_MAX_TREE_WALK_QUERIES));

  static final Key<Boolean> KEYS_AUTO_ACTIVATE = new Key<>("keys.auto-activate", KeysConfig.DEFAULT_AUTO_ACTIVATE, bool());
  static final Key<Duration> KEYS_RETIRE_AFTER = new Key<>("keys.retire-after", KeysConfig.DEFAULT_RETIRE_AFTER,
      duration(KeysConfig.MIN_RETIRE_AFTER, KeysConfig.MAX_RETIRE_AFTER));

  static final Key<Boolean> REPORTS_ENABLED = new Key<>("reports.enabled", ReportsConfig.DEFAULT_ENABLED, bool());
  static final Key<String> REPORTS_ORG_NAME = new Key<>("reports.org-name", ReportsConfig.DEFAULT_ORG_NAME,
      text("any text, e.g. \"Example Mail\"", Function.identity()));
  static final Key<String> REPORTS_FROM = new Key<>("reports.from", ReportsConfig.DEFAULT_FROM,
      text("an address such as \"dmarc-reports@example.com\", or \"\"", ConfigKeys::mailbox));
  static final Key<HostPort> REPORTS_SMTP = new Key<>("reports.smtp", HostPort.parse(ReportsConfig.DEFAULT_SMTP),
      text(HostPort.ALLOWED, HostPort::parse));
  static final Key<Duration> REPORTS_KEEP = new Key<>("reports.keep", ReportsConfig.DEFAULT_KEEP,
      duration(ReportsConfig.MIN_KEEP, ReportsConfig.MAX_KEEP));
  static final Key<List<String>> REPORTS_SUPPRESS = new Key<>("reports.suppress", ReportsConfig.DEFAULT_SUPPRESS,
      list(text("an address such as \"dmarc@example.com\" or a domain such as \"example.com\"",
          ConfigKeys::addressOrDomain), true, ""));

  static final Key<String> DATABASE_URL = new Key<>("database.url", DatabaseConfig.DEFAULT_URL,
      text("\"\" (SQLite in state-dir), \"jdbc:sqlite:/path\" or \"jdbc:postgresql://HOST/DB\"", ConfigKeys::databaseUrl));

  static final Key<Optional<HostPort>> METRICS_LISTEN = new Key<>("metrics.listen", Optional.empty(),
      text(HostPort.ALLOWED + ", or \"\" to turn metrics off",
          s -> s.isEmpty() ? Optional.<HostPort>empty() : Optional.of(HostPort.parse(s))));
  static final Key<Boolean> METRICS_LISTEN_PUBLIC = new Key<>("metrics.listen-public", MetricsConfig.DEFAULT_LISTEN_PUBLIC,
      bool());

  static final Key<Optional<HostPort>> WEB_LISTEN = new Key<>("web.listen", Optional.empty(),
      text(HostPort.ALLOWED + ", or \"\" to turn the page off",
          s -> s.isEmpty() ? Optional.<HostPort>empty() : Optional.of(HostPort.parse(s))));
  static final Key<Boolean> WEB_LISTEN_PUBLIC = new Key<>("web.listen-public", WebConfig.DEFAULT_LISTEN_PUBLIC, bool());

  static final List<Key<?>> ALL = List.of(LISTEN, LISTEN_PUBLIC, AUTHSERV_ID_KEY, STATE_DIR, MILTER_MAX_FRAME_BYTES,
      MILTER_MAX_HEADER_FIELDS, MILTER_MAX_HEADER_BYTES, MILTER_MAX_CONNECTIONS, MILTER_MAX_CONNECTIONS_PER_CLIENT,
      MILTER_IDLE_TIMEOUT, MILTER_ON_LIMIT, DNS_SERVERS, DNS_TIMEOUT, DNS_MESSAGE_DEADLINE,
      SIGNING_DOMAINS, SIGNING_DOMAINS_QUERY, SIGNING_DOMAINS_REFRESH, SIGNING_INTERNAL_NETWORKS, SIGNING_SIGN_AUTHENTICATED, SIGNING_ALGORITHMS,
      VERIFY_MAX_SIGNATURES, VERIFY_MIN_RSA_BITS, VERIFY_MAX_RSA_BITS, VERIFY_MAX_KEY_RECORD_BYTES, SPF_MAX_DNS_TERMS,
      SPF_MAX_VOID_LOOKUPS, SPF_MAX_MACRO_BYTES, DMARC_ENFORCE, DMARC_QUARANTINE, DMARC_ON_DNS_ERROR,
      DMARC_PROTECT_OWN_DOMAINS, DMARC_TRUSTED_FORWARDERS, DMARC_NEVER_REJECT, DMARC_MAX_TREE_WALK_QUERIES,
      KEYS_AUTO_ACTIVATE, KEYS_RETIRE_AFTER,
      REPORTS_ENABLED, REPORTS_ORG_NAME, REPORTS_FROM, REPORTS_SMTP, REPORTS_KEEP, REPORTS_SUPPRESS, DATABASE_URL,
      METRICS_LISTEN, METRICS_LISTEN_PUBLIC, WEB_LISTEN, WEB_LISTEN_PUBLIC);

  /** The [section] names, in the order of the reference file. */
  static final Set<String> SECTIONS;

  static {
    Set<String> sections = new LinkedHashSet<>();
    for (Key<?> key : ALL) {
      if (!key.section().isEmpty()) {
        sections.add(key.section());
      }
    }
    SECTIONS = Set.copyOf(sections);
  }

  private ConfigKeys() {
  }

  static Optional<Key<?>> find(String dottedName) {
    return ALL.stream().filter(k -> k.name().equals(dottedName)).findFirst();
  }

  private static ValueReader<Integer> minRsaBits() {
    ValueReader<Integer> range = integer(VerifyConfig.LOWEST_MIN_RSA_BITS, VerifyConfig.HIGHEST_MIN_RSA_BITS);
    return node -> {
      ValueReader.Read<Integer> read = range.read(node);
      if (read instanceof ValueReader.Read.Bad<Integer> bad && node.isIntegralNumber()
          && node.asLong() < VerifyConfig.LOWEST_MIN_RSA_BITS) {
        return ValueReader.bad(bad.first().problem() + ": RFC 8301 section 3.2 forbids accepting RSA keys under 1024 bits",
            bad.first().allowed());
      }
      return read;
    };
  }

  private static String nonEmpty(String value) {
    if (value.isBlank()) {
      throw new IllegalArgumentException("must not be empty");
    }
    return value;
  }

  private static String authservId(String value) {
    if (!value.isEmpty() && !AUTHSERV_ID.matcher(value).matches()) {
      throw new IllegalArgumentException("\"" + value + "\" is not a host name");
    }
    return value;
  }

  /**
   * A domain name as {@link DomainName} writes it (lower case, A-labels, no trailing dot), in host-name syntax:
   * the configured domains are mail and signing domains, which have no '_' (RFC 5321 section 4.1.2).
   */
  static String domain(String value) {
    return DomainName.parse(value).map(DomainName::value)
        .orElseThrow(() -> new IllegalArgumentException("\"" + value + "\" is not a domain name"));
  }

  private static DkimAlgorithm algorithm(String value) {
    return DkimAlgorithm.fromTagValue(value)
        .filter(a -> a.tagValue().equals(value))
        .orElseThrow(() -> new IllegalArgumentException("\"" + value + "\" is not a signing algorithm"
            + ("rsa-sha1".equalsIgnoreCase(value) ? " (RFC 8301 forbids signing with rsa-sha1)" : "")));
  }

  private static String networkOrHost(String value) {
    if (Network.parseAddressLiteral(value.contains("/") ? value.substring(0, value.indexOf('/')) : value).isPresent()) {
      Network.parse(value);
      return value;
    }
    domain(value);
    try {
      // the parser the DMARC disposition uses: whatever it would refuse at startup or reload is refused here
      TrustedForwarders.parse(List.of(value));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("\"" + value + "\" is not a host name with at least two labels");
    }
    return value;
  }

  private static String mailbox(String value) {
    if (value.isEmpty()) {
      return value;
    }
    int at = value.lastIndexOf('@');
    if (at <= 0 || !LOCAL_PART.matcher(value.substring(0, at)).matches()) {
      throw new IllegalArgumentException("\"" + value + "\" is not an address");
    }
    domain(value.substring(at + 1));
    return value;
  }

  /** A rua destination to suppress: an address (a "mailto:" in front is dropped), or a domain. */
  private static String addressOrDomain(String value) {
    String v = value.strip();
    if (v.regionMatches(true, 0, "mailto:", 0, 7)) {
      v = v.substring(7);
    }
    if (v.contains("@")) {
      mailbox(v);
      return v.toLowerCase(Locale.ROOT);
    }
    return domain(v);
  }

  private static String databaseUrl(String value) {
    if (value.isEmpty() || value.startsWith("jdbc:sqlite:") || value.startsWith("jdbc:postgresql://")) {
      return value;
    }
    throw new IllegalArgumentException("\"" + new DatabaseConfig(value).redactedUrl() + "\" is not a supported database URL");
  }
}
