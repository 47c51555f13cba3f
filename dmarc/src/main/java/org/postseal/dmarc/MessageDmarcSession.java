package org.postseal.dmarc;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.postseal.dkim.DkimOutcome;
import org.postseal.dkim.DkimResult;
import org.postseal.dns.Deadline;
import org.postseal.mail.DomainName;
import org.postseal.mail.EnvelopeAddress;
import org.postseal.mail.HeaderField;
import org.postseal.mail.Mailbox;
import org.postseal.spf.SpfOutcome;
import org.postseal.spf.SpfResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One message's DMARC: every lookup starts in the constructor (end of headers), {@link #finish} reads the answers
 * that came and decides. The rules are those of {@link DmarcVerifier}; see there.
 */
final class MessageDmarcSession implements DmarcSession {

  private static final Logger LOG = LoggerFactory.getLogger(MessageDmarcSession.class);

  private final DmarcSettings settings;
  private final DmarcDispositionEvaluator dispositions;
  private final MessageOrigin origin;
  private final boolean isMailingList;
  /** The From problem (no From, several, malformed) that decides without DNS; else empty. */
  private final Optional<DmarcResult> fromProblem;
  private final String author;
  private final CompletableFuture<PolicyDiscovery> discovery;
  private final CompletableFuture<DmarcPolicySource.Existence> existence;
  /** The Organizational Domain walk of each other domain that relaxed alignment may compare with the author. */
  private final Map<String, CompletableFuture<DmarcTreeWalk>> walks = new LinkedHashMap<>();
  private final CompletableFuture<Void> lookupsDone;
  private DmarcVerdict verdict;

  MessageDmarcSession(DmarcPolicySource.Lookups lookups, DmarcSettings settings, DmarcDispositionEvaluator dispositions,
                      MessageOrigin origin, List<HeaderField> headers, List<String> signingDomains, Deadline deadline) {
    this.settings = settings;
    this.dispositions = dispositions;
    this.origin = origin;
    this.isMailingList = headers.stream().anyMatch(h -> h.hasName("List-Id"));
    this.fromProblem = fromProblem(headerFromDomains(headers));
    if (fromProblem.isPresent()) {
      this.author = "";
      this.discovery = CompletableFuture.completedFuture(null);
      this.existence = CompletableFuture.completedFuture(null);
      this.lookupsDone = CompletableFuture.completedFuture(null);
      return;
    }
    this.author = fromDomain(headerFromDomains(headers).get(0)).orElseThrow();
    this.discovery = lookups.discover(author);
    this.existence = discovery.thenCompose(found -> isExistenceNeeded(found)
        ? lookups.exists(author) : CompletableFuture.completedFuture(null));
    List<String> others = new ArrayList<>(signingDomains);
    // the domain SPF checks (RFC 7208 section 2.4): MAIL FROM's, or the HELO name for the null sender
    others.add(origin.mailFrom() instanceof EnvelopeAddress.Address address ? address.domainPart() : origin.helo());
    for (String other : others) {
      comparable(other).filter(this::mayNeedWalk).ifPresent(d -> walks.computeIfAbsent(d, lookups::walk));
    }
    List<CompletableFuture<?>> all = new ArrayList<>(walks.values());
    all.add(existence);
    this.lookupsDone = deadline.whenAnsweredOrReached(all.toArray(new CompletableFuture<?>[0]));
  }

  @Override
  public CompletableFuture<Void> lookupsDone() {
    return lookupsDone;
  }

  @Override
  public DmarcVerdict finish(List<DkimResult> dkimResults, SpfResult spfResult) {
    if (verdict != null) {
      return verdict;
    }
    DmarcResult result;
    try {
      result = fromProblem.isPresent() ? fromProblem.get() : certain(evaluate(dkimResults, spfResult), dkimResults,
          spfResult);
    } catch (RuntimeException e) {
      // a bug, not a property of the message: still a value, and loud in the log
      LOG.error("DMARC evaluation for {} failed unexpectedly", author, e);
      result = DmarcResult.without(DmarcCause.INTERNAL_ERROR, author, e.toString());
    }
    verdict = new DmarcVerdict(result, dispositions.decide(result, origin, isMailingList));
    return verdict;
  }

  /** Alignment (section 4.4) and the applied policy (sections 4.7, 4.10.1), from the answers that came. */
  private DmarcResult evaluate(List<DkimResult> dkimResults, SpfResult spfResult) {
    PolicyDiscovery found = discovery.getNow(null);
    if (found == null) {
      return DmarcResult.without(DmarcCause.DEADLINE, author, "DMARC policy discovery for " + author
          + " had no answer by the message's deadline");
    }
    if (found.status() == PolicyDiscovery.Status.TEMPERROR) {
      LookupFailure failure = found.walk().failure().orElseThrow();
      return DmarcResult.without(failure.cause(), author, failure.detail());
    }
    Optional<DmarcRecord> record = found.record();
    List<IdentifierAlignment> alignments = new ArrayList<>();
    Optional<LookupFailure> open = Optional.empty();
    for (Candidate candidate : candidates(dkimResults, spfResult)) {
      DmarcAlignmentMode mode = record.map(r -> candidate.method() == IdentifierAlignment.Method.DKIM
          ? r.dkimAlignment() : r.spfAlignment()).orElse(DmarcAlignmentMode.RELAXED);
      Check check = align(candidate, mode, found);
      alignments.add(check.alignment());
      if (open.isEmpty()) {
        open = check.failure();
      }
    }
    return conclude(found, alignments, open);
  }

  /** An authenticated identifier before alignment: its method, domain and (DKIM) selector. */
  private record Candidate(IdentifierAlignment.Method method, String domain, String selector) {
  }

  /** One alignment check: its outcome, or the lookup that left it open. */
  private record Check(IdentifierAlignment alignment, Optional<LookupFailure> failure) {
  }

  /** The passing identifiers, normalised; identical DKIM d=/s= pairs once. */
  private static List<Candidate> candidates(List<DkimResult> dkimResults, SpfResult spfResult) {
    Set<Candidate> out = new LinkedHashSet<>();
    for (DkimResult dkim : dkimResults) {
      if (dkim.isPass()) {
        comparable(dkim.domain()).ifPresent(d -> out.add(new Candidate(IdentifierAlignment.Method.DKIM, d,
            dkim.selector())));
      }
    }
    if (spfResult.isPass()) {
      comparable(spfResult.domain()).ifPresent(d -> out.add(new Candidate(IdentifierAlignment.Method.SPF, d, "")));
    }
    return List.copyOf(out);
  }

  /**
   * Section 4.4: strict is the identical domain; relaxed is the same Organizational Domain, found by the tree
   * walks started with the session (section 4.10.2). Identical domains need no walk; domains with different
   * top-level labels cannot share an Organizational Domain, so they need none either.
   */
  private Check align(Candidate candidate, DmarcAlignmentMode mode, PolicyDiscovery found) {
    String domain = candidate.domain();
    if (domain.equals(author)) {
      return new Check(alignment(candidate, mode, true, ""), Optional.empty());
    }
    if (mode == DmarcAlignmentMode.STRICT || !mayNeedWalk(domain)) {
      return new Check(alignment(candidate, mode, false, ""), Optional.empty());
    }
    if (found.organizationalDomain().isEmpty()) {
      LookupFailure walkFailure = found.walk().failure().orElse(new LookupFailure(DmarcCause.DNS_FAILURE,
          "tree walk incomplete"));
      return new Check(alignment(candidate, mode, false, ""), Optional.of(new LookupFailure(walkFailure.cause(),
          "the organizational domain of " + author + " is unknown: " + walkFailure.detail())));
    }
    CompletableFuture<DmarcTreeWalk> pending = walks.get(domain);
    DmarcTreeWalk walk = pending == null ? null : pending.getNow(null);
    if (walk == null) {
      return new Check(alignment(candidate, mode, false, ""), Optional.of(new LookupFailure(DmarcCause.DEADLINE,
          "the tree walk for the organizational domain of " + domain + " had no answer by the message's deadline")));
    }
    if (!walk.isComplete()) {
      return new Check(alignment(candidate, mode, false, ""), walk.failure());
    }
    String organizational = walk.organizationalDomain();
    return new Check(alignment(candidate, mode, organizational.equals(found.organizationalDomain()), organizational),
        Optional.empty());
  }

  private static IdentifierAlignment alignment(Candidate candidate, DmarcAlignmentMode mode, boolean aligned,
                                               String organizationalDomain) {
    return new IdentifierAlignment(candidate.method(), candidate.domain(), candidate.selector(), mode, aligned,
        organizationalDomain);
  }

  private DmarcResult conclude(PolicyDiscovery found, List<IdentifierAlignment> alignments,
                               Optional<LookupFailure> open) {
    if (found.status() == PolicyDiscovery.Status.NOT_FOUND) {
      return new DmarcResult(DmarcCause.NO_POLICY, found.reason(), author,
          Optional.empty(), "", found.organizationalDomain(), Optional.empty(), alignments);
    }
    DmarcRecord record = found.record().orElseThrow();
    if (!record.hasValidPolicy() && record.aggregateReportUris().isEmpty()) {
      return new DmarcResult(DmarcCause.INVALID_POLICY, "the DMARC record at _dmarc." + found.policyDomain()
          + " has no valid policy (" + String.join("; ", record.problems()) + ") and no usable rua=,"
          + " so DMARC does not apply (RFC 9989 section 4.10.1)", author, Optional.of(record), found.policyDomain(),
          found.organizationalDomain(), Optional.empty(), alignments);
    }
    Optional<IdentifierAlignment> aligned = alignments.stream().filter(IdentifierAlignment::isAligned).findFirst();
    DmarcCause cause;
    String detail;
    if (aligned.isPresent()) {
      cause = aligned.get().method() == IdentifierAlignment.Method.DKIM ? DmarcCause.DKIM_ALIGNED
          : DmarcCause.SPF_ALIGNED;
      detail = describe(aligned.get()) + " is aligned with " + author;
    } else if (open.isPresent()) {
      return DmarcResult.without(open.get().cause(), author, open.get().detail());
    } else if (alignments.isEmpty()) {
      cause = DmarcCause.NOTHING_PASSED;
      detail = "neither DKIM nor SPF passed, so nothing can align with " + author;
    } else {
      cause = DmarcCause.NOT_ALIGNED;
      detail = "nothing that passed is aligned with " + author + " (" + String.join(", ", alignments.stream()
          .map(a -> describe(a) + " " + a.mode().name().toLowerCase(Locale.ROOT)).toList()) + ")";
    }
    Optional<LookupFailure> unknownExistence = Optional.empty();
    DmarcPolicy policy = DmarcPolicy.NONE;
    if (record.hasValidPolicy()) {
      if (!found.isFromParent()) {
        policy = tested(record, record.policy());
      } else if (cause.outcome() != DmarcOutcome.FAIL || !isExistenceNeeded(found)) {
        policy = tested(record, record.subdomainPolicyOrDefault());
      } else {
        DmarcPolicySource.Existence exists = existence.getNow(null);
        if (exists == null) {
          unknownExistence = Optional.of(new LookupFailure(DmarcCause.DEADLINE, "whether " + author
              + " exists (for np=) had no answer by the message's deadline"));
        } else if (exists.failure().isPresent()) {
          unknownExistence = exists.failure();
        } else {
          policy = tested(record, exists.exists() ? record.subdomainPolicyOrDefault()
              : record.nonExistentDomainPolicyOrDefault());
        }
      }
    }
    if (unknownExistence.isPresent()) {
      return DmarcResult.without(unknownExistence.get().cause(), author, unknownExistence.get().detail());
    }
    return new DmarcResult(cause, detail, author, Optional.of(record), found.policyDomain(),
        found.organizationalDomain(), Optional.of(policy), alignments);
  }

  /**
   * A fail is only as sure as its inputs: when the DKIM signature or SPF check of the From domain (or a domain
   * above or below it) could not be completed because DNS failed, a pass may have been missed, so the result is
   * temperror and dmarc.on-dns-error decides (RFC 9989 section 5.3.6). The same holds for "none" when the From
   * domain is one of ours, which protect-own-domains would reject: a DNS hiccup on our own selector must not
   * bounce our own forwarded mail.
   */
  private DmarcResult certain(DmarcResult result, List<DkimResult> dkimResults, SpfResult spfResult) {
    boolean judged = result.outcome() == DmarcOutcome.FAIL || (result.outcome() == DmarcOutcome.NONE
        && settings.protectOwnDomains() && settings.isOwnDomain(author));
    if (!judged) {
      return result;
    }
    Optional<String> open = dkimResults.stream()
        .filter(d -> d.outcome() == DkimOutcome.TEMPERROR && comparable(d.domain()).filter(this::isRelated).isPresent())
        .map(d -> "DKIM d=" + d.domain() + " s=" + d.selector() + " is temperror: " + d.reason())
        .findFirst();
    if (open.isEmpty() && spfResult.outcome() == SpfOutcome.TEMPERROR
        && comparable(spfResult.domain()).filter(this::isRelated).isPresent()) {
      open = Optional.of("SPF for " + spfResult.domain() + " is temperror: " + spfResult.reason());
    }
    return open.map(why -> result.withCause(DmarcCause.RELATED_CHECK_OPEN, "DMARC " + result.outcome().keyword()
        + " for " + author + " is not certain, " + why)).orElse(result);
  }

  /** The same domain as the author, or one below the other: what relaxed alignment could have matched. */
  private boolean isRelated(String domain) {
    return !domain.isEmpty() && (domain.equals(author) || domain.endsWith("." + author)
        || author.endsWith("." + domain));
  }

  /** A domain other than the author's that shares its top-level label: relaxed alignment walks it. */
  private boolean mayNeedWalk(String domain) {
    return !domain.equals(author) && lastLabel(domain).equals(lastLabel(author));
  }

  /** Whether np= could change the policy for this record: then the From domain's existence is asked. */
  private static boolean isExistenceNeeded(PolicyDiscovery found) {
    if (found == null || !found.isFromParent()) {
      return false;
    }
    DmarcRecord record = found.record().orElseThrow();
    return record.hasValidPolicy()
        && record.subdomainPolicyOrDefault() != record.nonExistentDomainPolicyOrDefault();
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
   * The domain of every address of every From field, for DMARC (RFC 9989 section 5.3.1): a From field that
   * holds no readable address counts as one entry of its own (empty), so that a second, unreadable From field
   * cannot hide beside a readable one.
   */
  private static List<String> headerFromDomains(List<HeaderField> headers) {
    List<String> domains = new ArrayList<>();
    for (HeaderField field : headers) {
      if (field.hasName("From")) {
        List<Mailbox> mailboxes = Mailbox.parseAddressList(field.value());
        if (mailboxes.isEmpty()) {
          domains.add("");
        }
        mailboxes.forEach(m -> domains.add(m.domain()));
      }
    }
    return domains;
  }

  /** The permerror for anything but exactly one From address with a domain name (sections 5.3.1, 11.5). */
  private static Optional<DmarcResult> fromProblem(List<String> fromDomains) {
    if (fromDomains.isEmpty() || (fromDomains.size() == 1 && fromDomains.get(0).isEmpty())) {
      return Optional.of(DmarcResult.without(DmarcCause.NO_FROM, "",
          "the message has no From address; DMARC needs exactly one (RFC 9989 section 5.3.1)"));
    }
    if (fromDomains.size() > 1) {
      return Optional.of(DmarcResult.without(DmarcCause.SEVERAL_FROM, "", "the message has " + fromDomains.size()
          + " From addresses " + fromDomains + "; DMARC needs exactly one (RFC 9989 sections 5.3.1, 11.5)"));
    }
    if (fromDomain(fromDomains.get(0)).isEmpty()) {
      return Optional.of(DmarcResult.without(DmarcCause.MALFORMED_FROM, "",
          "the From domain \"" + fromDomains.get(0) + "\" is not a valid domain name"));
    }
    return Optional.empty();
  }

  /**
   * The From domain as DMARC compares it (section 5.3.1): a host name of at least two labels, as a
   * {@link DomainName} writes it. Empty when it is not such a name.
   */
  private static Optional<String> fromDomain(String raw) {
    return DomainName.parse(raw).filter(d -> d.labels().size() >= 2).map(DomainName::value);
  }

  /** An authenticated domain (d=, the SPF domain) as it is compared with the author; empty when it is no name. */
  private static Optional<String> comparable(String raw) {
    return DomainName.parse(raw, DomainName.Syntax.WITH_UNDERSCORE).toOptional().map(DomainName::value);
  }

  private static String lastLabel(String domain) {
    return domain.substring(domain.lastIndexOf('.') + 1);
  }

  @Override
  public String toString() {
    return "DmarcSession[" + (author.isEmpty() ? "no From domain" : author) + ", walks " + walks.keySet() + "]";
  }
}
