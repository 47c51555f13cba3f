package org.postseal.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.UnaryOperator;
import org.postseal.config.ConfigLoader;
import org.postseal.config.ConfigResult;
import org.postseal.config.DurationText;
import org.postseal.config.PostsealConfig;
import org.postseal.dkim.DkimResult;
import org.postseal.dkim.DkimVerifier;
import org.postseal.dkim.VerificationSession;
import org.postseal.dmarc.InMemoryDmarcResultStore;
import org.postseal.dns.DnsResolver;
import org.postseal.dns.FakeDnsServer;
import org.postseal.mail.RawMessage;
import org.postseal.milter.FakeMta;
import org.postseal.milter.client.Envelope;
import org.postseal.milter.client.MilterClient;
import org.postseal.pipeline.MessagePipeline;

/**
 * A real Postseal started the way {@code serve} starts it (configuration text through the loader, then
 * {@link PostsealServer#builder}), on 127.0.0.1 port 0, with its state in a temporary directory and its
 * DNS pointed at a {@link FakeDnsServer}. The scenario: script the DNS, run the message, check the changes.
 */
public final class RunningPostseal implements AutoCloseable {

  public static final String AUTHSERV_ID = "mx.postseal.test";
  /** Every clock of a scenario: signatures get t= of this instant and verify against it. */
  public static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");
  public static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  /** Internal clients (signing.internal-networks includes 10.0.0.0/8) and an outside one. */
  public static final String INTERNAL_IP = "10.1.2.3";
  public static final String OUTSIDE_IP = "203.0.113.5";

  public final Path stateDir;
  public final FakeDnsServer dns;
  public final PostsealServer server;
  public final PostsealConfig config;
  /** Every inbound message the server evaluated, as the reports will read them. */
  public final InMemoryDmarcResultStore results;

  private RunningPostseal(Path stateDir, FakeDnsServer dns, PostsealServer server, PostsealConfig config,
                          InMemoryDmarcResultStore results) {
    this.stateDir = stateDir;
    this.dns = dns;
    this.server = server;
    this.config = config;
    this.results = results;
  }

  /**
   * Starts Postseal with {@code signing} and {@code extra} TOML lines added to a base configuration.
   *
   * @param signing lines of the [signing] section (domains, algorithms)
   * @param extra   further sections, appended as written
   */
  public static RunningPostseal start(Path stateDir, FakeDnsServer dns, String signing, String extra,
                               UnaryOperator<MessagePipeline> decorator) {
    return start(stateDir, dns, signing, extra, decorator, CLOCK);
  }

  /** As above with another clock: the interop tests use the real one, since peers check t= against theirs. */
  public static RunningPostseal start(Path stateDir, FakeDnsServer dns, String signing, String extra,
                               UnaryOperator<MessagePipeline> decorator, Clock clock) {
    return start(stateDir, dns, signing, extra, decorator, clock, "500ms");
  }

  /** As above with another dns.timeout ("5s"): the deadline scenarios need the production default. */
  public static RunningPostseal start(Path stateDir, FakeDnsServer dns, String signing, String extra,
                               UnaryOperator<MessagePipeline> decorator, Clock clock, String dnsTimeout) {
    String toml = "listen = \"inet:127.0.0.1:0\"\n"
        + "authserv-id = \"" + AUTHSERV_ID + "\"\n"
        + "state-dir = \"" + stateDir + "\"\n"
        + "[dns]\nservers = [\"" + dns.address() + "\"]\ntimeout = \"" + dnsTimeout + "\"\n"
        // two lookups in a row, as the default (10 s for the default 5 s timeout) allows
        + "message-deadline = \"" + DurationText.format(DurationText.parse(dnsTimeout).multipliedBy(2))
        + "\"\n"
        + "[signing]\ninternal-networks = [\"127.0.0.0/8\", \"::1/128\", \"10.0.0.0/8\"]\n" + signing + "\n"
        + extra;
    ConfigResult result = new ConfigLoader(Path.of("/nonexistent"), () -> "unused").parse(toml, "test.toml");
    if (!(result instanceof ConfigResult.Valid valid)) {
      throw new IllegalArgumentException("test configuration is invalid: " + result);
    }
    try {
      InMemoryDmarcResultStore results = new InMemoryDmarcResultStore();
      PostsealServer server = PostsealServer.builder(valid.config()).sourceName("test.toml").clock(clock)
          .drainTime(java.time.Duration.ofSeconds(2)).pipelineDecorator(decorator).resultStore(results).start();
      return new RunningPostseal(stateDir, dns, server, valid.config(), results);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public InetSocketAddress address() {
    return server.boundAddress();
  }

  public FakeMta mta() throws IOException {
    return FakeMta.connect(address());
  }

  public FakeMta mta(MilterClient.Options options) throws IOException {
    return FakeMta.connect(address(), options);
  }

  /** One message on a new connection. */
  public FakeMta.MilterOutcome send(Envelope envelope, byte[] raw) throws IOException {
    try (FakeMta mta = mta()) {
      return mta.send(envelope, raw);
    }
  }

  /** Our own verifier, outside the milter, against the same fake DNS: what a receiver would conclude. */
  public List<DkimResult> verifyDirectly(byte[] delivered) {
    DkimVerifier verifier = new DkimVerifier(DnsResolver.create(List.of(dns.address()), java.time.Duration.ofSeconds(2), CLOCK),
        config.verify().policy(), CLOCK);
    RawMessage message = RawMessage.parse(delivered);
    VerificationSession session = verifier.start(message.headers());
    session.body(message.body());
    session.keysLookedUp().orTimeout(5, java.util.concurrent.TimeUnit.SECONDS).join();
    return session.finish();
  }

  @Override
  public void close() {
    server.close();
  }
}
