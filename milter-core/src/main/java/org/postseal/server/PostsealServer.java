package org.postseal.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.postseal.config.ConfigError;
import org.postseal.config.ConfigResult;
import org.postseal.config.DnsConfig;
import org.postseal.config.ListenAddress;
import org.postseal.config.PostsealConfig;
import org.postseal.dmarc.DmarcResultStore;
import org.postseal.dmarc.InMemoryDmarcResultStore;
import org.postseal.dns.DnsResolver;
import org.postseal.keys.KeyDirectory;
import org.postseal.milter.MilterServer;
import org.postseal.pipeline.AuthenticationPipeline;
import org.postseal.pipeline.MessagePipeline;
import org.postseal.pipeline.PipelineSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Postseal running: DNS resolver, key directory, DKIM pipeline and milter server built from one
 * configuration. {@code postseal serve} starts it through {@link #builder}, and so do the end-to-end tests
 * (with port 0, a temporary state-dir and a fake DNS server).
 *
 * <p>{@link #reload()} (SIGHUP) re-reads the configuration when a source was given and always rescans the
 * keys; an invalid new configuration is logged and the old one stays. Messages under way finish with
 * the snapshot they began with. Thread-safe.
 */
public final class PostsealServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PostsealServer.class);

  private final Clock clock;
  private final Optional<Supplier<ConfigResult>> configSource;
  private final AuthenticationPipeline pipeline;
  private final MilterServer milter;
  private PostsealConfig config;
  private DnsResolver dns;

  private PostsealServer(Builder builder, PostsealConfig config, DnsResolver dns, AuthenticationPipeline pipeline,
                         MilterServer milter) {
    this.clock = builder.clock;
    this.configSource = Optional.ofNullable(builder.configSource);
    this.config = config;
    this.dns = dns;
    this.pipeline = pipeline;
    this.milter = milter;
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
    private DmarcResultStore resultStore = new InMemoryDmarcResultStore();

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

    /**
     * Where every evaluated inbound message is recorded for DMARC reports (default: the newest
     * {@value InMemoryDmarcResultStore#DEFAULT_CAPACITY} in memory). It must never block; it outlives reloads.
     */
    public Builder resultStore(DmarcResultStore store) {
      this.resultStore = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * Builds everything and binds the listener.
     *
     * @throws IOException naming the address and the cause when it cannot listen (in use, not local,
     *                     a unix: address, which this release does not support yet)
     */
    public PostsealServer start() throws IOException {
      if (!(config.listen() instanceof ListenAddress.Inet inet)) {
        throw new IOException("cannot listen on " + config.listen() + ": unix sockets arrive with a later release;"
            + " use listen = \"inet:HOST:PORT\" (e.g. \"" + PostsealConfig.DEFAULT_LISTEN + "\")");
      }
      for (String line : config.describe()) {
        LOG.info("config from {}: {}", sourceName, line);
      }
      DnsResolver dns = DnsResolver.create(config.dns().servers(), config.dns().timeout(), clock);
      KeyDirectory keys = scanKeys(config);
      AuthenticationPipeline pipeline = new AuthenticationPipeline(PipelineSnapshot.create(config, keys, dns, clock), clock,
          resultStore);
      MilterServer milter = MilterServer.start(inet, pipelineDecorator.apply(pipeline), drainTime);
      return new PostsealServer(this, config, dns, pipeline, milter);
    }
  }

  /** The address bound (the real port when the configuration said 0). */
  public InetSocketAddress boundAddress() {
    return milter.boundAddress();
  }

  /** The bound address in listen notation: what {@code serve} prints. */
  public ListenAddress.Inet listenAddress() {
    return milter.listenAddress();
  }

  public synchronized PostsealConfig config() {
    return config;
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
        if (!next.listen().equals(config.listen())) {
          LOG.warn("reload: listen changed from {} to {}; restart postseal to listen there", config.listen(), next.listen());
        }
        for (String line : next.describe()) {
          LOG.info("config from {}: {}", result.source(), line);
        }
      }
    }
    DnsConfig oldDns = config.dns();
    if (!next.dns().equals(oldDns)) {
      dns = DnsResolver.create(next.dns().servers(), next.dns().timeout(), clock);
    }
    KeyDirectory keys = scanKeys(next);
    pipeline.replace(PipelineSnapshot.create(next, keys, dns, clock));
    config = next;
    LOG.info("reload: {}; {}", accepted ? "configuration and keys reloaded" : "keys reloaded", keys);
    return accepted;
  }

  /** Stops accepting, lets messages in flight finish (bounded by the drain time), closes everything. */
  @Override
  public void close() {
    milter.close();
  }

  /** Scans the keys and says, once, what will not be signed and why. */
  private static KeyDirectory scanKeys(PostsealConfig config) {
    KeyDirectory keys = KeyDirectory.scan(config.keysDir());
    for (String problem : keys.problems()) {
      LOG.warn("keys: {}", problem);
    }
    for (String domain : config.signing().domains()) {
      boolean usable = keys.activeKeys(domain).stream().anyMatch(k -> config.signing().algorithms().contains(k.algorithm()));
      if (!usable) {
        LOG.warn("keys: signing.domains lists {} but {} has no usable key for {}: its mail goes out unsigned until one is"
            + " there (PKCS#8 PEM, mode 0600, owned by this user)", domain, config.keysDir().resolve(domain),
            config.signing().algorithms());
      }
    }
    return keys;
  }
}
