package org.postseal.spf;

import java.net.IDN;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.postseal.dns.Deadline;
import org.postseal.dns.DnsSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * check_host() of RFC 7208 for the MAIL FROM identity (the HELO identity when MAIL FROM is the null sender,
 * section 2.4), over the asynchronous {@link DnsSource}.
 *
 * <p>Threading: {@link #evaluate} never blocks. It returns a future that the DNS source's threads complete
 * (at once when every answer is cached); attach heavy work with {@code *Async}. The future never completes
 * exceptionally and always completes by the deadline it is given (the message's one deadline in the milter;
 * {@link #DEFAULT_MAX_DURATION} otherwise, section 4.6.4 asks for a limit of at least 20 seconds): past it, the
 * result is temperror. One evaluator serves any number of concurrent evaluations.
 *
 * <p>What this implementation chose where RFC 7208 leaves a choice: exp= is evaluated (section 6.2); an "mx"
 * whose target has more than 10 MX names is a permerror before any address lookup; the void-lookup limit is
 * 2 (section 4.6.4's recommendation) and counts each term's own lookup, not the lookups of MX or PTR names;
 * a target name that cannot be put in a DNS query (empty label, label over 63 octets) matches nothing;
 * the %{p} macro's lookups do not count as terms.
 */
public final class SpfEvaluator {

  /** RFC 7208 section 4.6.4: "Such a limit SHOULD allow at least 20 seconds." */
  public static final Duration DEFAULT_MAX_DURATION = Duration.ofSeconds(20);
  /** What %{r} expands to when the receiving host's name is not given. */
  public static final String UNKNOWN_RECEIVING_HOST = "unknown";

  private static final Logger LOG = LoggerFactory.getLogger(SpfEvaluator.class);

  private final DnsSource dns;
  private final Clock clock;
  private final String receivingHost;

  /**
   * @param receivingHost this host's name, for the %{r} macro of explanations (e.g. the authserv-id)
   */
  public SpfEvaluator(DnsSource dns, Clock clock, String receivingHost) {
    this.dns = Objects.requireNonNull(dns, "dns");
    this.clock = Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(receivingHost, "receivingHost");
    this.receivingHost = receivingHost.isBlank() ? UNKNOWN_RECEIVING_HOST : receivingHost.strip();
  }

  /** {@link #evaluate(InetAddress, String, String, Deadline)} within {@link #DEFAULT_MAX_DURATION} from now. */
  public CompletableFuture<SpfResult> evaluate(InetAddress clientIp, String mailFrom, String helo) {
    return evaluate(clientIp, mailFrom, helo, Deadline.after(DEFAULT_MAX_DURATION));
  }

  /**
   * Evaluates SPF for one SMTP transaction.
   *
   * @param clientIp the SMTP client's address; an IPv4-mapped IPv6 address counts as IPv4 (section 5)
   * @param mailFrom the MAIL FROM address without angle brackets (they are tolerated); empty or null for the
   *                 null sender "&lt;&gt;", which makes the HELO name the identity (section 2.4)
   * @param helo     the HELO/EHLO argument as the client sent it
   * @param deadline when the result must be there: still under way then, it is temperror
   */
  public CompletableFuture<SpfResult> evaluate(InetAddress clientIp, String mailFrom, String helo, Deadline deadline) {
    Objects.requireNonNull(clientIp, "clientIp");
    String from = mailFrom == null ? "" : mailFrom.strip();
    if (from.startsWith("<") && from.endsWith(">")) {
      from = from.substring(1, from.length() - 1).strip();
    }
    String heloName = helo == null ? "" : helo.strip();
    SpfIdentity identity;
    String localPart;
    String domainPart;
    if (from.isEmpty()) {
      identity = SpfIdentity.HELO;
      localPart = "";
      domainPart = heloName;
    } else {
      identity = SpfIdentity.MAILFROM;
      int at = from.lastIndexOf('@');
      localPart = at < 0 ? "" : from.substring(0, at);
      domainPart = at < 0 ? from : from.substring(at + 1);
    }
    if (localPart.isEmpty()) {
      // section 4.3: "If the <sender> has no local-part, substitute the string "postmaster""
      localPart = "postmaster";
    }
    String domain = normalizeDomain(domainPart);
    String sender = localPart + "@" + domain;
    Optional<String> problem = CheckHostRun.domainProblem(domain);
    if (problem.isPresent()) {
      // section 4.3: a malformed domain is "none", without any lookup
      return CompletableFuture.completedFuture(new SpfResult(SpfOutcome.NONE, SpfCause.MALFORMED_DOMAIN, identity,
          sender, domain, identityName(identity) + " \"" + domainPart + "\" " + problem.get(), Optional.empty()));
    }
    byte[] ip = IpNetwork.unmapped(clientIp).getAddress();
    CheckHostRun run = new CheckHostRun(dns, ip, sender, localPart, domain, heloName, receivingHost,
        clock.instant().getEpochSecond());
    CompletableFuture<SpfResult> result = run.checkHost(domain).thenCompose(verdict ->
        run.explanation(verdict).thenApply(explanation ->
            new SpfResult(verdict.outcome(), verdict.cause(), identity, sender, domain, verdict.detail(),
                explanation)));
    deadline.whenAnsweredOrReached(result).thenRun(() -> result.complete(new SpfResult(SpfOutcome.TEMPERROR,
        SpfCause.TIMEOUT, identity, sender, domain, "did not finish by its deadline", Optional.empty())));
    return result
        .exceptionally(error -> {
          // a programming error: the contract is a value, so say temperror and leave the trace for the operator
          LOG.error("SPF evaluation for {} from {} failed unexpectedly", domain, clientIp.getHostAddress(), error);
          return new SpfResult(SpfOutcome.TEMPERROR, SpfCause.INTERNAL_ERROR, identity, sender, domain,
              error.toString(), Optional.empty());
        });
  }

  /**
   * Lower case, no trailing dot, U-labels as A-labels (RFC 5890): the form DNS lookups and DMARC alignment
   * compare. A name IDNA refuses is returned lower-cased as it is, for check_host() to judge.
   */
  static String normalizeDomain(String domain) {
    String d = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
    for (int i = 0; i < d.length(); i++) {
      if (d.charAt(i) > 0x7F) {
        try {
          d = IDN.toASCII(d, IDN.ALLOW_UNASSIGNED);
        } catch (IllegalArgumentException e) {
          // not a valid IDN: left as is; check_host() finds no record for it
        }
        break;
      }
    }
    return d.toLowerCase(Locale.ROOT);
  }

  private static String identityName(SpfIdentity identity) {
    return identity == SpfIdentity.MAILFROM ? "MAIL FROM domain" : "HELO name";
  }

  @Override
  public String toString() {
    return "SpfEvaluator[" + dns + "]";
  }
}
