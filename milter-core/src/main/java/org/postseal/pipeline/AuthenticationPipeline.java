package org.postseal.pipeline;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.postseal.authres.AuthenticationResultsHeader;
import org.postseal.dkim.DkimResult;
import org.postseal.dkim.SigningKey;
import org.postseal.dkim.SigningSession;
import org.postseal.dkim.VerificationSession;
import org.postseal.mail.HeaderField;
import org.postseal.mail.Mailbox;

/**
 * The DKIM filters of ARCHITECTURE.md in order: direction, then DKIM verification and
 * Authentication-Results for inbound mail, DKIM signing for outbound mail.
 *
 * <p>Threading: {@link #beginMessage}, {@link #endOfHeaders}, {@link #body} and {@link #readyToDecide}
 * run on event-loop threads and only record, start lookups or hash; {@link #decide} runs on the auth
 * pool. The snapshot is swapped atomically by {@link #replace}; each message keeps the one it began with.
 */
public final class AuthenticationPipeline implements MessagePipeline {

  private final Clock clock;
  private volatile PipelineSnapshot snapshot;

  public AuthenticationPipeline(PipelineSnapshot snapshot, Clock clock) {
    this.snapshot = Objects.requireNonNull(snapshot, "snapshot");
    this.clock = Objects.requireNonNull(clock, "clock");
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
    if (message.verificationSession().isEmpty() || message.deadline().isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    long remainingMillis = Duration.between(clock.instant(), message.deadline().get()).toMillis();
    if (remainingMillis <= 0) {
      return CompletableFuture.completedFuture(null);
    }
    // a copy, so that the timeout never completes the session's own future
    CompletableFuture<Void> lookups = message.verificationSession().get().keysLookedUp().copy();
    return lookups.completeOnTimeout(null, remainingMillis, TimeUnit.MILLISECONDS).handle((v, error) -> null);
  }

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
    List<DkimResult> results = message.verificationSession().map(VerificationSession::finish).orElse(List.of());
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
    // deletions first: an A-R inserted before them would be counted among the occurrences
    edits.add(new HeaderEdit.Insert(0, AuthenticationResultsHeader.builder(authservId).dkim(results).build()));
    String decision = (results.isEmpty() ? "verified: no signature" : "verified " + results.size() + " signature"
        + (results.size() == 1 ? "" : "s")) + (forged.isEmpty() ? "" : ", removed " + forged.size()
        + " Authentication-Results claiming " + authservId);
    return new MessageVerdict(edits, Reply.CONTINUE, decision, results);
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
