package org.postseal.dmarc;

import java.net.IDN;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.postseal.dkim.DkimResult;
import org.postseal.dns.DnsSource;
import org.postseal.spf.SpfResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DMARC for one message (RFC 9989 section 5.3): policy discovery by the DNS tree walk, identifier alignment
 * of the DKIM and SPF results with the From domain, and the policy that applies after sp=, np= and t=.
 *
 * <p>Inputs are values the caller already has: the From domains as parsed from the header (one entry per
 * address, over all From fields, so that several From fields or addresses are seen), the DKIM results and
 * the SPF result of {@code SpfEvaluator.evaluate} (the MAIL FROM identity, or postmaster@HELO for the null
 * sender: RFC 9989 section 3.2.4).
 *
 * <p>Threading: {@link #evaluate} never blocks; its future is completed by the DNS source's threads, never
 * exceptionally, and within the maximum duration (after which it is temperror). Thread-safe.
 *
 * <p>Choices where RFC 9989 leaves one to the receiver: more than one From address is a permerror (section
 * 5.3.1 allows going on, section 11.5 shows why not); a record whose p=, sp= or np= is not a policy and that
 * has no usable rua= is a permerror (section 4.10.1: "applies no DMARC processing"); a record without p= is
 * p=none (section 4.7); whether the From domain exists (for np=) is asked only when np= would change a fail's
 * policy; a DNS failure while finding an Organizational Domain is a temperror unless another identifier
 * aligned anyway.
 */
public final class DmarcEvaluator {

  /** The longest one evaluation may take, DNS included, unless the caller says otherwise. */
  public static final Duration DEFAULT_MAX_DURATION = Duration.ofSeconds(20);

  private static final Logger LOG = LoggerFactory.getLogger(DmarcEvaluator.class);
  private static final Pattern LDH_LABEL = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");
  private static final int MAX_DOMAIN_LENGTH = 253;

  private final DmarcPolicySource source;
  private final Duration maxDuration;

  public DmarcEvaluator(DnsSource dns) {
    this(dns, DEFAULT_MAX_DURATION);
  }

  public DmarcEvaluator(DnsSource dns, Duration maxDuration) {
    this.source = new DmarcPolicySource(Objects.requireNonNull(dns, "dns"));
    this.maxDuration = Objects.requireNonNull(maxDuration, "maxDuration");
    if (maxDuration.isZero() || maxDuration.isNegative()) {
      throw new IllegalArgumentException("DMARC maximum duration must be positive, was " + maxDuration);
    }
  }

  /**
   * @param headerFromDomains the domain of every address in every From field, in order (the caller parses
   *                          the header; RFC 5322 address lists, display names and groups are its job)
   * @param dkimResults       every DKIM-Signature's result; only passes count (section 4.4.1)
   * @param spfResult         the SPF result; only a pass counts (section 4.4.2)
   */
  public CompletableFuture<DmarcResult> evaluate(List<String> headerFromDomains, List<DkimResult> dkimResults,
                                                 SpfResult spfResult) {
    Objects.requireNonNull(headerFromDomains, "headerFromDomains");
    Objects.requireNonNull(dkimResults, "dkimResults");
    Objects.requireNonNull(spfResult, "spfResult");
    if (headerFromDomains.isEmpty()) {
      return CompletableFuture.completedFuture(permerror(HeaderFromStatus.NO_FROM, "",
          "the message has no From address; DMARC needs exactly one (RFC 9989 section 5.3.1)"));
    }
    if (headerFromDomains.size() > 1) {
      return CompletableFuture.completedFuture(permerror(HeaderFromStatus.SEVERAL_FROM, "",
          "the message has " + headerFromDomains.size() + " From addresses " + headerFromDomains
              + "; DMARC needs exactly one (RFC 9989 sections 5.3.1, 11.5)"));
    }
    Optional<String> author = domainName(headerFromDomains.get(0));
    if (author.isEmpty()) {
      return CompletableFuture.completedFuture(permerror(HeaderFromStatus.MALFORMED, "",
          "the From domain \"" + headerFromDomains.get(0) + "\" is not a valid domain name"));
    }
    String authorDomain = author.get();
    DmarcPolicySource.Lookups lookups = source.lookups();
    CompletableFuture<DmarcResult> result = lookups.discover(authorDomain).thenCompose(discovery ->
        evaluate(discovery, candidates(dkimResults, spfResult), lookups));
    return result
        .completeOnTimeout(temperror(authorDomain, "DMARC evaluation for " + authorDomain + " took longer than "
            + maxDuration.toMillis() + " ms"), maxDuration.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(error -> {
          LOG.error("DMARC evaluation for {} failed unexpectedly", authorDomain, error);
          return temperror(authorDomain, "internal error in DMARC evaluation: " + error);
        });
  }

  /** An authenticated identifier before alignment: its method, domain and (DKIM) selector. */
  private record Candidate(IdentifierAlignment.Method method, String domain, String selector) {
  }

  /** One alignment check: its outcome, or the DNS failure that left it open. */
  private record Check(IdentifierAlignment alignment, Optional<String> failure) {
  }

  /** The passing identifiers, normalised; identical DKIM d=/s= pairs once. */
  private static List<Candidate> candidates(List<DkimResult> dkimResults, SpfResult spfResult) {
    Set<Candidate> out = new LinkedHashSet<>();
    for (DkimResult dkim : dkimResults) {
      if (dkim.isPass() && !dkim.domain().isEmpty()) {
        out.add(new Candidate(IdentifierAlignment.Method.DKIM, comparable(dkim.domain()), dkim.selector()));
      }
    }
    if (spfResult.isPass() && !spfResult.domain().isEmpty()) {
      out.add(new Candidate(IdentifierAlignment.Method.SPF, comparable(spfResult.domain()), ""));
    }
    return List.copyOf(out);
  }

  private CompletableFuture<DmarcResult> evaluate(PolicyDiscovery discovery, List<Candidate> candidates,
                                                  DmarcPolicySource.Lookups lookups) {
    String author = discovery.authorDomain();
    if (discovery.status() == PolicyDiscovery.Status.TEMPERROR) {
      return CompletableFuture.completedFuture(temperror(author, discovery.reason()));
    }
    Optional<DmarcRecord> record = discovery.record();
    List<CompletableFuture<Check>> checks = new ArrayList<>();
    for (Candidate candidate : candidates) {
      DmarcAlignmentMode mode = record.map(r -> candidate.method() == IdentifierAlignment.Method.DKIM
          ? r.dkimAlignment() : r.spfAlignment()).orElse(DmarcAlignmentMode.RELAXED);
      checks.add(align(candidate, mode, discovery, lookups));
    }
    return CompletableFuture.allOf(checks.toArray(new CompletableFuture<?>[0])).thenCompose(all -> {
      List<IdentifierAlignment> alignments = new ArrayList<>();
      Optional<String> failure = Optional.empty();
      for (CompletableFuture<Check> check : checks) {
        Check c = check.join();
        alignments.add(c.alignment());
        if (failure.isEmpty()) {
          failure = c.failure();
        }
      }
      return conclude(discovery, alignments, failure, lookups);
    });
  }

  /**
   * Section 4.4: strict is the identical domain; relaxed is the same Organizational Domain, found by tree
   * walks (section 4.10.2). Identical domains need no walk; domains with different top-level labels cannot
   * share an Organizational Domain, so they need none either.
   */
  private CompletableFuture<Check> align(Candidate candidate, DmarcAlignmentMode mode, PolicyDiscovery discovery,
                                         DmarcPolicySource.Lookups lookups) {
    String author = discovery.authorDomain();
    String domain = candidate.domain();
    if (domain.equals(author)) {
      return done(new Check(alignment(candidate, mode, true, ""), Optional.empty()));
    }
    if (mode == DmarcAlignmentMode.STRICT || !lastLabel(domain).equals(lastLabel(author))) {
      return done(new Check(alignment(candidate, mode, false, ""), Optional.empty()));
    }
    if (discovery.organizationalDomain().isEmpty()) {
      return done(new Check(alignment(candidate, mode, false, ""), Optional.of("the organizational domain of "
          + author + " is unknown: " + discovery.walk().failure().orElse("tree walk incomplete"))));
    }
    return lookups.walk(domain).thenApply(walk -> {
      if (!walk.isComplete()) {
        return new Check(alignment(candidate, mode, false, ""), walk.failure());
      }
      String organizational = walk.organizationalDomain();
      return new Check(alignment(candidate, mode, organizational.equals(discovery.organizationalDomain()),
          organizational), Optional.empty());
    });
  }

  private static IdentifierAlignment alignment(Candidate candidate, DmarcAlignmentMode mode, boolean aligned,
                                               String organizationalDomain) {
    return new IdentifierAlignment(candidate.method(), candidate.domain(), candidate.selector(), mode, aligned,
        organizationalDomain);
  }

  private CompletableFuture<DmarcResult> conclude(PolicyDiscovery discovery, List<IdentifierAlignment> alignments,
                                                  Optional<String> failure, DmarcPolicySource.Lookups lookups) {
    String author = discovery.authorDomain();
    if (discovery.status() == PolicyDiscovery.Status.NOT_FOUND) {
      return done(new DmarcResult(DmarcOutcome.NONE, discovery.reason(), HeaderFromStatus.ONE_DOMAIN, author,
          Optional.empty(), "", discovery.organizationalDomain(), Optional.empty(), alignments));
    }
    DmarcRecord record = discovery.record().orElseThrow();
    if (!record.hasValidPolicy() && record.aggregateReportUris().isEmpty()) {
      return done(new DmarcResult(DmarcOutcome.PERMERROR, "the DMARC record at _dmarc." + discovery.policyDomain()
          + " has no valid policy (" + String.join("; ", record.problems()) + ") and no usable rua=,"
          + " so DMARC does not apply (RFC 9989 section 4.10.1)", HeaderFromStatus.ONE_DOMAIN, author,
          Optional.of(record), discovery.policyDomain(), discovery.organizationalDomain(), Optional.empty(),
          alignments));
    }
    Optional<IdentifierAlignment> aligned = alignments.stream().filter(IdentifierAlignment::isAligned).findFirst();
    DmarcOutcome outcome;
    String reason;
    if (aligned.isPresent()) {
      outcome = DmarcOutcome.PASS;
      reason = describe(aligned.get()) + " is aligned with " + author;
    } else if (failure.isPresent()) {
      return done(temperror(author, failure.get()));
    } else {
      outcome = DmarcOutcome.FAIL;
      reason = alignments.isEmpty()
          ? "neither DKIM nor SPF passed, so nothing can align with " + author
          : "nothing that passed is aligned with " + author + " (" + String.join(", ",
              alignments.stream().map(a -> describe(a) + " " + a.mode().name().toLowerCase(Locale.ROOT)).toList())
              + ")";
    }
    return policy(discovery, record, outcome == DmarcOutcome.FAIL, lookups).thenApply(policy -> {
      if (policy.failure().isPresent()) {
        return temperror(author, policy.failure().get());
      }
      return new DmarcResult(outcome, reason, HeaderFromStatus.ONE_DOMAIN, author, Optional.of(record),
          discovery.policyDomain(), discovery.organizationalDomain(), Optional.of(policy.policy()), alignments);
    });
  }

  private record AppliedPolicy(DmarcPolicy policy, Optional<String> failure) {
  }

  /**
   * Section 4.10.1 and 4.7: p= for a record at the Author Domain; from a parent, np= if the Author Domain does
   * not exist, else sp=, else p=; then t=y one level milder. A record without a valid policy but with a
   * usable rua= counts as p=none. Whether the domain exists is asked only for a fail, and only when np= would
   * change the answer.
   */
  private CompletableFuture<AppliedPolicy> policy(PolicyDiscovery discovery, DmarcRecord record, boolean isFail,
                                                  DmarcPolicySource.Lookups lookups) {
    if (!record.hasValidPolicy()) {
      return done(new AppliedPolicy(DmarcPolicy.NONE, Optional.empty()));
    }
    if (!discovery.isFromParent()) {
      return done(new AppliedPolicy(tested(record, record.policy()), Optional.empty()));
    }
    DmarcPolicy existing = record.subdomainPolicyOrDefault();
    DmarcPolicy nonExistent = record.nonExistentDomainPolicyOrDefault();
    if (!isFail || existing == nonExistent) {
      return done(new AppliedPolicy(tested(record, existing), Optional.empty()));
    }
    return lookups.exists(discovery.authorDomain()).thenApply(existence -> existence.failure().isPresent()
        ? new AppliedPolicy(existing, existence.failure())
        : new AppliedPolicy(tested(record, existence.exists() ? existing : nonExistent), Optional.empty()));
  }

  private static DmarcPolicy tested(DmarcRecord record, DmarcPolicy policy) {
    return record.isTesting() ? policy.downgraded() : policy;
  }

  private static String describe(IdentifierAlignment a) {
    return a.method() == IdentifierAlignment.Method.DKIM
        ? "DKIM d=" + a.domain() + (a.selector().isEmpty() ? "" : " s=" + a.selector())
        : "SPF " + a.domain();
  }

  /**
   * The From domain as DMARC compares it: lower case, no trailing dot, U-labels as A-labels (section
   * 5.3.1), letters-digits-hyphen labels, at least two of them. Empty when it is not such a name.
   */
  static Optional<String> domainName(String raw) {
    String d = comparable(raw);
    if (d.isEmpty() || d.length() > MAX_DOMAIN_LENGTH) {
      return Optional.empty();
    }
    String[] labels = d.split("\\.", -1);
    if (labels.length < 2) {
      return Optional.empty();
    }
    for (String label : labels) {
      if (!LDH_LABEL.matcher(label).matches()) {
        return Optional.empty();
      }
    }
    return Optional.of(d);
  }

  /** Lower case, stripped, no trailing dot, A-labels where IDNA accepts the name. */
  private static String comparable(String raw) {
    String d = raw.strip();
    if (d.endsWith(".")) {
      d = d.substring(0, d.length() - 1);
    }
    for (int i = 0; i < d.length(); i++) {
      if (d.charAt(i) > 0x7F) {
        try {
          d = IDN.toASCII(d, IDN.ALLOW_UNASSIGNED);
        } catch (IllegalArgumentException e) {
          // not a valid IDN: stays non-ASCII and fails the label check of domainName
        }
        break;
      }
    }
    return d.toLowerCase(Locale.ROOT);
  }

  private static String lastLabel(String domain) {
    return domain.substring(domain.lastIndexOf('.') + 1);
  }

  private static DmarcResult permerror(HeaderFromStatus status, String headerFrom, String reason) {
    return new DmarcResult(DmarcOutcome.PERMERROR, reason, status, headerFrom, Optional.empty(), "", "",
        Optional.empty(), List.of());
  }

  private static DmarcResult temperror(String author, String reason) {
    return new DmarcResult(DmarcOutcome.TEMPERROR, reason, HeaderFromStatus.ONE_DOMAIN, author, Optional.empty(),
        "", "", Optional.empty(), List.of());
  }

  private static <T> CompletableFuture<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }

  @Override
  public String toString() {
    return "DmarcEvaluator[max " + maxDuration.toMillis() + " ms]";
  }
}
