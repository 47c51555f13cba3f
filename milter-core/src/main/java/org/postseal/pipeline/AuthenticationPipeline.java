package org.postseal.pipeline;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.postseal.authres.AuthenticationResultsHeader;
import org.postseal.dkim.DkimResult;
import org.postseal.dkim.SigningKey;
import org.postseal.dkim.SigningSession;
import org.postseal.dkim.VerificationSession;
import org.postseal.dmarc.DmarcAction;
import org.postseal.dmarc.DmarcDisposition;
import org.postseal.dmarc.DmarcOutcome;
import org.postseal.dmarc.DmarcResult;
import org.postseal.dmarc.DmarcResultStore;
import org.postseal.dmarc.EvaluatedMessage;
import org.postseal.dmarc.HeaderFromStatus;
import org.postseal.dmarc.InMemoryDmarcResultStore;
import org.postseal.dmarc.MessageOrigin;
import org.postseal.mail.HeaderField;
import org.postseal.mail.Mailbox;
import org.postseal.spf.SpfIdentity;
import org.postseal.spf.SpfOutcome;
import org.postseal.spf.SpfResult;

/**
 * The filters of ARCHITECTURE.md in order: direction; for inbound mail DKIM verification, SPF, DMARC and its
 * disposition, and Authentication-Results; for outbound mail DKIM signing. Outbound mail is never judged by
 * DMARC: it comes from our own users.
 *
 * <p>Inbound lookups start as early as their inputs are known: SPF at MAIL FROM, the DKIM keys and the DMARC
 * policy discovery at end of headers. {@link #readyToDecide} completes when all of them answered or the
 * message's deadline passed; {@link #decide} then finishes the body hashes, runs DMARC over answers that are
 * by then cached, decides the disposition and records the message in the {@link DmarcResultStore}.
 *
 * <p>Threading: {@link #beginMessage}, {@link #endOfHeaders}, {@link #body} and {@link #readyToDecide}
 * run on event-loop threads and only record, start lookups or hash; {@link #decide} runs on the auth
 * pool, where it may wait for DMARC's remaining lookups (bounded, see {@link #decide}). The snapshot is swapped
 * atomically by {@link #replace}; each message keeps the one it began with.
 */
public final class AuthenticationPipeline implements MessagePipeline {

  /** A domain the DMARC policy lookups can start for at end of headers; anything else waits for the evaluator. */
  private static final Pattern PREFETCHABLE_DOMAIN = Pattern.compile("[a-z0-9-]+(?:\\.[a-z0-9-]+)+");
  /** The d= tag of a DKIM-Signature value, for starting lookups early; the verifier parses the field properly. */
  private static final Pattern SIGNING_DOMAIN_TAG = Pattern.compile("(?:^|;)\\s*d\\s*=\\s*([A-Za-z0-9.-]+)\\s*(?:;|$)");
  /** Longest reason handed to the MTA with a quarantine action (Postfix logs it). */
  private static final int MAX_HOLD_REASON = 300;

  private final Clock clock;
  private final DmarcResultStore results;
  private volatile PipelineSnapshot snapshot;

  /** A pipeline whose evaluated messages are kept in a private in-memory store (tests, {@code postseal check}). */
  public AuthenticationPipeline(PipelineSnapshot snapshot, Clock clock) {
    this(snapshot, clock, new InMemoryDmarcResultStore());
  }

  /** @param results where every evaluated inbound message is recorded; must never block (its contract) */
  public AuthenticationPipeline(PipelineSnapshot snapshot, Clock clock, DmarcResultStore results) {
    this.snapshot = Objects.requireNonNull(snapshot, "snapshot");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.results = Objects.requireNonNull(results, "results");
  }

  /** Configuration and keys for messages that begin from now on (SIGHUP). */
  public void replace(PipelineSnapshot next) {
    this.snapshot = Objects.requireNonNull(next, "next");
  }

  public PipelineSnapshot snapshot() {
    return snapshot;
  }

  @Override
  public MessageState beginMessage(ConnectionState connection, String mailFrom, Map<String, String> macros) {
    PipelineSnapshot current = snapshot;
    Direction direction = DirectionEvaluator.evaluate(current.config().signing(), connection.clientAddress().orElse(null),
        macros.getOrDefault("{auth_authen}", ""));
    MessageState message = new MessageState(connection.sessionId(), connection.clientAddress().orElse(null), mailFrom, macros,
        direction, System.nanoTime());
    message.snapshot = current;
    message.setConnection(connection.helo(), connection.clientHost());
    if (direction == Direction.INBOUND && connection.clientAddress().isPresent()) {
      // RFC 7208 section 2.4: MAIL FROM, or postmaster@HELO for the null sender "<>" (the evaluator decides);
      // the lookups run while the client sends RCPT TO, DATA and the message
      message.setSpfResult(current.spf().evaluate(connection.clientAddress().get(), mailFrom, connection.helo()));
    }
    return message;
  }

  @Override
  public void endOfHeaders(MessageState message) {
    PipelineSnapshot current = message.snapshot;
    message.markEndOfHeaders();
    message.setDeadline(clock.instant().plus(current.lookupWait()));
    FromDomain from = fromDomain(message.headers());
    message.setFromDomain(from.domain());
    if (message.direction() == Direction.INBOUND) {
      // starts the key lookups of every signature now; the body streams into the hashes meanwhile
      message.setVerificationSession(current.verifier().start(message.headers()));
      message.setHeaderFromDomains(headerFromDomains(message.headers()));
      if (!from.domain().isEmpty() && PREFETCHABLE_DOMAIN.matcher(from.domain()).matches()) {
        message.setDmarcPolicyLookups(dmarcLookups(message, from.domain(), current));
      }
      return;
    }
    if (from.domain().isEmpty()) {
      message.setNotSignedReason(from.problem());
      return;
    }
    if (!current.config().signing().isSigningDomain(from.domain())) {
      message.setNotSignedReason(from.domain() + " is not in signing.domains");
      return;
    }
    List<SigningKey> keys = current.signingKeys(from.domain());
    if (keys.isEmpty()) {
      message.setNotSignedReason("no usable key for " + from.domain() + " in "
          + current.keys().directory().resolve(from.domain()) + " for algorithms "
          + current.config().signing().algorithms().stream().map(a -> a.tagValue()).collect(Collectors.joining(",")));
      return;
    }
    message.setSigningSession(current.signer().start(message.headers(), keys), keys);
  }

  @Override
  public void body(MessageState message, byte[] chunk, int offset, int length) {
    message.signingSession().ifPresent(s -> s.body(chunk, offset, length));
    message.verificationSession().ifPresent(s -> s.body(chunk, offset, length));
  }

  @Override
  public CompletableFuture<Void> readyToDecide(MessageState message) {
    if (message.deadline().isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    // copies, so that the timeout never completes the lookups' own futures
    List<CompletableFuture<?>> lookups = new ArrayList<>();
    message.verificationSession().ifPresent(s -> lookups.add(s.keysLookedUp().copy()));
    message.spfResult().ifPresent(f -> lookups.add(f.copy()));
    message.dmarcPolicyLookups().ifPresent(f -> lookups.add(f.copy()));
    long remainingMillis = Duration.between(clock.instant(), message.deadline().get()).toMillis();
    if (lookups.isEmpty() || remainingMillis <= 0) {
      return CompletableFuture.completedFuture(null);
    }
    return CompletableFuture.allOf(lookups.toArray(new CompletableFuture<?>[0]))
        .completeOnTimeout(null, remainingMillis, TimeUnit.MILLISECONDS).handle((v, error) -> null);
  }

  /**
   * Signs (outbound) or judges (inbound). For inbound mail DMARC evaluation reads answers its lookups at end of
   * headers left in the resolver's cache; should one still be missing (a walk from a name only known now, or a
   * lookup that was slow), it waits for what is left of the message's deadline, but at least one dns.timeout.
   * Past that, DMARC is temperror.
   */
  @Override
  public MessageVerdict decide(MessageState message) {
    return message.direction() == Direction.OUTBOUND ? sign(message) : verify(message);
  }

  private MessageVerdict sign(MessageState message) {
    if (message.signingSession().isEmpty()) {
      String reason = message.isEndOfHeadersSeen() ? message.notSignedReason() : "the message had no end of headers";
      return new MessageVerdict(List.of(), Reply.CONTINUE, "not signed: " + reason, List.of());
    }
    SigningSession session = message.signingSession().get();
    List<HeaderField> signatures = session.finish();
    List<SigningKey> keys = message.signingKeys();
    List<HeaderEdit> edits = new ArrayList<>();
    // each insert at 0 goes above the previous one: insert the last first so the order stays as signed
    for (int i = signatures.size() - 1; i >= 0; i--) {
      edits.add(new HeaderEdit.Insert(0, signatures.get(i)));
    }
    String decision = "signed " + keys.stream().map(k -> "d=" + k.domain() + " s=" + k.selector() + " a=" + k.algorithm().tagValue())
        .collect(Collectors.joining(", "));
    return new MessageVerdict(edits, Reply.CONTINUE, decision, List.of());
  }

  private MessageVerdict verify(MessageState message) {
    PipelineSnapshot current = message.snapshot;
    String authservId = current.config().authservId();
    List<DkimResult> dkim = message.verificationSession().map(VerificationSession::finish).orElse(List.of());
    SpfResult spf = spfResult(message);
    DmarcResult dmarc = undecidedWhenALookupFailed(dmarcResult(message, dkim, spf), dkim, spf, current);
    DmarcDisposition disposition = current.dispositions().decide(dmarc, origin(message));
    HeaderField authenticationResults = AuthenticationResultsHeader.builder(authservId)
        .dkim(dkim).spf(spf).dmarc(dmarc, disposition).build();
    results.record(new EvaluatedMessage(clock.instant(), message.clientAddress(), dmarc.headerFrom(),
        domainOf(bare(message.mailFrom())), recipientDomains(message.recipients()), spf, dkim, dmarc, disposition));
    InboundAuthentication inbound = new InboundAuthentication(spf, dkim, dmarc, disposition, authenticationResults);

    if (disposition.action() == DmarcAction.REJECT || disposition.action() == DmarcAction.TEMPFAIL) {
      // the custom reply is the final answer: the message is not delivered, so it gets no header edits
      return new MessageVerdict(List.of(), smtpReply(disposition), disposition.reason(), dkim, Optional.of(inbound));
    }
    List<HeaderEdit> edits = new ArrayList<>();
    // remove every A-R claiming our authserv-id (RFC 8601 section 5): the highest occurrence first, so
    // that each deletion leaves the occurrence numbers of the remaining ones unchanged
    List<Integer> forged = new ArrayList<>();
    int occurrence = 0;
    for (HeaderField field : message.headers()) {
      if (field.hasName(AuthenticationResultsHeader.NAME)) {
        occurrence++;
        if (AuthenticationResultsHeader.claims(field.value(), authservId)) {
          forged.add(occurrence);
        }
      }
    }
    for (int i = forged.size() - 1; i >= 0; i--) {
      edits.add(new HeaderEdit.Delete(AuthenticationResultsHeader.NAME, forged.get(i)));
    }
    // deletions first: an A-R inserted before them would be counted among the occurrences. Each insert at 0
    // goes above the one before: the quarantine mark first, so that our A-R ends up on top
    disposition.quarantineHeader().ifPresent(field -> edits.add(new HeaderEdit.Insert(0, field)));
    edits.add(new HeaderEdit.Insert(0, authenticationResults));
    Reply reply = disposition.action() == DmarcAction.HOLD ? new Reply.Quarantine(holdReason(dmarc, disposition))
        : Reply.CONTINUE;
    String decision = disposition.reason() + (forged.isEmpty() ? "" : "; removed " + forged.size()
        + " Authentication-Results claiming " + authservId);
    return new MessageVerdict(edits, reply, decision, dkim, Optional.of(inbound));
  }

  /**
   * The tree walks DMARC will make at end of message, started now so that their answers wait in the resolver's
   * cache: policy discovery for the From domain, and the Organizational Domain walk of every other domain that
   * relaxed alignment will compare with it (each DKIM d=, the SPF domain) when it shares the From domain's
   * top-level label, as the evaluator only walks then.
   */
  private static CompletableFuture<Void> dmarcLookups(MessageState message, String author, PipelineSnapshot current) {
    List<CompletableFuture<?>> walks = new ArrayList<>();
    walks.add(current.dmarcPolicies().discover(author));
    List<String> others = new ArrayList<>();
    for (HeaderField field : message.headers()) {
      if (field.hasName("DKIM-Signature") && others.size() < current.config().verify().maxSignatures()) {
        Matcher d = SIGNING_DOMAIN_TAG.matcher(field.value());
        if (d.find()) {
          others.add(d.group(1).toLowerCase(Locale.ROOT));
        }
      }
    }
    String mailFrom = bare(message.mailFrom());
    others.add(mailFrom.isEmpty() ? message.helo().toLowerCase(Locale.ROOT) : domainOf(mailFrom));
    String topLabel = author.substring(author.lastIndexOf('.') + 1);
    others.stream().distinct()
        .filter(d -> !d.equals(author) && d.endsWith("." + topLabel) && PREFETCHABLE_DOMAIN.matcher(d).matches())
        .forEach(d -> walks.add(current.dmarcPolicies().walk(d)));
    return CompletableFuture.allOf(walks.toArray(new CompletableFuture<?>[0]));
  }

  /** The SPF result begun at MAIL FROM; none without a client address, temperror when it did not finish in time. */
  private static SpfResult spfResult(MessageState message) {
    if (message.spfResult().isEmpty()) {
      return spfWithout(message, SpfOutcome.NONE, "the client address is unknown, so SPF was not evaluated");
    }
    return message.spfResult().get().getNow(spfWithout(message, SpfOutcome.TEMPERROR,
        "SPF did not finish within the message's " + message.snapshot.lookupWait().toMillis() + " ms for lookups"));
  }

  /** An SPF result not computed by the evaluator, for the same identity it would have checked. */
  private static SpfResult spfWithout(MessageState message, SpfOutcome outcome, String reason) {
    String mailFrom = bare(message.mailFrom());
    if (mailFrom.isEmpty()) {
      String helo = message.helo().toLowerCase(Locale.ROOT);
      return new SpfResult(outcome, SpfIdentity.HELO, "postmaster@" + helo, helo, reason, Optional.empty());
    }
    return new SpfResult(outcome, SpfIdentity.MAILFROM, mailFrom, domainOf(mailFrom), reason, Optional.empty());
  }

  private DmarcResult dmarcResult(MessageState message, List<DkimResult> dkim, SpfResult spf) {
    PipelineSnapshot current = message.snapshot;
    CompletableFuture<DmarcResult> evaluation = current.dmarc().evaluate(message.headerFromDomains(), dkim, spf);
    Duration left = message.deadline().map(d -> Duration.between(clock.instant(), d)).orElse(Duration.ZERO);
    Duration wait = left.compareTo(current.config().dns().timeout()) > 0 ? left : current.config().dns().timeout();
    String author = message.headerFromDomains().size() == 1 ? message.headerFromDomains().get(0) : "";
    try {
      return evaluation.get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      evaluation.cancel(false);
      return dmarcTemperror(author, "DMARC lookups did not finish within the message's deadline");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return dmarcTemperror(author, "interrupted while waiting for DMARC lookups");
    } catch (ExecutionException e) {
      // the evaluator's contract is a value; an exception here is a bug, and the adapter's fallback handles it
      throw new IllegalStateException("DMARC evaluation failed", e.getCause());
    }
  }

  /**
   * A DMARC fail is only as sure as its inputs: when the DKIM signature or SPF check of the From domain (or a
   * domain above or below it) could not be completed because DNS failed, a pass may have been missed, so the
   * result is temperror and dmarc.on-dns-error decides (RFC 9989 section 5.3.6: no pass or fail can be
   * concluded). The same holds for "none" when the From domain is one of ours, which protect-own-domains would
   * reject: a DNS hiccup on our own selector must not bounce our own forwarded mail.
   */
  private static DmarcResult undecidedWhenALookupFailed(DmarcResult dmarc, List<DkimResult> dkim, SpfResult spf,
                                                        PipelineSnapshot current) {
    String author = dmarc.headerFrom();
    boolean judged = dmarc.outcome() == DmarcOutcome.FAIL
        || (dmarc.outcome() == DmarcOutcome.NONE && current.config().dmarc().protectOwnDomains()
            && current.config().signing().isSigningDomain(author));
    if (!judged || author.isEmpty()) {
      return dmarc;
    }
    Optional<String> open = dkim.stream()
        .filter(d -> d.outcome() == org.postseal.dkim.DkimOutcome.TEMPERROR && related(d.domain(), author))
        .map(d -> "DKIM d=" + d.domain() + " s=" + d.selector() + " is temperror: " + d.reason())
        .findFirst();
    if (open.isEmpty() && spf.outcome() == SpfOutcome.TEMPERROR && related(spf.domain(), author)) {
      open = Optional.of("SPF for " + spf.domain() + " is temperror: " + spf.reason());
    }
    if (open.isEmpty()) {
      return dmarc;
    }
    return new DmarcResult(DmarcOutcome.TEMPERROR, "DMARC " + dmarc.outcome().keyword() + " for " + author
        + " is not certain, " + open.get(), dmarc.headerFromStatus(), author, dmarc.record(), dmarc.policyDomain(),
        dmarc.organizationalDomain(), dmarc.appliedPolicy(), dmarc.alignments());
  }

  /** The same domain, or one below the other: what relaxed alignment could have matched. */
  private static boolean related(String domain, String author) {
    String d = domain.toLowerCase(Locale.ROOT);
    return !d.isEmpty() && (d.equals(author) || d.endsWith("." + author) || author.endsWith("." + d));
  }

  private static DmarcResult dmarcTemperror(String author, String reason) {
    return new DmarcResult(DmarcOutcome.TEMPERROR, reason, HeaderFromStatus.ONE_DOMAIN, author, Optional.empty(), "", "",
        Optional.empty(), List.of());
  }

  private static MessageOrigin origin(MessageState message) {
    boolean internal = message.clientAddress().map(ip -> message.snapshot.config().signing().isInternal(ip)).orElse(false);
    boolean hasListId = message.headers().stream().anyMatch(h -> h.hasName("List-Id"));
    return new MessageOrigin(message.clientAddress(), message.clientHost(), !message.authenticatedUser().isEmpty(), internal,
        bare(message.mailFrom()), hasListId);
  }

  /** "550 5.7.1 text" as the disposition wrote it, as a reply. */
  static Reply.Smtp smtpReply(DmarcDisposition disposition) {
    String[] parts = disposition.smtpReply().split(" ", 3);
    if (parts.length < 3) {
      throw new IllegalStateException("disposition " + disposition.action() + " has no SMTP reply: \""
          + disposition.smtpReply() + "\"");
    }
    return new Reply.Smtp(Integer.parseInt(parts[0]), parts[1], parts[2]);
  }

  private static String holdReason(DmarcResult dmarc, DmarcDisposition disposition) {
    StringBuilder reason = new StringBuilder("DMARC quarantine");
    if (!dmarc.headerFrom().isEmpty()) {
      reason.append(" for ").append(dmarc.headerFrom());
    }
    reason.append(": ").append(disposition.reason());
    String text = reason.length() > MAX_HOLD_REASON ? reason.substring(0, MAX_HOLD_REASON) : reason.toString();
    return text.replaceAll("[\\x00-\\x1F\\x7F]", " ");
  }

  /** An envelope address without its angle brackets and surrounding space; empty for the null sender. */
  private static String bare(String address) {
    String a = address == null ? "" : address.strip();
    if (a.startsWith("<") && a.endsWith(">")) {
      a = a.substring(1, a.length() - 1).strip();
    }
    return a;
  }

  private static String domainOf(String address) {
    int at = address.lastIndexOf('@');
    String domain = at < 0 ? "" : address.substring(at + 1).toLowerCase(Locale.ROOT);
    return domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
  }

  private static List<String> recipientDomains(List<String> recipients) {
    return recipients.stream().map(r -> domainOf(bare(r))).filter(d -> !d.isEmpty()).distinct().toList();
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

  /** The From: domain, or why there is none: exactly one From field with exactly one mailbox (RFC 5322 section 3.6.2). */
  private record FromDomain(String domain, String problem) {
  }

  private static FromDomain fromDomain(List<HeaderField> headers) {
    List<HeaderField> fromFields = headers.stream().filter(h -> h.hasName("From")).toList();
    if (fromFields.isEmpty()) {
      return new FromDomain("", "no From field");
    }
    if (fromFields.size() > 1) {
      return new FromDomain("", fromFields.size() + " From fields");
    }
    List<Mailbox> mailboxes = Mailbox.parseAddressList(fromFields.get(0).value());
    if (mailboxes.size() != 1) {
      return new FromDomain("", mailboxes.isEmpty() ? "the From field does not parse as an address"
          : "the From field has " + mailboxes.size() + " mailboxes");
    }
    return new FromDomain(mailboxes.get(0).domain(), "");
  }
}
