package org.postseal.pipeline;

import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.postseal.authres.AuthenticationResultsHeader;
import org.postseal.dkim.DkimResult;
import org.postseal.dkim.VerificationSession;
import org.postseal.dmarc.DmarcAction;
import org.postseal.dmarc.DmarcCause;
import org.postseal.dmarc.DmarcDisposition;
import org.postseal.dmarc.DmarcResult;
import org.postseal.dmarc.DmarcResultStore;
import org.postseal.dmarc.DmarcSession;
import org.postseal.dmarc.DmarcVerdict;
import org.postseal.dmarc.EvaluatedMessage;
import org.postseal.dmarc.MessageOrigin;
import org.postseal.mail.DomainName;
import org.postseal.mail.EnvelopeAddress;
import org.postseal.mail.HeaderField;
import org.postseal.spf.SpfCause;
import org.postseal.spf.SpfEvaluator;
import org.postseal.spf.SpfResult;

/**
 * Mail from outside, as a straight list of steps (docs/architecture.md, "One message, two paths"): DKIM
 * verification, SPF, DMARC with its disposition, Authentication-Results. Every lookup starts as early as its
 * input is known (SPF at MAIL FROM; the DKIM keys and the DMARC session at end of headers) and stops at the
 * message's one deadline, armed at end of headers; {@link #readyToDecide} completes when they have all answered
 * or the deadline is reached, and {@link #decide} then reads what came. No thread waits for DNS.
 *
 * <p>Threading: every method but {@link #decide} runs on the connection's event loop and only starts lookups or
 * hashes; {@link #decide} runs on the auth pool and spends CPU only (signature checks).
 */
final class InboundPath {

  /** Longest reason handed to the MTA with a quarantine action (Postfix logs it). */
  private static final int MAX_HOLD_REASON = 300;

  private final Clock clock;
  private final DmarcResultStore results;

  InboundPath(Clock clock, DmarcResultStore results) {
    this.clock = clock;
    this.results = results;
  }

  /**
   * MAIL FROM: SPF starts now, for the HELO identity first, as RFC 7208 section 2.3 orders the two checks (when
   * it is a separate check), then for MAIL FROM (postmaster@HELO for the null sender, section 2.4), the one
   * DMARC uses.
   */
  void begin(MessageState message, ConnectionState connection) {
    if (connection.clientAddress().isEmpty()) {
      return;
    }
    InetAddress ip = connection.clientAddress().get();
    SpfEvaluator spf = message.snapshot.spf();
    spf.evaluateHelo(ip, message.mailFrom(), connection.helo(), message.deadline())
        .ifPresent(message::setHeloSpfResult);
    message.setSpfResult(spf.evaluate(ip, message.mailFrom(), connection.helo(), message.deadline()));
  }

  /** End of headers: the deadline starts; the DKIM key lookups and the DMARC session start. */
  void endOfHeaders(MessageState message) {
    PipelineSnapshot current = message.snapshot;
    message.deadline().arm();
    VerificationSession dkim = current.verifier().start(message.headers());
    message.setVerificationSession(dkim);
    message.setDmarcSession(current.dmarc().start(origin(message), message.headers(), dkim.signingDomains(),
        message.deadline()));
  }

  void body(MessageState message, byte[] chunk, int offset, int length) {
    message.verificationSession().ifPresent(s -> s.body(chunk, offset, length));
  }

  /** Every lookup answered, or the deadline reached: never exceptionally. */
  CompletableFuture<Void> readyToDecide(MessageState message) {
    List<CompletableFuture<?>> lookups = new ArrayList<>();
    message.verificationSession().ifPresent(s -> lookups.add(s.keysLookedUp()));
    message.spfResult().ifPresent(lookups::add);
    message.heloSpfResult().ifPresent(lookups::add);
    message.dmarcSession().ifPresent(s -> lookups.add(s.lookupsDone()));
    return message.deadline().whenAnsweredOrReached(lookups.toArray(new CompletableFuture<?>[0]));
  }

  /** The steps, in order, over what the lookups left; then the header edits and the reply. */
  MessageVerdict decide(MessageState message) {
    PipelineSnapshot current = message.snapshot;
    String authservId = current.config().authservId();
    // 2. DKIM: keys still missing are temperror
    List<DkimResult> dkim = message.verificationSession().map(VerificationSession::finish).orElse(List.of());
    // 3. SPF: still under way is temperror; the HELO check is reported beside it, never used by DMARC
    SpfResult spf = spfResult(message);
    Optional<SpfResult> heloSpf = message.heloSpfResult().map(f -> f.getNow(SpfEvaluator.unevaluated(
        SpfCause.TIMEOUT, "", message.helo(), "not finished by the message's deadline")));
    // 4. DMARC and what to do with the message
    DmarcSession session = message.dmarcSession().orElseThrow(() -> new IllegalStateException("no end of headers"));
    DmarcVerdict dmarcVerdict = session.finish(dkim, spf);
    DmarcResult dmarc = dmarcVerdict.result();
    DmarcDisposition disposition = dmarcVerdict.disposition();
    message.setFromDomain(dmarc.headerFrom());
    // 5. Authentication-Results
    AuthenticationResultsHeader.Builder header = AuthenticationResultsHeader.builder(authservId).dkim(dkim).spf(spf);
    heloSpf.ifPresent(header::spf);
    HeaderField authenticationResults = header.dmarc(dmarc, disposition).build();
    results.record(new EvaluatedMessage(clock.instant(), message.clientAddress(), dmarc.headerFrom(),
        domainOf(message.mailFrom()), message.recipients().stream().map(r -> EnvelopeAddress.parse(r).text()).toList(),
        spf, dkim, dmarc, disposition));
    List<String> limits = limitsHit(message.verificationSession().map(VerificationSession::ignoredSignatures).orElse(0),
        dkim, spf, dmarc);
    InboundAuthentication inbound = new InboundAuthentication(spf, heloSpf, dkim, dmarc, disposition,
        authenticationResults, limits);

    if (disposition.reply().isPresent()) {
      // a refusal is the final answer: the message is not delivered, so it gets no header edits
      return new MessageVerdict(List.of(), new Reply.Smtp(disposition.reply().get()), disposition.reason(), dkim,
          Optional.of(inbound));
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
   * The configuration keys of the limits a message reached, from what its results say: signatures past
   * verify.max-signatures, the DKIM key limits, SPF's lookup limits, and the message's deadline.
   */
  static List<String> limitsHit(int ignoredSignatures, List<DkimResult> dkim, SpfResult spf, DmarcResult dmarc) {
    Set<String> out = new LinkedHashSet<>();
    if (ignoredSignatures > 0) {
      out.add("verify.max-signatures");
    }
    for (DkimResult d : dkim) {
      switch (d.cause()) {
        case KEY_TOO_LONG -> out.add("verify.max-rsa-bits");
        case KEY_RECORD_TOO_LONG -> out.add("verify.max-key-record-bytes");
        case KEY_LOOKUP_UNFINISHED -> out.add("dns.message-deadline");
        default -> {
          // not a limit of ours
        }
      }
    }
    switch (spf.cause()) {
      case LOOKUP_LIMIT -> out.add("spf.max-dns-terms");
      case VOID_LOOKUP_LIMIT -> out.add("spf.max-void-lookups");
      case TIMEOUT -> out.add("dns.message-deadline");
      default -> {
        // not a limit of ours
      }
    }
    if (dmarc.cause() == DmarcCause.DEADLINE) {
      out.add("dns.message-deadline");
    }
    return List.copyOf(out);
  }

  /** The SPF result begun at MAIL FROM; none without a client address, temperror when it did not finish in time. */
  private static SpfResult spfResult(MessageState message) {
    if (message.spfResult().isEmpty()) {
      return SpfEvaluator.unevaluated(SpfCause.NO_CLIENT_ADDRESS, message.mailFrom(), message.helo(),
          "SPF was not evaluated");
    }
    return message.spfResult().get().getNow(SpfEvaluator.unevaluated(SpfCause.TIMEOUT, message.mailFrom(),
        message.helo(), "not finished by the message's deadline (" + message.deadline().budget().toMillis()
            + " ms after end of headers)"));
  }

  private static MessageOrigin origin(MessageState message) {
    boolean internal = message.clientAddress().map(ip -> message.snapshot.config().signing().isInternal(ip)).orElse(false);
    return new MessageOrigin(message.clientAddress(), message.clientHost(), !message.authenticatedUser().isEmpty(),
        internal, message.helo(), EnvelopeAddress.parse(message.mailFrom()));
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

  /** The domain of a MAIL FROM or RCPT TO argument, as reports name it; empty for the null sender or no domain. */
  private static String domainOf(String argument) {
    return EnvelopeAddress.parse(argument) instanceof EnvelopeAddress.Address address
        ? address.domain().map(DomainName::value).orElse("") : "";
  }
}
