package org.postseal.pipeline;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.postseal.dkim.SigningKey;
import org.postseal.dkim.SigningSession;
import org.postseal.dkim.VerificationSession;
import org.postseal.dmarc.DmarcSession;
import org.postseal.dns.AddressText;
import org.postseal.dns.Deadline;
import org.postseal.mail.HeaderField;
import org.postseal.spf.SpfResult;

/**
 * One message, from MAIL FROM to the final reply: the envelope, the macros copied when it began
 * (jmilter never clears macros between messages), every header field exactly as received, the
 * direction, the open DKIM session, the SPF evaluation and DMARC session under way, and the one deadline of
 * its lookups.
 *
 * <p>Threading: filled on the connection's event-loop thread; at end of message it is handed to
 * the auth pool (through a future, which orders the writes before the reads) and no longer touched
 * by the event loop. A new MAIL FROM or an abort replaces it with a new object, never mutates it.
 */
public final class MessageState {

  private final String sessionId;
  private final InetAddress clientAddress;
  private final String mailFrom;
  private final Map<String, String> macros;
  private final Direction direction;
  private final long startNanos;
  private final List<String> recipients = new ArrayList<>();
  private final List<HeaderField> headers = new ArrayList<>();
  private String queueId;
  private final Deadline deadline;
  private String fromDomain = "";
  private String helo = "";
  private String clientHost = "";
  private CompletableFuture<SpfResult> spfResult;
  private CompletableFuture<SpfResult> heloSpfResult;
  private DmarcSession dmarcSession;
  private String notSignedReason = "";
  private SigningSession signingSession;
  private List<SigningKey> signingKeys = List.of();
  private VerificationSession verificationSession;
  private Throwable failure;
  private boolean endOfHeadersSeen;
  /** The settings this message uses from start to end, even if the configuration is reloaded meanwhile. */
  PipelineSnapshot snapshot;

  /**
   * @param clientAddress the SMTP client, or null when unknown
   * @param macros        connect and MAIL FROM macros, copied
   * @param deadline      the message's one deadline, unarmed: armed at end of headers
   */
  public MessageState(String sessionId, InetAddress clientAddress, String mailFrom, Map<String, String> macros,
                      Direction direction, long startNanos, Deadline deadline) {
    this.sessionId = sessionId;
    this.clientAddress = clientAddress;
    this.mailFrom = mailFrom;
    this.macros = Map.copyOf(macros);
    this.direction = direction;
    this.startNanos = startNanos;
    this.deadline = deadline;
    this.queueId = macros.getOrDefault("i", "");
  }

  public String sessionId() {
    return sessionId;
  }

  public Optional<InetAddress> clientAddress() {
    return Optional.ofNullable(clientAddress);
  }

  /** The client address as logged: the literal (IPv6 in RFC 5952 form, "::1"), or "unknown". */
  public String clientText() {
    return clientAddress == null ? "unknown" : AddressText.of(clientAddress.getAddress());
  }

  public String mailFrom() {
    return mailFrom;
  }

  public Map<String, String> macros() {
    return macros;
  }

  /** The {@code {auth_authen}} macro: the SASL login name, empty when the client did not authenticate. */
  public String authenticatedUser() {
    return macros.getOrDefault("{auth_authen}", "");
  }

  public Direction direction() {
    return direction;
  }

  public long startNanos() {
    return startNanos;
  }

  /** The MTA's queue id (macro {@code i}), empty until the MTA sends it. */
  public String queueId() {
    return queueId;
  }

  public void setQueueId(String queueId) {
    if (queueId != null && !queueId.isEmpty()) {
      this.queueId = queueId;
    }
  }

  public List<String> recipients() {
    return Collections.unmodifiableList(recipients);
  }

  public void addRecipient(String recipient) {
    recipients.add(recipient);
  }

  /** Header fields in message order, exactly as received (CRLF folds). */
  public List<HeaderField> headers() {
    return Collections.unmodifiableList(headers);
  }

  public void addHeader(HeaderField field) {
    headers.add(field);
  }

  public String fromDomain() {
    return fromDomain;
  }

  void setFromDomain(String fromDomain) {
    this.fromDomain = fromDomain;
  }

  /** The HELO/EHLO name of the connection when the message began. */
  public String helo() {
    return helo;
  }

  /** The client's host name as the MTA gave it at connect ("unknown" or "[IP]" when not confirmed). */
  public String clientHost() {
    return clientHost;
  }

  void setConnection(String helo, String clientHost) {
    this.helo = helo == null ? "" : helo;
    this.clientHost = clientHost == null ? "" : clientHost;
  }

  /** The SPF evaluation started at MAIL FROM (inbound only). */
  Optional<CompletableFuture<SpfResult>> spfResult() {
    return Optional.ofNullable(spfResult);
  }

  void setSpfResult(CompletableFuture<SpfResult> result) {
    this.spfResult = result;
  }

  /** The separate SPF check of the HELO identity, when there is one (inbound, RFC 7208 section 2.3). */
  Optional<CompletableFuture<SpfResult>> heloSpfResult() {
    return Optional.ofNullable(heloSpfResult);
  }

  void setHeloSpfResult(CompletableFuture<SpfResult> result) {
    this.heloSpfResult = result;
  }

  /** The DMARC session started at end of headers (inbound only). */
  Optional<DmarcSession> dmarcSession() {
    return Optional.ofNullable(dmarcSession);
  }

  void setDmarcSession(DmarcSession session) {
    this.dmarcSession = session;
  }

  String notSignedReason() {
    return notSignedReason;
  }

  void setNotSignedReason(String reason) {
    this.notSignedReason = reason;
  }

  Optional<SigningSession> signingSession() {
    return Optional.ofNullable(signingSession);
  }

  void setSigningSession(SigningSession session, List<SigningKey> keys) {
    this.signingSession = session;
    this.signingKeys = List.copyOf(keys);
  }

  /** The keys this message is signed with, in signature order; empty when it is not signed (read by metrics). */
  public List<SigningKey> signingKeys() {
    return signingKeys;
  }

  Optional<VerificationSession> verificationSession() {
    return Optional.ofNullable(verificationSession);
  }

  void setVerificationSession(VerificationSession session) {
    this.verificationSession = session;
  }

  /**
   * The one deadline of the message's lookups: created at MAIL FROM (SPF starts then), armed at end of headers,
   * expired when the message ends without a decision (abort, a new MAIL FROM, the connection closing).
   */
  public Deadline deadline() {
    return deadline;
  }

  boolean isEndOfHeadersSeen() {
    return endOfHeadersSeen;
  }

  void markEndOfHeaders() {
    this.endOfHeadersSeen = true;
  }

  /** The first internal error of an earlier step; the end of message then applies the fallback. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  public void fail(Throwable cause) {
    if (failure == null) {
      failure = cause;
    }
  }
}
