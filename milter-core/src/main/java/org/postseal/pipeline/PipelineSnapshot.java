package org.postseal.pipeline;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.postseal.config.PostsealConfig;
import org.postseal.dkim.DkimAlgorithm;
import org.postseal.dkim.DkimSigner;
import org.postseal.dkim.DkimVerifier;
import org.postseal.dkim.SigningKey;
import org.postseal.dns.DnsSource;
import org.postseal.keys.KeyDirectory;

/**
 * Everything a message needs from configuration and keys, fixed when the message begins: a SIGHUP
 * swaps the pipeline's snapshot, and messages already under way finish with the one they started with.
 * Immutable and shared by all sessions (signer and verifier are thread-safe factories).
 */
public final class PipelineSnapshot {

  /** Longest a message waits for its key lookups, whatever dns.timeout says: far below Postfix's 300 s milter_content_timeout. */
  public static final Duration MAX_LOOKUP_WAIT = Duration.ofSeconds(30);
  /** The wait is this many DNS timeouts: room for the resolver's own retries, and a margin. */
  public static final int LOOKUP_WAIT_DNS_TIMEOUTS = 2;

  private final PostsealConfig config;
  private final KeyDirectory keys;
  private final DkimSigner signer;
  private final DkimVerifier verifier;

  public PipelineSnapshot(PostsealConfig config, KeyDirectory keys, DkimSigner signer, DkimVerifier verifier) {
    this.config = Objects.requireNonNull(config, "config");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.signer = Objects.requireNonNull(signer, "signer");
    this.verifier = Objects.requireNonNull(verifier, "verifier");
  }

  /** The snapshot for {@code config}: keys as scanned, DNS from {@code dns}, policy from [verify]. */
  public static PipelineSnapshot create(PostsealConfig config, KeyDirectory keys, DnsSource dns, Clock clock) {
    return new PipelineSnapshot(config, keys, new DkimSigner(clock), new DkimVerifier(dns, config.verify().policy(), clock));
  }

  public PostsealConfig config() {
    return config;
  }

  public KeyDirectory keys() {
    return keys;
  }

  DkimSigner signer() {
    return signer;
  }

  DkimVerifier verifier() {
    return verifier;
  }

  /** How long after end of headers a message may wait for its key lookups. */
  public Duration lookupWait() {
    Duration wait = config.dns().timeout().multipliedBy(LOOKUP_WAIT_DNS_TIMEOUTS);
    return wait.compareTo(MAX_LOOKUP_WAIT) > 0 ? MAX_LOOKUP_WAIT : wait;
  }

  /** The keys that sign mail From {@code domain}: one per configured algorithm that has a key, in signing.algorithms order. */
  public List<SigningKey> signingKeys(String domain) {
    List<SigningKey> available = keys.activeKeys(domain);
    List<SigningKey> chosen = new ArrayList<>();
    for (DkimAlgorithm algorithm : config.signing().algorithms()) {
      available.stream().filter(k -> k.algorithm() == algorithm).findFirst().ifPresent(chosen::add);
    }
    return chosen;
  }
}
