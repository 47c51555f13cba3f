package org.postseal.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Reads the configuration: chooses the source ({@code --config FILE}, else {@link #SYSTEM_CONFIG_FILE}
 * when it exists, else the built-in default), parses the TOML, checks every key and reports all
 * errors at once, each with its line. Immutable and thread-safe.
 */
public final class ConfigLoader {

  public static final Path SYSTEM_CONFIG_FILE = Path.of("/etc/postseal/postseal.toml");
  public static final String EMBEDDED_SOURCE = "(built-in default)";
  /** Built-in configuration used when no file exists: loopback listener, state in ./postseal-data. */
  static final String EMBEDDED_RESOURCE = "postseal-embedded.toml";
  static final String LOCALHOST = "localhost";

  private static final TomlMapper TOML = new TomlMapper();

  private final Path systemConfigFile;
  private final Supplier<String> hostName;

  /** The production loader: /etc/postseal/postseal.toml and this host's name. */
  public ConfigLoader() {
    this(SYSTEM_CONFIG_FILE, ConfigLoader::localHostName);
  }

  /**
   * @param systemConfigFile the file used when no --config is given, if it exists
   * @param hostName         the authserv-id when the file leaves it empty
   */
  public ConfigLoader(Path systemConfigFile, Supplier<String> hostName) {
    this.systemConfigFile = systemConfigFile;
    this.hostName = hostName;
  }

  /** Every key the loader knows, dotted ("dns.timeout"), in reference-file order. */
  public static List<String> knownKeys() {
    return ConfigKeys.ALL.stream().map(ConfigKeys.Key::name).toList();
  }

  /** The known keys whose feature this release does not have: only their default is accepted. */
  public static List<String> unbuiltKeys() {
    return ConfigKeys.ALL.stream().filter(k -> !k.isBuilt()).map(ConfigKeys.Key::name).toList();
  }

  /** Loads {@code explicitFile} when given, else the system file when it exists, else the built-in default. */
  public ConfigResult load(Optional<Path> explicitFile) {
    if (explicitFile.isPresent()) {
      return loadFile(explicitFile.get());
    }
    if (Files.isRegularFile(systemConfigFile)) {
      return loadFile(systemConfigFile);
    }
    return embeddedDefault();
  }

  /** Every error of {@code file} at once, in file order; empty when it is valid. */
  public List<ConfigError> validate(Path file) {
    return loadFile(file) instanceof ConfigResult.Invalid invalid ? invalid.errors() : List.of();
  }

  /** Loads one file; a missing or unreadable file is an error like any other. */
  public ConfigResult loadFile(Path file) {
    String source = file.toString();
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return new ConfigResult.Invalid(List.of(new ConfigError(source, 0, "", "no such file",
          "give an existing file to --config, or leave it out to use " + systemConfigFile + " or the built-in default")),
          source);
    } catch (IOException | UncheckedIOException e) {
      return new ConfigResult.Invalid(List.of(new ConfigError(source, 0, "", "cannot read the file: " + e.getMessage(),
          "check that the file is readable by this user")), source);
    }
    return parse(text, source);
  }

  /** The built-in configuration (listen inet:127.0.0.1:8891, state-dir ./postseal-data). */
  public ConfigResult embeddedDefault() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream(EMBEDDED_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + EMBEDDED_RESOURCE + " is missing from the jar");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), EMBEDDED_SOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses and validates TOML text; {@code source} names it in errors. */
  public ConfigResult parse(String text, String source) {
    TomlKeyLocator locator = TomlKeyLocator.index(text);
    JsonNode root;
    try {
      root = TOML.readTree(text);
    } catch (JsonProcessingException e) {
      if (!locator.duplicates().isEmpty()) {
        // Jackson says "Duplicate key" or "Table redefined" at some later line: name the key and both lines
        List<ConfigError> errors = new ArrayList<>();
        for (TomlKeyLocator.Duplicate d : locator.duplicates()) {
          errors.add(d.isTable()
              ? new ConfigError(source, d.line(), d.name(), "[" + d.name() + "] appears twice, on lines " + d.firstLine()
                  + " and " + d.line(), "put every key of [" + d.name() + "] under one [" + d.name() + "] line")
              : new ConfigError(source, d.line(), d.name(), "set twice, on lines " + d.firstLine() + " and " + d.line(),
                  "keep one of them"));
        }
        return new ConfigResult.Invalid(errors, source);
      }
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      if (line <= 0) {
        // an error at the end of the text (a file cut short): its last line is where to look
        line = Math.max(1, (int) text.lines().count());
      }
      return new ConfigResult.Invalid(List.of(new ConfigError(source, line, "", "TOML syntax error: " + e.getOriginalMessage(),
          "see https://toml.io for the syntax; strings need double quotes")), source);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      root = TOML.createObjectNode();
    }
    List<ConfigError> errors = new ArrayList<>();
    Map<String, Object> values = new HashMap<>();

    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String name = field.getKey();
      JsonNode node = field.getValue();
      if (ConfigKeys.SECTIONS.contains(name)) {
        if (!node.isObject()) {
          errors.add(new ConfigError(source, locator.lineOf(name), name, "must be a table, was " + ValueReader.describe(node),
              "write [" + name + "] on a line of its own and its keys below it"));
          continue;
        }
        for (Iterator<Map.Entry<String, JsonNode>> inner = node.fields(); inner.hasNext(); ) {
          Map.Entry<String, JsonNode> entry = inner.next();
          readKey(name + "." + entry.getKey(), entry.getValue(), source, locator, values, errors);
        }
      } else {
        readKey(name, node, source, locator, values, errors);
      }
    }
    if (values.isEmpty() && errors.isEmpty()) {
      // a file emptied by accident (a failed copy, a full disk, an editor crash) would run on built-in defaults: no
      // signing domains, another state-dir, and mail going out unsigned without a word
      long lines = text.lines().count();
      return new ConfigResult.Invalid(List.of(new ConfigError(source, (int) Math.max(1, lines), "", "the file sets"
          + " nothing (" + (text.isBlank() ? "it is empty" : "no key is set: only comments, blank lines or empty tables") + "); postseal does not"
          + " run on built-in defaults from an empty file: they have no signing domains and another state-dir",
          "restore the file from a backup (man 5 postseal.toml lists every key) and run postseal config check; to run"
              + " on the built-in defaults, remove the file")), source);
    }
    checkPublicListeners(values, source, locator, errors);
    checkDeadline(values, source, locator, errors);
    if (errors.isEmpty()) {
      reportsFromIsOurs(values, source, locator).ifPresent(errors::add);
    }
    if (!errors.isEmpty()) {
      errors.sort(Comparator.comparingInt(ConfigError::line));
      return new ConfigResult.Invalid(errors, source);
    }
    return new ConfigResult.Valid(build(values), source);
  }

  /**
   * Neither the milter protocol nor the metrics and report pages have authentication: a listener beyond loopback
   * needs the admin to say so ({@code listen-public}, {@code metrics.listen-public}, {@code web.listen-public}),
   * e.g. behind a firewall that lets only the MTAs in.
   */
  private static void checkPublicListeners(Map<String, Object> values, String source, TomlKeyLocator locator,
                                           List<ConfigError> errors) {
    if (value(values, ConfigKeys.LISTEN) instanceof ListenAddress.Inet inet && !isLoopback(inet.host())
        && !value(values, ConfigKeys.LISTEN_PUBLIC)) {
      errors.add(new ConfigError(source, locator.lineOf(ConfigKeys.LISTEN.name()), ConfigKeys.LISTEN.name(),
          inet + " is not a loopback address, and the milter protocol has no authentication: anyone who reaches this"
              + " port gets mail signed with your keys and past your DMARC checks",
          "listen on \"inet:127.0.0.1:8891\" or a unix: socket, or set listen-public = true (top level) if a firewall"
              + " lets only your MTAs reach " + inet));
    }
    Optional<HostPort> metrics = value(values, ConfigKeys.METRICS_LISTEN);
    if (metrics.isPresent() && !isLoopback(metrics.get().host()) && !value(values, ConfigKeys.METRICS_LISTEN_PUBLIC)) {
      errors.add(new ConfigError(source, locator.lineOf(ConfigKeys.METRICS_LISTEN.name()), ConfigKeys.METRICS_LISTEN.name(),
          metrics.get() + " is not a loopback address: anyone who reaches it reads your mail volumes and domains' results",
          "use \"127.0.0.1:9891\", or set listen-public = true in [metrics] if a firewall lets only your Prometheus"
              + " reach " + metrics.get()));
    }
    Optional<HostPort> web = value(values, ConfigKeys.WEB_LISTEN);
    if (web.isPresent() && !isLoopback(web.get().host()) && !value(values, ConfigKeys.WEB_LISTEN_PUBLIC)) {
      errors.add(new ConfigError(source, locator.lineOf(ConfigKeys.WEB_LISTEN.name()), ConfigKeys.WEB_LISTEN.name(),
          web.get() + " is not a loopback address, and the report page has no authentication: anyone who reaches it"
              + " reads who sends as your domains, from which addresses, and what you did with others' mail",
          "use \"127.0.0.1:9892\" (an SSH tunnel or your own web server in front reaches it), or set listen-public ="
              + " true in [web] if a firewall lets only your admins reach " + web.get()));
    }
  }

  /** A message's deadline shorter than one lookup would cut every lookup that takes its time: temperror for all. */
  private static void checkDeadline(Map<String, Object> values, String source, TomlKeyLocator locator,
                                    List<ConfigError> errors) {
    Duration deadline = value(values, ConfigKeys.DNS_MESSAGE_DEADLINE);
    Duration timeout = value(values, ConfigKeys.DNS_TIMEOUT);
    if (deadline.compareTo(timeout) < 0) {
      String name = ConfigKeys.DNS_MESSAGE_DEADLINE.name();
      int line = values.containsKey(name) ? locator.lineOf(name) : locator.lineOf(ConfigKeys.DNS_TIMEOUT.name());
      errors.add(new ConfigError(source, line, name, DurationText.format(deadline) + " is shorter than dns.timeout ("
          + DurationText.format(timeout) + "): a lookup that takes its whole timeout could never count",
          "set dns.message-deadline to at least dns.timeout, e.g. twice it (" + DurationText.format(timeout.multipliedBy(2))
              + ")"));
    }
  }

  /** {@code localhost} or a loopback address literal; any other name counts as public (it may resolve anywhere). */
  static boolean isLoopback(String host) {
    return host.equalsIgnoreCase(LOCALHOST)
        || Network.parseAddressLiteral(host).map(InetAddress::isLoopbackAddress).orElse(false);
  }

  private static void readKey(String name, JsonNode node, String source, TomlKeyLocator locator,
                              Map<String, Object> values, List<ConfigError> errors) {
    int line = locator.lineOf(name);
    Optional<ConfigKeys.Key<?>> key = ConfigKeys.find(name);
    if (key.isEmpty()) {
      errors.add(unknownKey(name, source, line, node));
      return;
    }
    ValueReader.Read<?> read = key.get().reader().read(node);
    if (read instanceof ValueReader.Read.Bad<?> bad) {
      for (ValueReader.Problem problem : bad.problems()) {
        errors.add(new ConfigError(source, line, name, problem.problem(), problem.allowed()));
      }
      return;
    }
    Object value = ((ValueReader.Read.Ok<?>) read).value();
    if (!key.get().isBuilt() && !value.equals(key.get().defaultValue())) {
      // an admin who sets it must not believe it works
      errors.add(new ConfigError(source, line, name, "not in postseal " + Release.version() + ": "
          + key.get().missingFeature() + " is not built yet",
          "remove the line (its default, " + describeDefault(key.get().defaultValue()) + ", is what this release does)"));
      return;
    }
    values.put(name, value);
  }

  private static String describeDefault(Object value) {
    return value instanceof String text ? "\"" + text + "\"" : String.valueOf(value);
  }

  /**
   * reports.from must be in one of signing.domains when reports are sent: Postfix passes the report mail through us,
   * we sign it, and only so does it pass DMARC aligned at the receiver (RFC 9990 section 3.1.6.2: report mail "MUST
   * conform to the DMARC mechanism"). With domains-query the signing domains are known only at run time.
   */
  private static Optional<ConfigError> reportsFromIsOurs(Map<String, Object> values, String source,
                                                         TomlKeyLocator locator) {
    String from = value(values, ConfigKeys.REPORTS_FROM);
    if (!value(values, ConfigKeys.REPORTS_ENABLED) || from.isEmpty()
        || !value(values, ConfigKeys.SIGNING_DOMAINS_QUERY).isEmpty()) {
      return Optional.empty();
    }
    String domain = ConfigKeys.domain(from.substring(from.lastIndexOf('@') + 1));
    List<String> signing = value(values, ConfigKeys.SIGNING_DOMAINS);
    if (signing.contains(domain)) {
      return Optional.empty();
    }
    return Optional.of(new ConfigError(source, locator.lineOf(ConfigKeys.REPORTS_FROM.name()),
        ConfigKeys.REPORTS_FROM.name(), "\"" + from + "\" is not in one of signing.domains " + signing
        + ": its reports would go out unsigned and fail DMARC at the receivers",
        "use an address in one of signing.domains, add " + domain + " to signing.domains, or set reports.enabled = false"));
  }

  private static ConfigError unknownKey(String name, String source, int line, JsonNode node) {
    boolean topLevel = name.indexOf('.') < 0;
    String section = topLevel ? "" : name.substring(0, name.indexOf('.'));
    String leaf = topLevel ? name : name.substring(name.indexOf('.') + 1);
    String what = topLevel && node.isObject() ? "unknown section [" + name + "]" : "unknown key";

    Set<String> candidates = new TreeSet<>(ConfigLoader.knownKeys());
    candidates.addAll(ConfigKeys.SECTIONS);
    Optional<String> suggestion = KeySuggestion.closest(name, candidates);
    if (suggestion.isEmpty()) {
      // the right key in the wrong place: "max-signatures" at top level belongs in [verify]
      String normalizedLeaf = leaf.replace('_', '-');
      suggestion = ConfigKeys.ALL.stream().map(ConfigKeys.Key::name)
          .filter(k -> k.endsWith("." + normalizedLeaf) || k.equals(normalizedLeaf)).findFirst();
    }
    String allowed;
    if (suggestion.isPresent()) {
      String s = suggestion.get();
      allowed = s.indexOf('.') >= 0 && !s.startsWith(section + ".")
          ? "did you mean " + s + " (key " + s.substring(s.indexOf('.') + 1) + " in [" + s.substring(0, s.indexOf('.')) + "])?"
          : "did you mean " + s + "?";
    } else if (topLevel) {
      allowed = "top-level keys are listen, listen-public, authserv-id, state-dir; sections are " + sectionList();
    } else {
      allowed = "keys of [" + section + "] are " + String.join(", ", ConfigKeys.ALL.stream()
          .filter(k -> k.section().equals(section)).map(ConfigKeys.Key::leaf).toList());
    }
    return new ConfigError(source, line, name, what, allowed);
  }

  private static String sectionList() {
    List<String> sections = new ArrayList<>();
    for (ConfigKeys.Key<?> key : ConfigKeys.ALL) {
      String s = "[" + key.section() + "]";
      if (!key.section().isEmpty() && !sections.contains(s)) {
        sections.add(s);
      }
    }
    return String.join(", ", sections);
  }

  @SuppressWarnings("unchecked")
  private static <T> T value(Map<String, Object> values, ConfigKeys.Key<T> key) {
    return values.containsKey(key.name()) ? (T) values.get(key.name()) : key.defaultValue();
  }

  private PostsealConfig build(Map<String, Object> v) {
    String authservId = value(v, ConfigKeys.AUTHSERV_ID_KEY);
    if (authservId.isEmpty()) {
      authservId = hostName.get();
    }
    return new PostsealConfig(
        value(v, ConfigKeys.LISTEN),
        authservId,
        Path.of(value(v, ConfigKeys.STATE_DIR)),
        new DnsConfig(value(v, ConfigKeys.DNS_SERVERS), value(v, ConfigKeys.DNS_TIMEOUT),
            value(v, ConfigKeys.DNS_MESSAGE_DEADLINE)),
        new SigningConfig(value(v, ConfigKeys.SIGNING_DOMAINS), value(v, ConfigKeys.SIGNING_DOMAINS_QUERY),
            value(v, ConfigKeys.SIGNING_DOMAINS_REFRESH), value(v, ConfigKeys.SIGNING_INTERNAL_NETWORKS), value(v, ConfigKeys.SIGNING_SIGN_AUTHENTICATED),
            value(v, ConfigKeys.SIGNING_ALGORITHMS)),
        new VerifyConfig(value(v, ConfigKeys.VERIFY_MAX_SIGNATURES), value(v, ConfigKeys.VERIFY_MIN_RSA_BITS),
            value(v, ConfigKeys.VERIFY_MAX_RSA_BITS), value(v, ConfigKeys.VERIFY_MAX_KEY_RECORD_BYTES)),
        new SpfConfig(value(v, ConfigKeys.SPF_MAX_DNS_TERMS), value(v, ConfigKeys.SPF_MAX_VOID_LOOKUPS),
            value(v, ConfigKeys.SPF_MAX_MACRO_BYTES)),
        new DmarcConfig(value(v, ConfigKeys.DMARC_ENFORCE), value(v, ConfigKeys.DMARC_QUARANTINE),
            value(v, ConfigKeys.DMARC_ON_DNS_ERROR), value(v, ConfigKeys.DMARC_PROTECT_OWN_DOMAINS),
            value(v, ConfigKeys.DMARC_TRUSTED_FORWARDERS), value(v, ConfigKeys.DMARC_NEVER_REJECT),
            value(v, ConfigKeys.DMARC_MAX_TREE_WALK_QUERIES)),
        new KeysConfig(value(v, ConfigKeys.KEYS_AUTO_ACTIVATE), value(v, ConfigKeys.KEYS_RETIRE_AFTER)),
        new ReportsConfig(value(v, ConfigKeys.REPORTS_ENABLED), value(v, ConfigKeys.REPORTS_ORG_NAME),
            value(v, ConfigKeys.REPORTS_FROM), value(v, ConfigKeys.REPORTS_SMTP), value(v, ConfigKeys.REPORTS_KEEP),
            value(v, ConfigKeys.REPORTS_SUPPRESS)),
        new DatabaseConfig(value(v, ConfigKeys.DATABASE_URL)),
        new MetricsConfig(value(v, ConfigKeys.METRICS_LISTEN)),
        new WebConfig(value(v, ConfigKeys.WEB_LISTEN), value(v, ConfigKeys.WEB_LISTEN_PUBLIC)),
        new MilterConfig(value(v, ConfigKeys.MILTER_MAX_FRAME_BYTES), value(v, ConfigKeys.MILTER_MAX_HEADER_FIELDS),
            value(v, ConfigKeys.MILTER_MAX_HEADER_BYTES), value(v, ConfigKeys.MILTER_MAX_CONNECTIONS),
            value(v, ConfigKeys.MILTER_MAX_CONNECTIONS_PER_CLIENT), value(v, ConfigKeys.MILTER_IDLE_TIMEOUT),
            value(v, ConfigKeys.MILTER_ON_LIMIT)));
  }

  /** This host's name for authserv-id; "localhost" when the system cannot tell. */
  static String localHostName() {
    try {
      String name = InetAddress.getLocalHost().getHostName();
      return name == null || name.isBlank() ? LOCALHOST : name;
    } catch (UnknownHostException e) {
      return LOCALHOST;
    }
  }
}
