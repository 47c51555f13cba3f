package org.postseal.keys;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.postseal.dkim.DkimCause;
import org.postseal.dkim.KeyRecord;
import org.postseal.dkim.KeyRecordParser;
import org.postseal.dns.DnsAnswer;
import org.postseal.dns.DnsSource;
import org.postseal.dns.RecordType;
import org.postseal.dns.ResolverProbe;
import org.postseal.mail.DomainName;

/**
 * Does DNS serve our key? Looks up SELECTOR._domainkey.DOMAIN TXT through a {@link DnsSource} and compares
 * the served key with ours. Used before activating a key (never sign with a key verifiers cannot find), by
 * {@code keys check}, {@code keys list} and the periodic auto-activation in {@code serve}.
 *
 * <p>{@link #check} never blocks and never completes exceptionally, like the {@link DnsSource} it reads;
 * {@link #checkAll} waits for its answers. An answer is only as fresh as the source's cache: after a record is
 * published, a cached negative answer hides it for up to the zone's negative TTL.
 *
 * <p>Several TXT records at the name count as MATCH only when all of them are our key: RFC 6376 section 3.6.2.2
 * lets a verifier pick any one, so a stale record beside ours makes some verifications fail.
 */
final class KeyPublicationCheck {

  /** Longest wait for one DNS answer in {@link #checkAll}, in case a {@link DnsSource} does not bound its lookups. */
  static final Duration DEFAULT_LOOKUP_TIMEOUT = Duration.ofSeconds(30);

  private final DnsSource dns;
  private final Duration lookupTimeout;

  KeyPublicationCheck(DnsSource dns) {
    this(dns, DEFAULT_LOOKUP_TIMEOUT);
  }

  KeyPublicationCheck(DnsSource dns, Duration lookupTimeout) {
    this.dns = Objects.requireNonNull(dns, "dns");
    this.lookupTimeout = Objects.requireNonNull(lookupTimeout, "lookupTimeout");
  }

  /** Empty when the resolver answers at all; else what its silence looked like ({@link ResolverProbe}). Blocks. */
  Optional<String> resolverSilence() {
    return ResolverProbe.silence(dns, lookupTimeout);
  }

  /** Compares what DNS serves for {@code selector} of {@code domain} with {@code expected}. */
  public CompletableFuture<PublicationStatus> check(String domain, String selector, DkimPublicKey expected) {
    Objects.requireNonNull(expected, "expected");
    String name = recordName(selector, domain);
    return dns.lookup(name, RecordType.TXT)
        .handle((answer, error) -> error != null
            ? new PublicationStatus(PublicationStatus.Kind.DNS_ERROR, name, "DNS lookup of " + name + " failed: "
                + error, List.of())
            : classify(name, answer, expected));
  }

  /** The verdict for one DNS answer; the single place where DNS outcomes become publication verdicts. */
  static PublicationStatus classify(String name, DnsAnswer answer, DkimPublicKey expected) {
    if (answer instanceof DnsAnswer.NotFound notFound) {
      return new PublicationStatus(PublicationStatus.Kind.MISSING, name, "DNS has no TXT record at " + name
          + (notFound.nxdomain() ? " (the name does not exist)" : " (the name exists, without TXT record)"), List.of());
    }
    if (answer instanceof DnsAnswer.Failed failed) {
      return new PublicationStatus(PublicationStatus.Kind.DNS_ERROR, name, "DNS lookup of " + name + " failed: "
          + failed.reason(), List.of());
    }
    List<String> records = ((DnsAnswer.Found) answer).records();
    List<PublicationStatus> each = new ArrayList<>();
    for (String record : records) {
      each.add(classifyRecord(name, record, expected, records));
    }
    if (each.size() == 1) {
      return each.get(0);
    }
    boolean allMatch = each.stream().allMatch(PublicationStatus::isMatch);
    if (allMatch) {
      return new PublicationStatus(PublicationStatus.Kind.MATCH, name, "DNS serves our " + expected.keyType()
          + " key at " + name + " (" + records.size() + " identical records)", records);
    }
    boolean anyMatch = each.stream().anyMatch(PublicationStatus::isMatch);
    if (anyMatch) {
      return new PublicationStatus(PublicationStatus.Kind.DIFFERENT_KEY, name, "DNS serves " + records.size()
          + " TXT records at " + name + ", ours and others; verifiers pick any one, so remove all but ours", records);
    }
    PublicationStatus firstVerdict = each.get(0);
    return new PublicationStatus(firstVerdict.kind(), name, firstVerdict.detail() + " (and " + (records.size() - 1)
        + " more TXT records at the name; publish only one)", records);
  }

  private static PublicationStatus classifyRecord(String name, String record, DkimPublicKey expected,
                                                  List<String> served) {
    KeyRecordParser.Parse parse = KeyRecordParser.parse(record);
    if (parse instanceof KeyRecordParser.SyntaxError error) {
      return malformed(name, error.cause().text() + ": " + error.detail(), served);
    }
    KeyRecord parsed = ((KeyRecordParser.Parsed) parse).record();
    if (parsed.isRevoked()) {
      return new PublicationStatus(PublicationStatus.Kind.REVOKED, name, "DNS serves a revoked record (empty p=, k="
          + parsed.keyType() + ") at " + name, served);
    }
    if (parsed.keyProblem() != null) {
      return malformed(name, DkimCause.KEY_MALFORMED.text() + ": " + parsed.keyProblem(), served);
    }
    DkimPublicKey servedKey = DkimPublicKey.of(parsed.publicKey().orElseThrow());
    if (servedKey.equals(expected)) {
      return new PublicationStatus(PublicationStatus.Kind.MATCH, name, "DNS serves our " + expected.keyType()
          + " key at " + name, served);
    }
    String what = servedKey.algorithm() != expected.algorithm()
        ? "a " + servedKey.keyType() + " key where ours is " + expected.keyType()
        : "another " + servedKey.keyType() + "-" + servedKey.bits() + " key (ours is " + expected.keyType() + "-"
            + expected.bits() + ", " + fingerprint(expected) + "; served " + fingerprint(servedKey) + ")";
    return new PublicationStatus(PublicationStatus.Kind.DIFFERENT_KEY, name, "DNS serves " + what + " at " + name,
        served);
  }

  private static PublicationStatus malformed(String name, String reason, List<String> served) {
    return new PublicationStatus(PublicationStatus.Kind.MALFORMED, name, "the TXT record at " + name
        + " is not a usable DKIM key: " + reason, served);
  }

  /** The name with the domain as DomainName writes it; text that is no domain is looked up as given, and not found. */
  private static String recordName(String selector, String domain) {
    return SigningNames.recordName(selector, DomainName.parse(domain, DomainName.Syntax.WITH_UNDERSCORE).toOptional()
        .map(DomainName::value).orElse(domain));
  }

  /** The last characters of the p= value: enough to tell two keys apart when comparing with the zone file. */
  private static String fingerprint(DkimPublicKey key) {
    String b64 = key.base64();
    return "p=..." + b64.substring(Math.max(0, b64.length() - 16));
  }

  /**
   * {@link #check} for several keys of {@code domain} at once: the lookups run in parallel, then each answer is
   * awaited at most the lookup timeout; one that does not come is a {@link PublicationStatus.Kind#DNS_ERROR}.
   * Blocks: not for an event loop.
   *
   * @param keys by selector
   * @return by selector, in the order of {@code keys}
   */
  Map<String, PublicationStatus> checkAll(String domain, Map<String, DkimPublicKey> keys) {
    Map<String, CompletableFuture<PublicationStatus>> lookups = new LinkedHashMap<>();
    keys.forEach((selector, key) -> lookups.put(selector, check(domain, selector, key)));
    Map<String, PublicationStatus> answers = new LinkedHashMap<>();
    lookups.forEach((selector, lookup) -> answers.put(selector,
        await(lookup, recordName(selector, domain))));
    return answers;
  }

  private PublicationStatus await(CompletableFuture<PublicationStatus> future, String name) {
    return awaitStatus(future, name, lookupTimeout.toNanos(), lookupTimeout);
  }

  /**
   * The status {@code lookup} completes with within {@code waitNanos}, or a DNS_ERROR saying why not (interrupted,
   * failed, no answer within {@code budget}); a lookup not answered in time is cancelled. Shared with
   * {@link SigningKeyCheck}: one place turns a lookup that did not answer into a status.
   */
  static PublicationStatus awaitStatus(CompletableFuture<PublicationStatus> lookup, String name, long waitNanos,
                                       Duration budget) {
    try {
      return lookup.get(Math.max(0, waitNanos), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new PublicationStatus(PublicationStatus.Kind.DNS_ERROR, name, "interrupted while looking up " + name,
          List.of());
    } catch (ExecutionException e) {
      return new PublicationStatus(PublicationStatus.Kind.DNS_ERROR, name, "DNS lookup of " + name + " failed: "
          + e.getCause(), List.of());
    } catch (TimeoutException e) {
      lookup.cancel(true);
      return new PublicationStatus(PublicationStatus.Kind.DNS_ERROR, name, "no DNS answer for " + name + " within "
          + budget.toMillis() + " ms", List.of());
    }
  }

}
