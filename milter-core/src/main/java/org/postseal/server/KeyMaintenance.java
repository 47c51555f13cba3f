package org.postseal.server;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.postseal.config.PostsealConfig;
import org.postseal.dns.DnsResolver;
import org.postseal.keys.ActivationResult;
import org.postseal.keys.AutoActivation;
import org.postseal.keys.SigningKeyStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code serve} does with keys while it runs, on one daemon thread of its own ("postseal-keys"), never on a
 * Netty event loop: every {@link #DEFAULT_SCAN_INTERVAL} it asks whether the key files changed
 * ({@link org.postseal.keys.KeyDirectory#isOutdated()}, attributes only) and if so has the server rescan them and
 * swap the pipeline's snapshot; every {@link #DEFAULT_ACTIVATION_INTERVAL} it looks up every key that may sign in
 * DNS again (a key signs only while DNS serves its public key, {@link org.postseal.keys.SigningKeys}) and, with
 * {@code [keys] auto-activate = true}, first activates the pending keys DNS now serves
 * ({@link AutoActivation#activatePublished()}), which retires their predecessors, and logs what it did. So keygen, {@code keys activate} and an operator's {@code chmod} take
 * effect without a restart, and messages under way keep the keys they began with.
 *
 * <p>The activation asks DNS through a resolver made for that run, with no cache: a negative answer cached
 * before the record was published would otherwise delay the activation by the zone's negative TTL.
 */
final class KeyMaintenance implements AutoCloseable {

  /** How often the key files' attributes are compared: cheap (no key is read unless something changed). */
  static final Duration DEFAULT_SCAN_INTERVAL = Duration.ofSeconds(5);
  /** How often pending keys are looked up in DNS: a newly published record is used within a minute. */
  static final Duration DEFAULT_ACTIVATION_INTERVAL = Duration.ofSeconds(60);

  private static final Logger LOG = LoggerFactory.getLogger(KeyMaintenance.class);

  private final Supplier<PostsealConfig> config;
  private final Runnable refresh;
  private final Runnable recheck;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;

  /**
   * Starts both periodic tasks.
   *
   * @param config  the running configuration, read at each run (a SIGHUP may change [keys] and [dns])
   * @param refresh rescans the keys and swaps the snapshot when they changed on disk
   * @param recheck looks up every key that may sign in DNS again and swaps the snapshot (a key signs only while
   *                DNS serves it)
   */
  KeyMaintenance(Supplier<PostsealConfig> config, Runnable refresh, Runnable recheck, Clock clock,
                 Duration scanInterval, Duration activationInterval) {
    this.config = Objects.requireNonNull(config, "config");
    this.refresh = Objects.requireNonNull(refresh, "refresh");
    this.recheck = Objects.requireNonNull(recheck, "recheck");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread t = new Thread(task, "postseal-keys");
      t.setDaemon(true);
      return t;
    });
    scheduler.scheduleWithFixedDelay(() -> guarded("rescanning the keys", refresh), scanInterval.toMillis(),
        scanInterval.toMillis(), TimeUnit.MILLISECONDS);
    scheduler.scheduleWithFixedDelay(() -> {
      guarded("activating published keys", this::activatePublished);
      guarded("checking that DNS serves the signing keys", recheck);
    }, activationInterval.toMillis(), activationInterval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One auto-activation run: activates what DNS serves, logs it, and swaps in the new keys at once. */
  void activatePublished() {
    PostsealConfig current = config.get();
    if (!current.keys().autoActivate()) {
      return;
    }
    DnsResolver dns = DnsResolver.create(current.dns().servers(), current.dns().timeout(), clock);
    SigningKeyStore store = new SigningKeyStore(current.keysDir(), clock, current.keys().retireAfter());
    List<ActivationResult.Activation> results = new AutoActivation(store, dns).activatePublished();
    boolean changed = false;
    for (ActivationResult.Activation a : results) {
      switch (a.outcome()) {
        case ACTIVATED, FORCED -> {
          changed = true;
          LOG.info("auto-activate: {} key {} of {} is active, DNS serves it{}", a.key().algorithmLabel(),
              a.key().selector(), a.domain(), a.retired().map(r -> "; retired " + r.selector() + ", which stays"
                  + " published for retire-after").orElse(""));
        }
        case NOT_PUBLISHED -> LOG.debug("auto-activate: pending key {} of {} waits for DNS: {}", a.key().selector(),
            a.domain(), a.dns().map(s -> s.detail()).orElse("not checked"));
        case UNUSABLE -> LOG.warn("auto-activate: pending key {} of {} cannot be activated: {}", a.key().selector(),
            a.domain(), a.detail());
        case CHANGED -> LOG.debug("auto-activate: key {} of {} changed meanwhile: {}", a.key().selector(), a.domain(),
            a.detail());
        default -> throw new IllegalStateException(a.outcome().toString());
      }
    }
    if (changed) {
      refresh.run();
    }
  }

  /** A task that throws would never run again: log and carry on. */
  private static void guarded(String what, Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      LOG.error("keys: {} failed; trying again at the next run", what, e);
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
