package org.postseal.milter;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Collectors;
import org.nightcode.milter.AbstractMilterHandler;
import org.nightcode.milter.Actions;
import org.nightcode.milter.CommandCode;
import org.nightcode.milter.MilterContext;
import org.nightcode.milter.MilterException;
import org.nightcode.milter.MilterMacros;
import org.nightcode.milter.ProtocolSteps;
import org.nightcode.milter.codec.MilterPacket;
import org.nightcode.milter.net.MilterPacketSender;
import org.postseal.config.MilterConfig;
import org.postseal.config.Network;
import org.postseal.dkim.DkimResult;
import org.postseal.dmarc.DmarcPolicy;
import org.postseal.dmarc.OverrideReason;
import org.postseal.dns.Deadline;
import org.postseal.mail.HeaderField;
import org.postseal.metrics.PostsealMetrics;
import org.postseal.pipeline.ConnectionState;
import org.postseal.pipeline.Direction;
import org.postseal.pipeline.HeaderEdit;
import org.postseal.pipeline.InboundAuthentication;
import org.postseal.pipeline.MessagePipeline;
import org.postseal.pipeline.MessageState;
import org.postseal.pipeline.MessageVerdict;
import org.postseal.pipeline.Reply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns jmilter callbacks into {@link MessagePipeline} calls and verdicts into protocol replies.
 *
 * <p>One instance serves every connection (jmilter's design); per-connection and per-message state
 * lives in {@link SessionContext}. Callbacks run on Netty event-loop threads shared by many
 * connections and never wait: the end-of-message decision runs on the auth pool once the DNS
 * lookups have answered, and that thread sends the header edits and the one final reply.
 *
 * <p>No exception leaves a callback: jmilter would drop the MTA's connection (docs/library-notes.md).
 * Everything is caught, logged with the session and queue id, and the message gets
 * {@link MessageVerdict#afterInternalError}: inbound passes unchanged, outbound gets 451.
 *
 * <p>What a client sends is kept only within the [milter] limits ({@link MessageAccount}): a message over one
 * stores nothing more, starts no lookup, and gets the on-limit answer at end of message. Only the macros we
 * ask for are kept, and every value from the wire is escaped before it is logged ({@link LogText}).
 */
final class AuthMilterHandler extends AbstractMilterHandler {

  private static final Logger LOG = LoggerFactory.getLogger(AuthMilterHandler.class);
  /** The one INFO line per message. */
  private static final Logger MESSAGE_LOG = LoggerFactory.getLogger("org.postseal.message");
  /** One line for a message that reached a configured limit (InboundAuthentication.limitsHit), before its own. */
  private static final Logger LIMITS_LOG = LoggerFactory.getLogger("org.postseal.limits");

  /**
   * Only what we use: insert header (part of SMFIF_ADDHDRS), change/delete header, quarantine (dmarc.quarantine
   * = "hold") and our macro list. jmilter drops the connection when the MTA does not grant every action asked
   * for, so nothing more; Postfix (since 2.3) and Sendmail (since 8.13) grant quarantine. It is asked for even
   * when the configuration does not hold messages, since a reload may switch to "hold" on open connections.
   * Custom reply codes (550, 451) need no action flag.
   */
  static final Actions ACTIONS = Actions.builder().addHeader().changeDeleteHeaders().quarantineEnvelope().setSymList()
      .build();

  /**
   * Leading space: header values arrive exactly as written (Postfix otherwise eats one space after the
   * colon, and DKIM simple canonicalization hashes it). No replies for the steps we only record, no
   * unknown SMTP commands.
   *
   * <p>Except DATA, which gets its reply although we only record it. Postfix's smtpd sends RCPT and DATA,
   * then its cleanup process sends the headers and body on the same socket. Postfix sets no TCP_NODELAY on
   * milter sockets, so while smtpd's last bytes are unacknowledged, Nagle holds cleanup's first write back
   * until our delayed ACK fires: about 40 ms per message, measured through Postfix (bench/compare.sh).
   * Our reply to DATA acknowledges those bytes before cleanup writes.
   */
  static final ProtocolSteps STEPS = ProtocolSteps.builder()
      .headerValueLeadingSpace()
      .noUnknownCommands()
      .noReplyForHeaders()
      .noReplyForRecipients()
      .noReplyForEoh()
      .noReplyForBodyChunk()
      .noReplyForUnknown()
      .build();

  /**
   * Macros per stage (the SMFIM_* lists of the option negotiation). Once a milter sends any list,
   * Postfix sends only the listed macros at every stage, so every stage we need is listed.
   * {client_addr} backs up connect's address for IPv6, which jmilter 0.6.1 leaves null; {i} (queue id)
   * is known from DATA on.
   */
  static final MilterMacros MACROS = MilterMacros.builder()
      .connectMacros("j {daemon_name} {client_addr} {client_name}")
      .envfromMacros("i {auth_type} {auth_authen}")
      .dataMacros("i")
      .eohMacros("i")
      .eomMacros("i")
      .build();

  /**
   * The macros of {@link #MACROS}: the only ones kept. An MTA may send others (Sendmail sends a dozen
   * unasked); a client could send thousands of names to grow the connection's state without end.
   */
  static final Set<String> KEPT_MACROS = Set.of("j", "{daemon_name}", "{client_addr}", "{client_name}", "i",
      "{auth_type}", "{auth_authen}");

  private final MessagePipeline pipeline;
  private final Executor authPool;
  private final InFlightMessages inFlight;
  private final PostsealMetrics metrics;
  private final ConnectionLimits limits;
  private final boolean logMessages;

  AuthMilterHandler(MessagePipeline pipeline, Executor authPool, InFlightMessages inFlight, PostsealMetrics metrics,
                    ConnectionLimits limits) {
    this(pipeline, authPool, inFlight, metrics, limits, true);
  }

  /**
   * @param logMessages false for the warm-up's private listener ({@link MilterServer#startForWarmUp}): its made-up
   *                    messages get no message or limits line
   */
  AuthMilterHandler(MessagePipeline pipeline, Executor authPool, InFlightMessages inFlight, PostsealMetrics metrics,
                    ConnectionLimits limits, boolean logMessages) {
    super(ACTIONS, STEPS, MACROS);
    this.pipeline = pipeline;
    this.authPool = authPool;
    this.inFlight = inFlight;
    this.metrics = metrics;
    this.limits = limits;
    this.logMessages = logMessages;
  }

  @Override
  public MilterContext createContext(MilterPacketSender sender) {
    return newSession(sender, "unknown");
  }

  /** The context of a new connection from {@code peer} (for log lines). */
  SessionContext newSession(MilterPacketSender sender, String peer) {
    return new SessionContext(this, ACTIONS, STEPS, MACROS, sender, peer, limits.budget());
  }

  @Override
  public void optneg(MilterContext context, int mtaProtocolVersion, Actions mtaActions, ProtocolSteps mtaProtocolSteps) {
    try {
      super.optneg(context, mtaProtocolVersion, mtaActions, mtaProtocolSteps);
      LOG.debug("[{}] negotiated version {} {} {}", session(context), context.getSessionProtocolVersion(),
          context.milterActions(), context.getSessionProtocolSteps());
    } catch (Exception | Error e) {
      LOG.error("[{}] option negotiation failed; closing the connection", session(context), e);
      context.destroy();
    }
  }

  /**
   * Keeps the macros we asked for. jmilter's own copy of every macro packet (super.macro) is not made: we
   * never read it, and it would keep the last packet of each stage, up to max-frame-bytes each.
   */
  @Override
  public void macro(MilterContext context, int type, Map<String, String> macros) {
    SessionContext ctx = (SessionContext) context;
    try {
      Map<String, String> kept = new HashMap<>();
      for (Map.Entry<String, String> macro : macros.entrySet()) {
        if (KEPT_MACROS.contains(macro.getKey())) {
          kept.put(macro.getKey(), macro.getValue());
        }
      }
      SessionContext.OpenMessage open = ctx.message();
      if (type == CommandCode.SMFIC_CONNECT.code()) {
        ctx.connection().putConnectMacros(kept);
      } else if (type == CommandCode.SMFIC_MAIL.code()) {
        ctx.putPendingMailMacros(kept);
      } else if (open != null && kept.containsKey("i")) {
        String queueId = kept.get("i");
        if (open.account().keepEnvelope(queueId.length())) {
          open.state().setQueueId(queueId);
        } else {
          noteOverLimit(open);
        }
      }
      holdConnectionState(ctx);
    } catch (Exception | Error e) {
      LOG.error("[{}] cannot record macros of stage '{}'", session(context), (char) type, e);
    }
  }

  @Override
  public void connect(MilterContext context, String hostname, int family, int port, SocketAddress address) {
    SessionContext ctx = (SessionContext) context;
    try {
      InetAddress ip = address instanceof InetSocketAddress inet ? inet.getAddress() : null;
      if (ip == null) {
        // jmilter 0.6.1 parses only IPv4 in connect; IPv6 clients arrive with a null address.
        String macro = ctx.connection().connectMacros().getOrDefault("{client_addr}", "");
        ip = Network.parseAddressLiteral(macro).orElse(null);
      }
      ctx.connection().setClient(hostname, ip);
      LOG.debug("[{}] connect from {} [{}]", ctx.connection().sessionId(), LogText.of(hostname),
          ip == null ? "unknown" : ip.getHostAddress());
      holdConnectionState(ctx);
    } catch (Exception | Error e) {
      LOG.error("[{}] cannot record the client; it counts as unknown", session(context), e);
    }
    sendContinue(context);
  }

  @Override
  public void helo(MilterContext context, String helohost) {
    try {
      SessionContext ctx = (SessionContext) context;
      ctx.connection().setHelo(helohost);
      holdConnectionState(ctx);
    } catch (Exception | Error e) {
      LOG.error("[{}] cannot record HELO", session(context), e);
    }
    sendContinue(context);
  }

  @Override
  public void envfrom(MilterContext context, List<String> from) {
    SessionContext ctx = (SessionContext) context;
    ConnectionState connection = ctx.connection();
    Map<String, String> macros = new HashMap<>(connection.connectMacros());
    macros.putAll(ctx.takePendingMailMacros());
    String mailFrom = from.isEmpty() ? "" : from.get(0);
    endMessage(ctx.takeMessage());
    holdConnectionState(ctx);
    MessageAccount account = new MessageAccount(limits.config(), limits.budget(), limits.counters());
    long envelopeChars = mailFrom.length();
    for (Map.Entry<String, String> macro : macros.entrySet()) {
      envelopeChars += macro.getKey().length() + macro.getValue().length();
    }
    account.keepEnvelope(envelopeChars);
    MessageState message;
    try {
      // even over the budget: the direction decides the on-limit answer
      message = pipeline.beginMessage(connection, mailFrom, macros);
    } catch (Exception | Error e) {
      // the direction is unknown: the message passes unchanged rather than being held up
      message = new MessageState(connection.sessionId(), connection.clientAddress().orElse(null), mailFrom, macros,
          Direction.INBOUND, System.nanoTime(), Deadline.after(Duration.ZERO));
      failed(message, "MAIL FROM", e);
    }
    SessionContext.OpenMessage open = new SessionContext.OpenMessage(message, account);
    ctx.setMessage(open);
    inFlight.begin();
    noteOverLimit(open);
    sendContinue(context);
  }

  @Override
  public void envrcpt(MilterContext context, List<String> recipients) {
    SessionContext.OpenMessage open = ((SessionContext) context).message();
    try {
      if (open != null && !recipients.isEmpty() && open.account().keepRecipient(recipients.get(0).length())) {
        open.state().addRecipient(recipients.get(0));
      }
    } catch (Exception | Error e) {
      failed(stateOf(open), "RCPT TO", e);
    }
    sendContinue(context);
  }

  @Override
  public void header(MilterContext context, String headerName, String headerValue) {
    SessionContext ctx = (SessionContext) context;
    SessionContext.OpenMessage open = ctx.message();
    try {
      if (open != null && !open.account().admitHeader(ctx.packetBytes())) {
        noteOverLimit(open);
      } else if (open != null && open.state().failure().isEmpty()) {
        boolean leadingSpace = (context.getSessionProtocolSteps().bitmap() & ProtocolSteps.HEADER_VALUE_LEADING_SPACE) != 0;
        open.state().addHeader(HeaderField.fromMilter(headerName,
            leadingSpace ? headerValue : restoreLeadingSpace(headerValue)));
      }
    } catch (Exception | Error e) {
      failed(stateOf(open), "header", e);
    }
    sendContinue(context);
  }

  @Override
  public void eoh(MilterContext context) {
    SessionContext.OpenMessage open = ((SessionContext) context).message();
    try {
      if (isChecked(open)) {
        pipeline.endOfHeaders(open.state());
      }
    } catch (Exception | Error e) {
      failed(stateOf(open), "end of headers", e);
    }
    sendContinue(context);
  }

  @Override
  public void body(MilterContext context, byte[] bodyChunk) {
    SessionContext.OpenMessage open = ((SessionContext) context).message();
    try {
      if (isChecked(open)) {
        pipeline.body(open.state(), bodyChunk, 0, bodyChunk.length);
      }
    } catch (Exception | Error e) {
      failed(stateOf(open), "body", e);
    }
    sendContinue(context);
  }

  /**
   * A header field or body chunk skipped unread by the frame decoder, longer than max-frame-bytes or more than the
   * memory budget could hold: its message is over its limit; the step gets its reply (unless negotiated without)
   * like any other.
   */
  void packetTooLarge(SessionContext ctx, int command, long length, boolean overBudget) {
    SessionContext.OpenMessage open = ctx.message();
    if (open != null) {
      if (overBudget) {
        open.account().packetOverBudget();
      } else {
        open.account().frameTooLarge(command, length);
      }
      noteOverLimit(open);
    }
    ctx.setSessionStep(command == 'L' ? CommandCode.SMFIC_HEADER : CommandCode.SMFIC_BODY);
    sendContinue(ctx);
  }

  @Override
  public void eom(MilterContext context, byte[] bodyChunk) {
    SessionContext ctx = (SessionContext) context;
    long eomNanos = System.nanoTime();
    SessionContext.OpenMessage open = ctx.takeMessage();
    if (open == null) {
      LOG.warn("[{}] end of message without MAIL FROM; passing it unchanged", ctx.connection().sessionId());
      sendContinue(context);
      return;
    }
    MessageState message = open.state();
    Optional<MessageAccount.Exceeded> exceeded = open.account().exceeded();
    if (exceeded.isPresent()) {
      MessageVerdict verdict = overLimit(message.direction(), exceeded.get(), open.account().config().onLimit());
      submit(() -> reply(ctx, open, verdict, eomNanos));
      return;
    }
    CompletableFuture<Void> ready;
    try {
      // Sendmail may send the last body chunk with end of message (docs/library-notes.md); Postfix never does
      if (bodyChunk != null && bodyChunk.length > 0 && message.failure().isEmpty()) {
        pipeline.body(message, bodyChunk, 0, bodyChunk.length);
      }
      ready = message.failure().isPresent() ? CompletableFuture.completedFuture(null) : pipeline.readyToDecide(message);
    } catch (Exception | Error e) {
      failed(message, "end of message", e);
      ready = CompletableFuture.completedFuture(null);
    }
    // the pipeline's readiness completes by the message's deadline at the latest: no clock of our own here
    ready.whenComplete((ignored, error) -> submit(() -> reply(ctx, open, decide(message), eomNanos)));
  }

  @Override
  public void abort(MilterContext context, MilterPacket packet) {
    // no reply to abort; the connection stays open for the next message
    SessionContext.OpenMessage open = ((SessionContext) context).takeMessage();
    if (open != null) {
      LOG.debug("[{}] message {} aborted by the MTA", open.state().sessionId(), LogText.of(open.state().queueId()));
      endMessage(open);
    }
  }

  /**
   * jmilter ends a session itself when the MTA does not grant the actions we asked for (no packet), and when it
   * cannot process a packet: the latter passed our checks ({@link CommandSyntax}), so it counts as an internal
   * error.
   */
  @Override
  public void abortSession(MilterContext context, MilterPacket packet) {
    if (packet != null) {
      limits.counters().internalErrors.incrementAndGet();
      LOG.warn("[{}] jmilter could not process a {} packet of {} bytes; closing the connection", session(context),
          CommandSyntax.name(packet.command()), packet.payload().length);
    }
    super.abortSession(context, packet);
  }

  @Override
  public void quit(MilterContext context) {
    SessionContext ctx = (SessionContext) context;
    endMessage(ctx.takeMessage());
    ctx.releaseConnectionState();
  }

  @Override
  public void quitNc(MilterContext context) {
    SessionContext ctx = (SessionContext) context;
    endMessage(ctx.takeMessage());
    ctx.connection().reset();
    holdConnectionState(ctx);
  }

  private void submit(Runnable task) {
    try {
      authPool.execute(task);
    } catch (RejectedExecutionException e) {
      // shutting down: answer on this thread rather than leave the MTA waiting
      task.run();
    }
  }

  /** Auth pool: the verdict of a message within its limits. */
  private MessageVerdict decide(MessageState message) {
    try {
      return message.failure().isPresent()
          ? MessageVerdict.afterInternalError(message.direction(), message.failure().get())
          : pipeline.decide(message);
    } catch (Exception | Error e) {
      failed(message, "decision", e);
      return MessageVerdict.afterInternalError(message.direction(), e);
    }
  }

  /**
   * Auth pool: the edits and the final reply, then the message's one log line. Every value in the line that
   * came from the message or the MTA (queue id, From domain, DKIM d= and s=, the decision naming them) is escaped.
   */
  private void reply(SessionContext ctx, SessionContext.OpenMessage open, MessageVerdict verdict, long eomNanos) {
    MessageState message = open.state();
    Reply sent = apply(ctx, message, verdict);
    endMessage(open);
    metrics.messageDecided(message, verdict, sent, Duration.ofNanos(System.nanoTime() - eomNanos));
    if (!logMessages) {
      return;
    }
    Optional<InboundAuthentication> inbound = verdict.inbound();
    inbound.filter(i -> !i.limitsHit().isEmpty()).ifPresent(i -> LIMITS_LOG.warn("queue={} session={} limits={}: the"
        + " message reached a configured limit; its results (next line) say what that made of it", queueText(message),
        message.sessionId(), String.join(",", i.limitsHit())));
    MESSAGE_LOG.info("queue={} session={} direction={} client={} from={} spf={} dkim={} dmarc={} policy={} disposition={}"
            + " override={} decision=\"{}\" reply=\"{}\" ms={}",
        queueText(message), message.sessionId(), message.direction().logName(),
        message.clientText(), message.fromDomain().isEmpty() ? "-" : LogText.of(message.fromDomain()),
        inbound.map(i -> LogText.of(i.spf().summary())).orElse("-"), LogText.of(dkimSummary(verdict.dkimResults())),
        inbound.map(i -> i.dmarc().outcome().keyword() + "(" + i.dmarc().cause().keyword() + ")").orElse("-"),
        inbound.flatMap(i -> i.disposition().policy()).map(DmarcPolicy::keyword).orElse("-"),
        inbound.map(i -> i.disposition().action().name().toLowerCase(Locale.ROOT)).orElse("-"),
        inbound.flatMap(i -> i.disposition().overrideReason()).map(OverrideReason::keyword).orElse("-"),
        LogText.of(verdict.decision()), LogText.of(sent.toString()), (System.nanoTime() - eomNanos) / 1_000_000);
  }

  /**
   * The answer to a message over a limit: outbound gets 451 (Postfix keeps it and retries rather than sending
   * it unsigned), inbound what milter.on-limit says. 4.3.4 is RFC 3463's "message too big for system"; 4.3.1,
   * "mail system full", when it is the memory shared by all sessions that ran out.
   */
  static MessageVerdict overLimit(Direction direction, MessageAccount.Exceeded exceeded, MilterConfig.LimitAction onLimit) {
    String enhancedCode = exceeded.limit() == MessageAccount.Limit.MEMORY_BUDGET ? "4.3.1" : "4.3.4";
    if (direction == Direction.OUTBOUND) {
      return new MessageVerdict(List.of(), new Reply.Smtp(451, enhancedCode, "Postseal could not sign this message ("
          + exceeded.what() + "), try again later"), "over limit, tempfail: " + exceeded.reason(), List.of());
    }
    if (onLimit == MilterConfig.LimitAction.TEMPFAIL) {
      return new MessageVerdict(List.of(), new Reply.Smtp(451, enhancedCode, "Postseal could not check this message ("
          + exceeded.what() + "), try again later"), "over limit, tempfail: " + exceeded.reason(), List.of());
    }
    return new MessageVerdict(List.of(), Reply.CONTINUE, "over limit, accepted unchecked: " + exceeded.reason(), List.of());
  }

  /** Within its limits and without an internal error: the message's steps go on to the pipeline. */
  private static boolean isChecked(SessionContext.OpenMessage open) {
    return open != null && open.account().exceeded().isEmpty() && open.state().failure().isEmpty();
  }

  /**
   * When the message has just gone over a limit: one (throttled) log line, the count, and its lookups
   * stopped, since nothing will be decided.
   */
  private void noteOverLimit(SessionContext.OpenMessage open) {
    open.account().newlyExceeded().ifPresent(exceeded -> {
      limits.counters().messagesOverLimit.incrementAndGet();
      MessageState message = open.state();
      message.deadline().expire();
      MilterConfig.LimitAction onLimit = open.account().config().onLimit();
      limits.overLimitLog.warn("[{}] queue {}: {} message over its limits: {}; it gets {}", message.sessionId(),
          queueText(message), message.direction().logName(), exceeded.reason(),
          overLimit(message.direction(), exceeded, onLimit).reply());
    });
  }

  /**
   * Holds budget for the connection's state after it grew (host name, HELO, macros); when the budget cannot
   * take it, the connection is closed: one (throttled) line, the count.
   */
  private void holdConnectionState(SessionContext ctx) {
    if (!ctx.holdConnectionState(ctx.connectionStateChars())) {
      limits.counters().memoryBudgetRefusals.incrementAndGet();
      limits.overLimitLog.warn("[{}] closing the connection from {}: the memory for all sessions ({}) is used up",
          ctx.connection().sessionId(), ctx.peer(), limits.budget().describe());
      ctx.destroy();
    }
  }

  /** Sends the edits, then the reply; when an edit cannot be sent, the fallback reply. Returns the reply sent. */
  private Reply apply(SessionContext ctx, MessageState message, MessageVerdict verdict) {
    try {
      for (HeaderEdit edit : verdict.edits()) {
        if (edit instanceof HeaderEdit.Insert insert) {
          messageModificationService.insertHeader(ctx, insert.index(), insert.field().name(), toMilterValue(insert.field()));
        } else if (edit instanceof HeaderEdit.Delete delete) {
          // an empty value deletes the field (SMFIR_CHGHEADER)
          messageModificationService.changeHeader(ctx, delete.occurrence(), delete.name(), "");
        }
      }
      sendReply(ctx, verdict.reply());
      return verdict.reply();
    } catch (Exception | Error e) {
      failed(message, "sending the verdict", e);
      Reply fallback = MessageVerdict.afterInternalError(message.direction(), e).reply();
      try {
        sendReply(ctx, fallback);
      } catch (Exception | Error again) {
        LOG.error("[{}] queue {}: cannot send the fallback reply either", message.sessionId(), queueText(message), again);
      }
      return fallback;
    }
  }

  private void sendReply(SessionContext ctx, Reply reply) throws MilterException {
    if (reply instanceof Reply.Smtp smtp) {
      messageModificationService.sendReply(ctx, smtp.code(), smtp.enhancedCode(), smtp.text());
    } else if (reply instanceof Reply.Quarantine quarantine) {
      // SMFIR_QUARANTINE is a modification, allowed only at end of message; the final answer follows
      messageModificationService.quarantine(ctx, quarantine.reason());
      ctx.sendContinue();
    } else {
      ctx.sendContinue();
    }
  }

  /**
   * The message is over, decided or not: its lookups stop, it no longer counts as in flight, and what it held
   * goes back to the budget.
   */
  private void endMessage(SessionContext.OpenMessage open) {
    if (open != null) {
      open.state().deadline().expire();
      open.account().close();
      inFlight.end();
    }
  }

  private void failed(MessageState message, String step, Throwable e) {
    limits.counters().internalErrors.incrementAndGet();
    if (message == null) {
      LOG.error("internal error at {} (no message in progress)", step, e);
      return;
    }
    LOG.error("[{}] queue {}: internal error at {}; the message gets the {} fallback", message.sessionId(),
        queueText(message), step, message.direction().logName(), e);
    message.fail(e);
  }

  private static MessageState stateOf(SessionContext.OpenMessage open) {
    return open == null ? null : open.state();
  }

  /** The queue id as logged: escaped, "-" while unknown. */
  private static String queueText(MessageState message) {
    return message.queueId().isEmpty() ? "-" : LogText.of(message.queueId());
  }

  private static void sendContinue(MilterContext context) {
    try {
      context.sendContinue();
    } catch (Exception | Error e) {
      LOG.warn("[{}] cannot send continue: {}", session(context), e.toString());
    }
  }

  private static String session(MilterContext context) {
    return context instanceof SessionContext ctx ? ctx.connection().sessionId() : String.valueOf(context.id());
  }

  /**
   * Without SMFIP_HDR_LEADSPC Postfix eats one space (not a tab) after the colon. Put it back so that
   * the field is as written in the common case; only a field written with no space, or with a space
   * before a tab, comes out different, which matters only for simple header canonicalization.
   */
  static String restoreLeadingSpace(String value) {
    return value.startsWith("\t") ? value : " " + value;
  }

  /**
   * Our fields are stored as written: leading space, CRLF folds. jmilter adds the leading space itself
   * when leading space was negotiated and Postfix adds it otherwise, and the milter protocol folds
   * with bare LF.
   */
  static String toMilterValue(HeaderField field) {
    String value = field.value();
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    return value.replace("\r\n", "\n");
  }

  private static String dkimSummary(List<DkimResult> results) {
    if (results.isEmpty()) {
      return "-";
    }
    return results.stream().map(DkimResult::summary).collect(Collectors.joining(",", "[", "]"));
  }
}
