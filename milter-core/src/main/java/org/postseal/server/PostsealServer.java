package org.postseal.server;

import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.postseal.config.ConfigError;
import org.postseal.config.ConfigResult;
import org.postseal.config.DnsConfig;
import org.postseal.config.HostPort;
import org.postseal.config.ListenAddress;
import org.postseal.config.PostsealConfig;
import org.postseal.dkim.RsaEngine;
import org.postseal.dmarc.DmarcResultStore;
import org.postseal.dmarc.store.ReportingCounters;
import org.postseal.dns.DnsResolver;
import org.postseal.dns.DnsSource;
import org.postseal.keys.KeyDirectory;
import org.postseal.keys.KeyStoreRecovery;
import org.postseal.keys.SigningKeyStore;
import org.postseal.keys.SigningKeyCheck;
import org.postseal.keys.SigningKeys;
import org.postseal.metrics.MetricsServer;
import org.postseal.metrics.PostsealMetrics;
import org.postseal.milter.LimitCounters;
import org.postseal.milter.MilterServer;
import org.postseal.pipeline.AuthenticationPipeline;
import org.postseal.pipeline.MessagePipeline;
import org.postseal.pipeline.PipelineSnapshot;
import org.postseal.web.ReportPageHandler;
import org.postseal.web.ReportPageServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Postseal running: DNS resolver, key directory, DKIM pipeline and milter server built from one
 * configuration. {@code postseal serve} starts it through {@link #builder}, and so do the end-to-end tests
 * (with port 0, a temporary state-dir and a fake DNS server).
 *
 * <p>Every evaluated inbound message is recorded in the results database ([database]) and, with [reports] enabled,
 * the daily aggregate reports are built and sent ({@link ReportService}, its own threads); tests may give their own
 * {@link Builder#resultStore}.
 *
 * <p>{@link #reload()} (SIGHUP) re-reads the configuration when a source was given and always rescans the
 * keys; an invalid new configuration is logged and the old one stays. Between reloads, {@link KeyMaintenance}
 * rescans the keys when their files change and activates published pending keys ({@code [keys] auto-activate}).
 * Messages under way finish with the snapshot they began with.
 *
 * <p>With {@code [signing] domains-query}, the {@code postseal-domains} thread runs the query at start and every
 * {@code domains-refresh} ({@link DomainsQuery}), and so does every reload; the domains it returns are signed and
 * protected like signing.domains from the next message on, and when it fails the last good list stays.
 * {@link #config()} is the running configuration with those domains merged in. Thread-safe.
 */
public final class PostsealServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PostsealServer.class);

  /** The warm-up {@code serve} runs before it says it is ready. */
  public static final Duration DEFAULT_WARM_UP = Warmup.DEFAULT_BUDGET;

  private final Clock clock;
  private final Optional<Supplier<ConfigResult>> configSource;
  private final AuthenticationPipeline pipeline;
  private final MilterServer milter;
  private final KeyMaintenance keyMaintenance;
  private final PostsealMetrics metrics;
  private final Optional<MetricsServer> metricsServer;
  private final Optional<ReportPageServer> pageServer;
  private final Optional<ReportService> reports;
  private final DomainsQuery domainsQuery;
  private final ScheduledExecutorService domainsThread;
  private PostsealConfig config;
  private DnsResolver dns;
  private volatile boolean closed;

  private PostsealServer(Builder builder, PostsealConfig config, DnsResolver dns, AuthenticationPipeline pipeline,
                         MilterServer milter, PostsealMetrics metrics, Optional<MetricsServer> metricsServer,
                         Optional<ReportPageServer> pageServer, Optional<ReportService> reports,
                         DomainsQuery domainsQuery) {
    this.clock = builder.clock;
    this.domainsQuery = domainsQuery;
    this.configSource = Optional.ofNullable(builder.configSource);
    this.config = config;
    this.dns = dns;
    this.pipeline = pipeline;
    this.milter = milter;
    this.metrics = metrics;
    this.metricsServer = metricsServer;
    this.pageServer = pageServer;
    this.reports = reports;
    this.keyMaintenance = new KeyMaintenance(this::config, this::refreshKeys, this::recheckKeys, clock,
        builder.keyScanInterval, builder.activationInterval);
    this.domainsThread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "postseal-domains");
      t.setDaemon(true);
      return t;
    });
    domainsThread.schedule(this::refreshDomains, 0, TimeUnit.MILLISECONDS);
  }

  public static Builder builder(PostsealConfig config) {
    return new Builder(config);
  }

  /** How to start a server. */
  public static final class Builder {
    private final PostsealConfig config;
    private String sourceName = "(given)";
    private Supplier<ConfigResult> configSource;
    private Clock clock = Clock.systemUTC();
    private Duration drainTime = MilterServer.DEFAULT_DRAIN_TIME;
    private UnaryOperator<MessagePipeline> pipelineDecorator = UnaryOperator.identity();
    private Duration keyScanInterval = KeyMaintenance.DEFAULT_SCAN_INTERVAL;
    private Duration activationInterval = KeyMaintenance.DEFAULT_ACTIVATION_INTERVAL;
    private DmarcResultStore resultStore;
    private Duration reportInterval = ReportService.DEFAULT_INTERVAL;
    private String generator = "Postseal";
    private Duration warmUp = Duration.ZERO;
    private int warmUpMessages = Warmup.MAX_MESSAGES;

    private Builder(PostsealConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /** Where the configuration came from, for the startup log. */
    public Builder sourceName(String name) {
      this.sourceName = name;
      return this;
    }

    /** How {@link #reload()} re-reads the configuration; without one, a reload rescans the keys only. */
    public Builder reloadFrom(Supplier<ConfigResult> source) {
      this.configSource = source;
      return this;
    }

    public Builder clock(Clock value) {
      this.clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    /** How long a shutdown lets messages in flight finish. */
    public Builder drainTime(Duration value) {
      this.drainTime = Objects.requireNonNull(value, "drainTime");
      return this;
    }

    /** Wraps the pipeline the milter calls, e.g. to inject failures in tests. */
    public Builder pipelineDecorator(UnaryOperator<MessagePipeline> decorator) {
      this.pipelineDecorator = Objects.requireNonNull(decorator, "decorator");
      return this;
    }

    /** How often the key files are checked for changes (tests shorten it). */
    public Builder keyScanInterval(Duration value) {
      this.keyScanInterval = positive(value, "keyScanInterval");
      return this;
    }

    /** How often pending keys are looked up for auto-activation (tests shorten it). */
    public Builder activationInterval(Duration value) {
      this.activationInterval = positive(value, "activationInterval");
      return this;
    }

    private static Duration positive(Duration value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isZero() || value.isNegative()) {
        throw new IllegalArgumentException(name + " must be positive, was " + value);
      }
      return value;
    }

    /**
     * Where every evaluated inbound message is recorded, instead of the results database and its reports (tests).
     * It must never block; it outlives reloads.
     */
    public Builder resultStore(DmarcResultStore store) {
      this.resultStore = Objects.requireNonNull(store, "store");
      return this;
    }

    /** How often the reports thread looks for closed days and deliveries due (tests shorten it). */
    public Builder reportInterval(Duration value) {
      this.reportInterval = positive(value, "reportInterval");
      return this;
    }

    /** The software our reports name as their generator, e.g. "Postseal 0.1.0". */
    public Builder generator(String value) {
      this.generator = Objects.requireNonNull(value, "generator");
      return this;
    }

    /**
     * Signs and verifies made-up messages for up to {@code budget} after binding, before {@link #start} returns
     * ({@link Warmup}): {@code serve} gives {@link #DEFAULT_WARM_UP}; zero (the default, for tests) skips it.
     */
    public Builder warmUp(Duration budget) {
      Objects.requireNonNull(budget, "budget");
      if (budget.isNegative()) {
        throw new IllegalArgumentException("warmUp must not be negative, was " + budget);
      }
      this.warmUp = budget;
      return this;
    }

    /** As {@link #warmUp(Duration)}, stopping after {@code maxMessages} (tests: a few, however slow the machine). */
    Builder warmUp(Duration budget, int maxMessages) {
      this.warmUpMessages = maxMessages;
      return warmUp(budget);
    }

    /**
     * Builds everything and binds the listener.
     *
     * @throws IOException naming the address and the cause when it cannot listen (in use, not local,
     *                     a socket directory that does not exist)
     */
    public PostsealServer start() throws IOException {
      for (String line : config.describe()) {
        LOG.info("config from {}: {}", sourceName, line);
      }
      LOG.info("RSA signing and verifying: {}", RsaEngine.description());
      PostsealMetrics metrics = new PostsealMetrics();
      DnsResolver dns = DnsResolver.create(config.dns().servers(), config.dns().timeout(), clock).observedBy(metrics);
      // what a key operation killed midway (kill -9 during keygen) left: cleaned before the keys are read
      new KeyStoreRecovery(new SigningKeyStore(config.keysDir(), clock, config.keys().retireAfter())).recover();
      SigningKeys keys = loadKeys(config, scanKeys(config), clock, Optional.empty());
      // the reports thread reads the running configuration and resolver, which a reload replaces
      AtomicReference<PostsealServer> running = new AtomicReference<>();
      Optional<ReportService> reports = resultStore != null ? Optional.empty() : Optional.of(ReportService.start(
          () -> running.get() == null ? config : running.get().config(),
          () -> running.get() == null ? dns : running.get().dns(), clock, generator, reportInterval));
      AuthenticationPipeline pipeline = new AuthenticationPipeline(PipelineSnapshot.create(config, keys, dns, clock), clock,
          reports.<DmarcResultStore>map(r -> r).orElse(resultStore));
      MilterServer milter;
      try {
        milter = MilterServer.start(config.listen(), pipelineDecorator.apply(pipeline), drainTime, metrics,
            config.milter());
      } catch (IOException | RuntimeException e) {
        reports.ifPresent(ReportService::close);
        throw e;
      }
      metrics.watchMilter(milter::sessionsOpen, milter::messagesInFlight);
      metrics.watchMilterLimits(milter.counters());
      metrics.watchKeys(() -> pipeline.snapshot().keys());
      metrics.watchSigningKeys(() -> pipeline.snapshot().signing());
      reports.ifPresent(r -> metrics.watchReports(r.counters()));
      DomainsQuery domainsQuery = new DomainsQuery(clock);
      metrics.watchSigningDomains(domainsQuery::failures, () -> pipeline.snapshot().config().signing().domains().size());
      Optional<MetricsServer> metricsServer = Optional.empty();
      PostsealServer[] started = new PostsealServer[1];
      // the report page reads the running configuration and resolver too; it runs on its HTTP server's thread
      Optional<ReportPageHandler> page = config.web().listen().map(l -> ReportPageHandler.forServe(config,
          () -> running.get() == null ? config : running.get().config(),
          () -> running.get() == null ? dns : running.get().dns(), clock));
      boolean pageWithMetrics = config.web().sharesListenerWith(config.metrics());
      if (config.metrics().listen().isPresent()) {
        try {
          metricsServer = Optional.of(MetricsServer.start(config.metrics().listen().get(), metrics,
              () -> started[0] == null ? List.of("starting") : started[0].healthProblems(),
              pageWithMetrics ? page.<HttpHandler>map(h -> h) : Optional.empty()));
        } catch (IOException e) {
          milter.close();
          reports.ifPresent(ReportService::close);
          throw e;
        }
      }
      Optional<ReportPageServer> pageServer = Optional.empty();
      if (page.isPresent() && !pageWithMetrics) {
        try {
          pageServer = Optional.of(ReportPageServer.start(config.web().listen().get(), page.get()));
        } catch (IOException e) {
          milter.close();
          metricsServer.ifPresent(MetricsServer::close);
          reports.ifPresent(ReportService::close);
          throw e;
        }
      }
      started[0] = new PostsealServer(this, config, dns, pipeline, milter, metrics, metricsServer, pageServer,
          reports, domainsQuery);
      running.set(started[0]);
      if (!warmUp.isZero()) {
        // listening already: a message that arrives meanwhile is served, only not yet at full speed
        Warmup.run(clock, warmUp, warmUpMessages);
      }
      return started[0];
    }
  }

  /** The TCP address bound (the real port when the configuration said 0); only for inet: listeners. */
  public InetSocketAddress boundAddress() {
    return milter.boundAddress();
  }

  /** How often each limit of the milter port was hit. */
  public LimitCounters milterCounters() {
    return milter.counters();
  }

  /** The bound address in listen notation: what {@code serve} prints. */
  public ListenAddress listenAddress() {
    return milter.listenAddress();
  }

  /** The running configuration, with the domains domains-query returned merged into signing.domains. */
  public synchronized PostsealConfig config() {
    return effective(config);
  }

  private PostsealConfig effective(PostsealConfig loaded) {
    return loaded.withQueriedDomains(domainsQuery.lastGood());
  }

  /** How often domains-query failed since start (the metric postseal_signing_domains_query_failures_total). */
  public long domainsQueryFailures() {
    return domainsQuery.failures();
  }

  /**
   * One run of the {@code postseal-domains} thread: the query, the snapshot swapped when the domains changed, and
   * the next run scheduled after the configured interval (a reload may change it). Never throws.
   */
  private void refreshDomains() {
    try {
      synchronized (this) {
        if (closed) {
          return;
        }
        if (config.signing().hasDomainsQuery()) {
          domainsQuery.refresh(config);
          applyDomains();
        }
      }
    } catch (RuntimeException e) {
      LOG.error("signing: refreshing the domains failed; trying again at the next run", e);
    } finally {
      if (!closed) {
        domainsThread.schedule(this::refreshDomains, config().signing().domainsRefresh().toMillis(),
            TimeUnit.MILLISECONDS);
      }
    }
  }

  /**
   * Swaps the snapshot when the effective signing domains differ from the running one's: the keys are scanned and
   * checked in DNS again, so a new domain's keys sign (and a missing key is said). Under the lock.
   */
  private void applyDomains() {
    PostsealConfig next = effective(config);
    PipelineSnapshot running = pipeline.snapshot();
    if (next.signing().domains().equals(running.config().signing().domains())) {
      return;
    }
    SigningKeys keys = loadKeys(next, scanKeys(next), clock, Optional.of(running.signing()));
    pipeline.replace(PipelineSnapshot.create(next, keys, dns, clock));
  }

  /** Where /metrics and /healthz are served, when [metrics] listen is set (the real port when it said 0). */
  public Optional<HostPort> metricsAddress() {
    return metricsServer.map(MetricsServer::address);
  }

  /**
   * Where the report page is served, when [web] listen is set (the real port when it said 0; the metrics address
   * when the two share a listener).
   */
  public Optional<HostPort> pageAddress() {
    return pageServer.map(ReportPageServer::address)
        .or(() -> metricsServer.filter(MetricsServer::servesPage).map(MetricsServer::address));
  }

  /**
   * What /healthz reports: empty while the milter listens with its configuration and keys loaded; otherwise one
   * line per problem (stopping, a refused key file, a signing domain without a usable key: mail goes out unsigned).
   */
  public List<String> healthProblems() {
    if (closed) {
      return List.of("stopping: the milter no longer accepts connections");
    }
    PipelineSnapshot snapshot = pipeline.snapshot();
    List<String> problems = new ArrayList<>();
    snapshot.keys().problems().forEach(p -> problems.add("keys: " + p));
    for (SigningKeys.Withheld w : snapshot.signing().withheld()) {
      if (w.preferred() || w.reason() == SigningKeys.Reason.NOT_CHECKED
          || w.reason() == SigningKeys.Reason.DIFFERENT_KEY) {
        problems.add("keys: " + w.file() + " (s=" + w.key().selector() + ") does not sign, " + w.reason().label() + ": "
            + w.detail());
      }
    }
    for (String domain : snapshot.config().signing().domains()) {
      if (snapshot.signingKeys(domain).isEmpty()) {
        problems.add("keys: no usable key for " + domain + " in signing.domains: its mail goes out unsigned");
      }
    }
    return problems;
  }

  synchronized DnsSource dns() {
    return dns;
  }

  /** What the results store and the reports did since start; empty when a test gave its own store. */
  public Optional<ReportingCounters> reportCounters() {
    return reports.map(ReportService::counters);
  }

  /** The results store and reports thread, when this server runs them. */
  Optional<ReportService> reports() {
    return reports;
  }

  /** The keys messages beginning now sign with. */
  public KeyDirectory keys() {
    return pipeline.snapshot().keys();
  }

  /**
   * SIGHUP: re-read the configuration (when a source was given) and rescan the keys. Returns false when
   * the new configuration was invalid and the old one was kept (its keys are rescanned all the same).
   */
  public synchronized boolean reload() {
    boolean accepted = true;
    PostsealConfig next = config;
    if (configSource.isPresent()) {
      ConfigResult result = configSource.get().get();
      if (result instanceof ConfigResult.Invalid invalid) {
        LOG.error("reload: {} is invalid, keeping the running configuration:", invalid.source());
        for (ConfigError error : invalid.errors()) {
          LOG.error("reload: {}", error);
        }
        accepted = false;
      } else {
        next = ((ConfigResult.Valid) result).config();
        List<String> changes = next.changesSince(config);
        List<String> refusals = refusals(config, next);
        if (!refusals.isEmpty()) {
          LOG.warn("reload: refused, the running configuration stays: {}; if that is what you want, restart postseal"
              + " (systemctl restart postseal) to apply it. The reload would have changed: {}",
              String.join("; ", refusals), String.join("; ", changes));
          accepted = false;
          next = config;
        } else if (changes.isEmpty()) {
          LOG.info("reload: {}: no setting changed", result.source());
        } else {
          LOG.info("reload: {}: {} setting{} changed: {}", result.source(), changes.size(),
              changes.size() == 1 ? "" : "s", String.join("; ", changes));
        }
      }
      if (accepted) {
        if (!next.listen().equals(config.listen())) {
          LOG.warn("reload: listen changed from {} to {}; restart postseal to listen there", config.listen(), next.listen());
        }
        if (!next.metrics().equals(config.metrics())) {
          LOG.warn("reload: [metrics] listen changed; restart postseal to serve metrics there");
        }
        if (!next.web().equals(config.web())) {
          LOG.warn("reload: [web] listen changed; restart postseal to serve the report page there");
        }
        if (!next.database().equals(config.database())) {
          LOG.warn("reload: [database] url changed; restart postseal to use the new database");
        }
        for (String line : next.describe()) {
          LOG.info("config from {}: {}", result.source(), line);
        }
      }
    }
    DnsConfig oldDns = config.dns();
    if (!next.dns().equals(oldDns)) {
      dns = DnsResolver.create(next.dns().servers(), next.dns().timeout(), clock).observedBy(metrics);
    }
    // SIGHUP runs domains-query at once: "I added a domain, sign it now"
    domainsQuery.refresh(next);
    PostsealConfig effective = effective(next);
    SigningKeys keys = loadKeys(effective, scanKeys(effective), clock, Optional.of(pipeline.snapshot().signing()));
    pipeline.replace(PipelineSnapshot.create(effective, keys, dns, clock));
    milter.replaceLimits(next.milter());
    config = next;
    LOG.info("reload: {}; signing with: {}; {}", accepted ? "configuration and keys reloaded" : "keys reloaded",
        describeSigning(next, keys), keys.directory());
    return accepted;
  }

  /**
   * Rescans the keys when their files changed since the running snapshot was taken, and swaps the snapshot:
   * messages beginning from now on sign with the new keys, messages under way keep theirs. Returns whether the
   * keys changed. Called by {@link KeyMaintenance}; cheap when nothing changed.
   */
  public synchronized boolean refreshKeys() {
    SigningKeys current = pipeline.snapshot().signing();
    if (!current.directory().isOutdated()) {
      if (current.withheld().stream().anyMatch(w -> w.reason() == SigningKeys.Reason.NOT_CHECKED)) {
        // a key DNS has not answered for yet (DNS down at start): ask again at every scan, not once a minute
        pipeline.replace(PipelineSnapshot.create(effective(config), loadKeys(effective(config), current.directory(),
            clock, Optional.of(current)), dns, clock));
      }
      return false;
    }
    PostsealConfig effective = effective(config);
    SigningKeys keys = loadKeys(effective, scanKeys(effective), clock, Optional.of(current));
    pipeline.replace(PipelineSnapshot.create(effective, keys, dns, clock));
    LOG.info("keys changed on disk, now signing with: {}; {}", describeSigning(effective, keys), keys.directory());
    return true;
  }

  /**
   * Looks up every candidate key in DNS again (each minute, from {@link KeyMaintenance}) and swaps the snapshot: a
   * key whose record was removed or changed stops signing, one whose record appeared starts.
   */
  public synchronized void recheckKeys() {
    SigningKeys current = pipeline.snapshot().signing();
    if (current.directory().isOutdated()) {
      // the files changed too: rescan, check and say what signs now, as the scan task would
      refreshKeys();
      return;
    }
    pipeline.replace(PipelineSnapshot.create(effective(config), loadKeys(effective(config), current.directory(), clock,
        Optional.of(current)), dns, clock));
  }

  /** The keys that sign now, and what DNS served at the last check. */
  public SigningKeys signingKeys() {
    return pipeline.snapshot().signing();
  }

  /**
   * What a reload must not do on its own, because it is far more often an accident (a file emptied or cut short, a
   * wrong file) than a wish, and mail would go out unsigned or keys be looked for elsewhere: drop every signing
   * domain, or move state-dir (keys and the results database). A restart applies such a file.
   */
  static List<String> refusals(PostsealConfig running, PostsealConfig next) {
    List<String> refusals = new ArrayList<>();
    boolean signedBefore = !running.signing().domains().isEmpty() || !running.signing().domainsQuery().isEmpty();
    boolean signsAfter = !next.signing().domains().isEmpty() || !next.signing().domainsQuery().isEmpty();
    if (signedBefore && !signsAfter) {
      refusals.add("it drops every signing domain (signing.domains " + running.signing().domains() + " -> []), so all"
          + " outbound mail would go out unsigned");
    }
    if (!next.stateDir().equals(running.stateDir())) {
      refusals.add("it changes state-dir from " + running.stateDir() + " to " + next.stateDir() + " (the keys and the"
          + " results database live there)");
    }
    return refusals;
  }

  /** Stops accepting, lets messages in flight finish (bounded by the drain time), closes everything. */
  @Override
  public void close() {
    closed = true;
    keyMaintenance.close();
    domainsThread.shutdownNow();
    milter.close();
    metricsServer.ifPresent(MetricsServer::close);
    pageServer.ifPresent(ReportPageServer::close);
    // after the milter drained: the last messages are recorded before the store's writer stops
    reports.ifPresent(ReportService::close);
  }

  /** "example.com s202611 (rsa-sha256), ...": every key that signs. */
  private static String describeSigning(PostsealConfig config, SigningKeys keys) {
    List<String> signing = new ArrayList<>();
    for (String domain : keys.directory().domains()) {
      keys.forDomain(domain, config.signing().algorithms()).forEach(k -> signing.add(domain + " " + k.selector() + " ("
          + k.algorithm().tagValue() + ")"));
    }
    return signing.isEmpty() ? "no keys" : String.join(", ", signing);
  }

  /** Scans the key files and says, once, which were refused and why. */
  private static KeyDirectory scanKeys(PostsealConfig config) {
    KeyDirectory keys = KeyDirectory.scan(config.keysDir());
    // a refused key (group/world permissions, wrong owner) means mail goes out unsigned: the operator must act
    for (String problem : keys.problems()) {
      LOG.error("keys: {}", problem);
    }
    return keys;
  }

  /**
   * Checks in DNS which keys of {@code directory} may sign ({@link SigningKeyCheck}, through a resolver of its own
   * without cache, so a record just published counts), and says which signing domain has no key that signs.
   */
  private static SigningKeys loadKeys(PostsealConfig config, KeyDirectory directory, Clock clock,
                                      Optional<SigningKeys> previous) {
    DnsResolver resolver = DnsResolver.create(config.dns().servers(), config.dns().timeout(), clock);
    SigningKeys keys = new SigningKeyCheck(resolver, config.dns().timeout().multipliedBy(2), clock)
        .check(directory, previous.orElse(SigningKeys.unchecked(directory)));
    for (String domain : config.signing().domains()) {
      if (keys.forDomain(domain, config.signing().algorithms()).isEmpty()) {
        List<String> why = keys.whyWithheld(domain);
        boolean unchanged = previous.map(p -> p.forDomain(domain, config.signing().algorithms()).isEmpty()
            && p.whyWithheld(domain).equals(why) && p.directory().candidates(domain).size()
            == directory.candidates(domain).size()).orElse(false);
        if (!unchanged) {
          LOG.warn("keys: signing.domains{} lists {} but no key of it signs for {}: its mail goes out unsigned until one"
              + " does ({}; postseal keygen {} makes one)",
              config.signing().hasDomainsQuery() ? " (with domains-query)" : "", domain,
              config.signing().algorithms().stream().map(a -> a.tagValue()).toList(),
              why.isEmpty() ? "no usable key file in " + config.keysDir().resolve(domain)
                  + " (PKCS#8 PEM, mode 0600, owned by this user)" : String.join("; ", why), domain);
        }
      }
    }
    return keys;
  }
}
