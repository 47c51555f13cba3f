package org.postseal.spf;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.postseal.dns.Deadline;
import org.postseal.dns.DnsSource;
import org.postseal.mail.DomainName;
import org.postseal.mail.EnvelopeAddress;
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
 * whose target has more than 10 MX names, which would query more than the 10 address records section 4.6.4
 * allows, is a permerror before any address lookup; the void-lookup limit is
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
  private final SpfLimits limits;

  /** An evaluator with RFC 7208's limits ({@link SpfLimits#DEFAULTS}). */
  public SpfEvaluator(DnsSource dns, Clock clock, String receivingHost) {
    this(dns, clock, receivingHost, SpfLimits.DEFAULTS);
  }

  /**
   * @param receivingHost this host's name, for the %{r} macro of explanations (e.g. the authserv-id)
   * @param limits        what one evaluation may cost
   */
  public SpfEvaluator(DnsSource dns, Clock clock, String receivingHost, SpfLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
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
   * @param mailFrom the MAIL FROM argument, with or without angle brackets; "&lt;&gt;", empty or null for the
   *                 null sender, which makes the HELO name the identity (section 2.4); text that is no address
   *                 is "none" (section 4.3)
   * @param helo     the HELO/EHLO argument as the client sent it
   * @param deadline when the result must be there: still under way then, it is temperror
   */
  public CompletableFuture<SpfResult> evaluate(InetAddress clientIp, String mailFrom, String helo, Deadline deadline) {
    Objects.requireNonNull(clientIp, "clientIp");
    String heloName = helo == null ? "" : helo.strip();
    Identity checked = Identity.of(mailFrom, heloName);
    if (checked.problem().isPresent()) {
      return CompletableFuture.completedFuture(checked.result(SpfOutcome.NONE, SpfCause.MALFORMED_DOMAIN,
          checked.problem().get()));
    }
    String domain = checked.domain();
    byte[] ip = IpNetwork.unmapped(clientIp).getAddress();
    CheckHostRun run = new CheckHostRun(dns, limits, ip, checked.sender(), checked.localPart(), domain, heloName,
        receivingHost, clock.instant().getEpochSecond());
    CompletableFuture<SpfResult> result = run.checkHost(domain).thenCompose(verdict ->
        run.explanation(verdict).thenApply(explanation -> new SpfResult(verdict.outcome(), verdict.cause(),
            checked.identity(), checked.sender(), domain, verdict.detail(), explanation)));
    deadline.whenAnsweredOrReached(result).thenRun(() -> result.complete(checked.result(SpfOutcome.TEMPERROR,
        SpfCause.TIMEOUT, "did not finish by its deadline")));
    return result
        .exceptionally(error -> {
          // a programming error: the contract is a value, so say temperror and leave the trace for the operator
          LOG.error("SPF evaluation for {} from {} failed unexpectedly", domain, clientIp.getHostAddress(), error);
          return checked.result(SpfOutcome.TEMPERROR, SpfCause.INTERNAL_ERROR, error.toString());
        });
  }

  /**
   * The separate check of the HELO identity that RFC 7208 section 2.3 RECOMMENDS besides MAIL FROM: check_host()
   * for postmaster@HELO. Empty when there is nothing separate to check: MAIL FROM is the null sender (its check is
   * the HELO check already, section 2.4), or the HELO name is not a multi-label domain name ("This SPF check can
   * only be performed when the "HELO" string is a valid, multi-label domain name", section 2.3: address literals
   * and bare host names are common). DMARC never uses this result (RFC 9989 section 4.4.2); it is reported.
   */
  public Optional<CompletableFuture<SpfResult>> evaluateHelo(InetAddress clientIp, String mailFrom, String helo,
                                                            Deadline deadline) {
    if (EnvelopeAddress.parse(mailFrom) instanceof EnvelopeAddress.NullSender) {
      return Optional.empty();
    }
    String heloName = helo == null ? "" : helo.strip();
    if (DomainName.parse(heloName).filter(d -> d.labels().size() > 1).isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(evaluate(clientIp, "", heloName, deadline));
  }

  /**
   * A result for a transaction whose SPF was not, or not fully, evaluated (no client address; the deadline),
   * for the same identity {@link #evaluate} would have checked.
   *
   * @param cause gives the outcome: it must have one of its own ({@link SpfCause#defaultOutcome()})
   */
  public static SpfResult unevaluated(SpfCause cause, String mailFrom, String helo, String detail) {
    SpfOutcome outcome = cause.defaultOutcome().orElseThrow(() ->
        new IllegalArgumentException(cause + " has no outcome of its own"));
    return Identity.of(mailFrom, helo == null ? "" : helo.strip()).result(outcome, cause, detail);
  }

  /**
   * The identity of one transaction (section 2.4: MAIL FROM, or postmaster@HELO for the null sender), read once,
   * or why it is none (section 4.3: no address, or a domain the DNS cannot carry).
   *
   * @param domain the domain to check, lower case A-labels; the text as written when it is not a name
   */
  private record Identity(SpfIdentity identity, String localPart, String domain, Optional<String> problem) {

    static Identity of(String mailFrom, String heloName) {
      EnvelopeAddress envelope = EnvelopeAddress.parse(mailFrom);
      if (envelope instanceof EnvelopeAddress.Malformed malformed) {
        // section 4.3: an identity that is no address has no domain to check
        return new Identity(SpfIdentity.MAILFROM, malformed.text(), "", Optional.of("MAIL FROM \""
            + malformed.text() + "\" " + malformed.problem()));
      }
      // section 2.4: the null sender's identity is the HELO name
      SpfIdentity identity = envelope instanceof EnvelopeAddress.Address ? SpfIdentity.MAILFROM : SpfIdentity.HELO;
      String localPart = envelope instanceof EnvelopeAddress.Address address ? address.localPart() : "";
      String domainPart = envelope instanceof EnvelopeAddress.Address address ? address.domainPart() : heloName;
      if (localPart.isEmpty()) {
        // section 4.3: "If the <sender> has no local-part, substitute the string "postmaster""
        localPart = "postmaster";
      }
      // check_host() takes any name the DNS can carry, underscores included; a malformed one is "none"
      DomainName.Parse parsed = DomainName.parse(domainPart, DomainName.Syntax.WITH_UNDERSCORE);
      if (parsed instanceof DomainName.Invalid invalid) {
        return new Identity(identity, localPart, domainPart,
            Optional.of(identityName(identity) + " " + invalid.describe()));
      }
      String domain = ((DomainName.Valid) parsed).domain().value();
      Optional<String> problem = CheckHostRun.domainProblem(domain)
          .map(p -> identityName(identity) + " \"" + domainPart + "\" " + p);
      return new Identity(identity, localPart, domain, problem);
    }

    String sender() {
      return domain.isEmpty() ? localPart : localPart + "@" + domain;
    }

    SpfResult result(SpfOutcome outcome, SpfCause cause, String detail) {
      return new SpfResult(outcome, cause, identity, sender(), domain, detail, Optional.empty());
    }

    private static String identityName(SpfIdentity identity) {
      return identity == SpfIdentity.MAILFROM ? "MAIL FROM domain" : "HELO name";
    }
  }

  @Override
  public String toString() {
    return "SpfEvaluator[" + dns + "]";
  }
}
