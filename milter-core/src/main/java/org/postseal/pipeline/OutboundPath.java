package org.postseal.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.postseal.dkim.SigningKey;
import org.postseal.dkim.SigningSession;
import org.postseal.mail.HeaderField;
import org.postseal.mail.Mailbox;

/**
 * Mail from our own users, as a straight list of steps (docs/architecture.md, "One message, two paths"): sign when
 * the From domain is a signing domain with a usable key. Never judged by DMARC, never waits for DNS: its decision
 * is ready at end of message.
 *
 * <p>Threading: {@link #endOfHeaders} and {@link #body} run on the connection's event loop; {@link #decide} on
 * the auth pool (the signature is CPU).
 */
final class OutboundPath {

  /** End of headers: picks the keys and opens the body hashes, or notes why the message is not signed. */
  void endOfHeaders(MessageState message) {
    PipelineSnapshot current = message.snapshot;
    FromDomain from = fromDomain(message.headers());
    message.setFromDomain(from.domain());
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
      List<String> withheld = current.signing().whyWithheld(from.domain());
      message.setNotSignedReason("no usable key for " + from.domain() + " in "
          + current.keys().directory().resolve(from.domain()) + " for algorithms "
          + current.config().signing().algorithms().stream().map(a -> a.tagValue()).collect(Collectors.joining(","))
          + (withheld.isEmpty() ? "" : " (not used: " + String.join("; ", withheld) + ")"));
      return;
    }
    message.setSigningSession(current.signer().start(message.headers(), keys), keys);
  }

  void body(MessageState message, byte[] chunk, int offset, int length) {
    message.signingSession().ifPresent(s -> s.body(chunk, offset, length));
  }

  /** The signatures as header edits, or why there are none. */
  MessageVerdict decide(MessageState message) {
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
    String decision = "signed " + keys.stream().map(k -> "d=" + k.domain() + " s=" + k.selector() + " a="
        + k.algorithm().tagValue()).collect(Collectors.joining(", "));
    return new MessageVerdict(edits, Reply.CONTINUE, decision, List.of());
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
    return mailboxes.get(0).domainName().map(d -> new FromDomain(d.value(), ""))
        .orElse(new FromDomain("", "the From domain \"" + mailboxes.get(0).domain() + "\" is not a host name"));
  }
}
