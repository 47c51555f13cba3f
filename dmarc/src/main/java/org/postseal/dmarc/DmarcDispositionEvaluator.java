package org.postseal.dmarc;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.postseal.mail.EnvelopeAddress;
import org.postseal.mail.SmtpReply;

/**
 * Decides what happens to a message from its {@link DmarcResult}, where it came from and the {@code [dmarc]}
 * settings. Pure and thread-safe: no I/O.
 *
 * <p>The rules, in order:
 * <ol>
 *   <li>temperror follows {@code on-dns-error} (accept, or 451 4.7.0);</li>
 *   <li>an authenticated or internal client is accepted: DMARC enforcement is for inbound mail;</li>
 *   <li>no From, several From addresses or a malformed From domain is rejected when {@code enforce} (RFC 9989
 *       section 11.5: the classic ways around DMARC), else quarantined;</li>
 *   <li>pass is accepted;</li>
 *   <li>the policy is the domain owner's after sp=/np=/t= for a fail, none otherwise; with
 *       {@code protect-own-domains}, a message From one of our signing domains with no aligned DKIM or SPF
 *       pass is judged under reject whatever was published, a record or none (our knowledge of our own
 *       senders is complete);</li>
 *   <li>a trusted forwarder is accepted (RFC 9989 section 5.4: a receiver should not reject solely on the
 *       policy), with reason mailing_list (List-Id present), forwarded (SRS envelope sender) or
 *       trusted_forwarder;</li>
 *   <li>quarantine follows {@code quarantine} (header, hold, accept);</li>
 *   <li>reject is rejected with 550 5.7.1 naming the From domain and DMARC, unless {@code enforce} is off or
 *       the From domain is a never-reject domain: then it is quarantined, reason local_policy.</li>
 * </ol>
 * Whenever the action is milder (or, for our own domains, stricter) than the published policy, the
 * override reason says why.
 */
final class DmarcDispositionEvaluator {

  private final DmarcSettings settings;

  public DmarcDispositionEvaluator(DmarcSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /**
   * @param isMailingList the message carries List-Id (RFC 2919): from a trusted forwarder, its override reason
   *                      is mailing_list
   */
  public DmarcDisposition decide(DmarcResult result, MessageOrigin origin, boolean isMailingList) {
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(origin, "origin");
    String author = result.headerFrom();
    if (result.outcome() == DmarcOutcome.TEMPERROR) {
      if (settings.onDnsError() == DmarcSettings.DnsErrorMode.TEMPFAIL) {
        // RFC 3463 X.7.0 "other or undefined security status": the check could not finish. Not X.7.1, which says
        // the sender is not authorized, a verdict nobody reached; X.4.3 (directory server failure) would name the
        // DNS failure, but the contract keeps every DMARC outcome in the security class 7
        return new DmarcDisposition(DmarcAction.TEMPFAIL, Optional.empty(), Optional.empty(),
            Optional.of(new SmtpReply(451, "4.7.0", "DMARC check for " + author + " failed temporarily; try again later")),
            "DMARC temperror (" + result.reason() + "); deferred, dmarc.on-dns-error = tempfail");
      }
      return accept(Optional.empty(), Optional.empty(),
          "DMARC temperror (" + result.reason() + "); accepted, dmarc.on-dns-error = accept");
    }
    Optional<DmarcPolicy> published = result.outcome() == DmarcOutcome.FAIL ? result.appliedPolicy()
        : Optional.empty();
    if (!origin.isOutsideUnauthenticated()) {
      boolean overridden = published.isPresent() && published.get() != DmarcPolicy.NONE;
      return accept(published, overridden ? Optional.of(OverrideReason.LOCAL_POLICY) : Optional.empty(),
          "client is " + (origin.isAuthenticated() ? "authenticated" : "internal") + ": DMARC "
              + result.outcome().keyword() + " not enforced");
    }
    if (!result.hasOneFromDomain()) {
      String why = switch (result.cause()) {
        case NO_FROM -> "the message has no From address";
        case SEVERAL_FROM -> "the From header must hold exactly one address";
        default -> "the From domain is not a valid domain name";
      };
      if (settings.enforce()) {
        return new DmarcDisposition(DmarcAction.REJECT, Optional.of(DmarcPolicy.REJECT), Optional.empty(),
            Optional.of(new SmtpReply(550, "5.7.1", "Email rejected per DMARC: " + why)),
            why + " (" + result.reason() + ")");
      }
      return quarantine(Optional.of(DmarcPolicy.REJECT), Optional.empty(),
          why + "; not rejected, dmarc.enforce = false");
    }
    if (result.outcome() == DmarcOutcome.PASS) {
      return accept(result.appliedPolicy(), Optional.empty(), "DMARC pass: " + result.reason());
    }
    // authenticated means aligned: a domain without a published policy still has its alignment computed
    boolean ownDomain = settings.protectOwnDomains() && settings.isOwnDomain(author)
        && result.alignedDkim().isEmpty() && result.alignedSpf().isEmpty();
    DmarcPolicy policy = ownDomain ? DmarcPolicy.REJECT : published.orElse(DmarcPolicy.NONE);
    boolean stricterThanPublished = ownDomain && published.orElse(DmarcPolicy.NONE) != DmarcPolicy.REJECT;
    String what = ownDomain
        ? author + " is our own domain and this message from an outside client is not authenticated"
        + " (DMARC " + result.outcome().keyword() + ": " + result.reason() + ")"
        : "DMARC " + result.outcome().keyword() + " for " + author + " (" + result.reason() + ")";
    if (policy == DmarcPolicy.NONE) {
      return accept(published, Optional.empty(), what + "; policy none");
    }
    if (settings.trustedForwarders().contains(origin)) {
      OverrideReason reason = isMailingList ? OverrideReason.MAILING_LIST
          : isSrs(origin.mailFrom()) ? OverrideReason.FORWARDED : OverrideReason.TRUSTED_FORWARDER;
      return accept(Optional.of(policy), Optional.of(reason), what + "; accepted from a trusted forwarder ("
          + reason.keyword() + ")");
    }
    Optional<OverrideReason> local = Optional.of(OverrideReason.LOCAL_POLICY);
    if (policy == DmarcPolicy.QUARANTINE) {
      return quarantine(Optional.of(policy), Optional.empty(), what + "; policy quarantine");
    }
    if (!settings.enforce()) {
      return quarantine(Optional.of(policy), local, what + "; not rejected, dmarc.enforce = false");
    }
    if (settings.isNeverReject(author)) {
      return quarantine(Optional.of(policy), local, what + "; not rejected, " + author + " is in dmarc.never-reject");
    }
    SmtpReply reply = new SmtpReply(550, "5.7.1", ownDomain
        ? "Email rejected per DMARC: unauthenticated mail from our own domain " + author
        : "Email rejected per DMARC policy for " + author);
    return new DmarcDisposition(DmarcAction.REJECT, Optional.of(policy),
        stricterThanPublished ? local : Optional.empty(), Optional.of(reply), what + "; rejected");
  }

  /** dmarc.quarantine: header or hold; "accept" delivers as is, which overrides the policy (local_policy). */
  private DmarcDisposition quarantine(Optional<DmarcPolicy> policy, Optional<OverrideReason> override,
                                      String reason) {
    return switch (settings.quarantine()) {
      case HEADER -> new DmarcDisposition(DmarcAction.QUARANTINE_HEADER, policy, override, Optional.empty(), reason);
      case HOLD -> new DmarcDisposition(DmarcAction.HOLD, policy, override, Optional.empty(), reason);
      case ACCEPT -> new DmarcDisposition(DmarcAction.ACCEPT, policy, override.or(() -> policy.isPresent()
          ? Optional.of(OverrideReason.LOCAL_POLICY) : Optional.empty()), Optional.empty(),
          reason + "; delivered, dmarc.quarantine = accept");
    };
  }

  private static DmarcDisposition accept(Optional<DmarcPolicy> policy, Optional<OverrideReason> override,
                                         String reason) {
    return new DmarcDisposition(DmarcAction.ACCEPT, policy, override, Optional.empty(), reason);
  }

  /** Sender Rewriting Scheme addresses ("SRS0=hash=tt=domain=user@forwarder"): the forwarder said it forwards. */
  private static boolean isSrs(EnvelopeAddress mailFrom) {
    String localPart = mailFrom instanceof EnvelopeAddress.Address address
        ? address.localPart().toLowerCase(Locale.ROOT) : "";
    return localPart.startsWith("srs0=") || localPart.startsWith("srs1=");
  }
}
