package org.postseal.pipeline;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.postseal.config.DmarcConfig;
import org.postseal.config.PostsealConfig;
import org.postseal.dkim.DkimSigner;
import org.postseal.dkim.DkimVerifier;
import org.postseal.dkim.SigningKey;
import org.postseal.dmarc.DmarcSettings;
import org.postseal.dmarc.DmarcVerifier;
import org.postseal.dmarc.TrustedForwarders;
import org.postseal.dns.DnsSource;
import org.postseal.keys.KeyDirectory;
import org.postseal.keys.SigningKeys;
import org.postseal.spf.SpfEvaluator;

/**
 * Everything a message needs from configuration and keys, fixed when the message begins: a SIGHUP
 * swaps the pipeline's snapshot, and messages already under way finish with the one they started with.
 * Immutable and shared by all sessions (signer, verifier and the SPF and DMARC evaluators are thread-safe).
 */
public final class PipelineSnapshot {

  private final PostsealConfig config;
  private final SigningKeys signing;
  private final DkimSigner signer;
  private final DkimVerifier verifier;
  private final SpfEvaluator spf;
  private final DmarcVerifier dmarc;

  private PipelineSnapshot(PostsealConfig config, SigningKeys signing, DnsSource dns, Clock clock) {
    this.config = Objects.requireNonNull(config, "config");
    this.signing = Objects.requireNonNull(signing, "signing");
    this.signer = new DkimSigner(clock);
    this.verifier = new DkimVerifier(dns, config.verify().policy(), clock);
    this.spf = new SpfEvaluator(dns, clock, config.authservId(), config.spf().limits());
    this.dmarc = new DmarcVerifier(dns, dmarcSettings(config), config.dmarc().maxTreeWalkQueries());
  }

  /**
   * The snapshot for {@code config}: keys as scanned and checked in DNS ({@link SigningKeys}), DNS from {@code dns},
   * policy from [verify], SPF and DMARC disposition from [dmarc] and signing.domains.
   *
   * @throws IllegalArgumentException when a dmarc.trusted-forwarders entry cannot be used (bad configuration)
   */
  public static PipelineSnapshot create(PostsealConfig config, SigningKeys signing, DnsSource dns, Clock clock) {
    return new PipelineSnapshot(config, signing, dns, clock);
  }

  /** A snapshot whose keys were not checked in DNS, so none signs: for inbound-only use ({@code postseal check}). */
  public static PipelineSnapshot create(PostsealConfig config, KeyDirectory keys, DnsSource dns, Clock clock) {
    return new PipelineSnapshot(config, SigningKeys.unchecked(keys), dns, clock);
  }

  /** The [dmarc] section and signing.domains as the disposition reads them. */
  static DmarcSettings dmarcSettings(PostsealConfig config) {
    DmarcConfig d = config.dmarc();
    DmarcSettings.QuarantineMode quarantine = switch (d.quarantine()) {
      case HEADER -> DmarcSettings.QuarantineMode.HEADER;
      case HOLD -> DmarcSettings.QuarantineMode.HOLD;
      case ACCEPT -> DmarcSettings.QuarantineMode.ACCEPT;
    };
    DmarcSettings.DnsErrorMode onDnsError = switch (d.onDnsError()) {
      case ACCEPT -> DmarcSettings.DnsErrorMode.ACCEPT;
      case TEMPFAIL -> DmarcSettings.DnsErrorMode.TEMPFAIL;
    };
    return new DmarcSettings(d.enforce(), quarantine, onDnsError, d.protectOwnDomains(),
        Set.copyOf(config.signing().domains()), TrustedForwarders.parse(d.trustedForwarders()), Set.copyOf(d.neverReject()));
  }

  public PostsealConfig config() {
    return config;
  }

  public KeyDirectory keys() {
    return signing.directory();
  }

  /** The keys and what DNS served for them at the last check. */
  public SigningKeys signing() {
    return signing;
  }

  DkimSigner signer() {
    return signer;
  }

  DkimVerifier verifier() {
    return verifier;
  }

  SpfEvaluator spf() {
    return spf;
  }

  DmarcVerifier dmarc() {
    return dmarc;
  }

  /**
   * How long after end of headers an inbound message's lookups (SPF, DKIM keys, DMARC) may take
   * ({@code dns.message-deadline}): the one number that bounds how long the MTA waits for our reply after it sent
   * the message. Outbound mail never waits.
   */
  public Duration messageDeadline() {
    return config.dns().messageDeadline();
  }

  /**
   * The keys that sign mail From {@code domain}: per algorithm of signing.algorithms, in that order, the first
   * candidate DNS served at the last check ({@link SigningKeys#forDomain}, the one rule).
   */
  public List<SigningKey> signingKeys(String domain) {
    return signing.forDomain(domain, config.signing().algorithms());
  }
}
