package org.postseal.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.postseal.config.Release;
import org.postseal.dkim.DkimAlgorithm;
import org.postseal.dkim.DkimResult;
import org.postseal.dkim.SigningKey;
import org.postseal.dmarc.DmarcAction;
import org.postseal.dmarc.store.ReportingCounters;
import org.postseal.dns.DnsAnswer;
import org.postseal.dns.DnsObserver;
import org.postseal.dns.RecordType;
import org.postseal.keys.KeyDirectory;
import org.postseal.keys.KeyEntry;
import org.postseal.keys.KeyState;
import org.postseal.keys.SigningKeys;
import org.postseal.milter.LimitCounters;
import org.postseal.pipeline.Direction;
import org.postseal.pipeline.InboundAuthentication;
import org.postseal.pipeline.MessageState;
import org.postseal.pipeline.MessageVerdict;
import org.postseal.pipeline.Reply;

/**
 * Every metric Postseal exports, all named {@code postseal_*}, with labels from small fixed sets only
 * (directions, actions, algorithms, result and cause keywords, record types, key states; never a domain or an
 * address): a scrape stays the same size however much mail flows.
 *
 * <p>The milter tells it one thing per message ({@link #messageDecided}), the resolver each lookup (it is a
 * {@link DnsObserver}); sessions, messages in flight and key states are read when scraped. Thread-safe; each
 * call is a few atomic additions.
 */
public final class PostsealMetrics implements DnsObserver {

  /** Where a message ended: the reply, or for mail that went on, what was done to it. */
  public enum Action {
    /** Inbound, delivered (with our Authentication-Results). */
    ACCEPT,
    /** Inbound, delivered with the quarantine header (dmarc.quarantine = "header"). */
    QUARANTINE_HEADER,
    /** Held by Postfix (dmarc.quarantine = "hold"). */
    HOLD,
    /** Refused with a 5xx reply (DMARC). */
    REJECT,
    /** A 4xx reply: a DNS failure under on-dns-error = "tempfail", or outbound mail we could not sign. */
    TEMPFAIL,
    /** Outbound, sent on with at least one signature. */
    SIGNED,
    /** Outbound, sent on without a signature (not a signing domain, no usable key). */
    UNSIGNED;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Decision latency buckets, in seconds: sub-millisecond signing up to the 30 s message deadline. */
  static final double[] DECISION_BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
      5, 10, 30};
  /** DNS latency buckets, in seconds, up to the longest dns.timeout allowed. */
  static final double[] DNS_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter messages;
  private final Histogram decisionSeconds;
  private final Counter internalErrors;
  private final Counter signatures;
  private final Counter verifications;
  private final Counter limitsHit;
  private final Counter dnsLookups;
  private final Counter dnsWithoutQuery;
  private final Histogram dnsSeconds;

  public PostsealMetrics() {
    Info.builder().name("postseal_build_info").help("The running release").labelNames("version").register(registry)
        .setLabelValues(Release.version());
    messages = Counter.builder().name("postseal_messages_total")
        .help("Messages decided, by direction and what was done: accept, quarantine_header, hold, reject, tempfail"
            + " (inbound); signed, unsigned, tempfail (outbound)")
        .labelNames("direction", "action").register(registry);
    decisionSeconds = Histogram.builder().name("postseal_decision_seconds")
        .help("From end of message to our final reply: inbound waits here for its lookups (at most the message's"
            + " deadline), outbound signs")
        .labelNames("direction").classicOnly().classicUpperBounds(DECISION_BUCKETS).register(registry);
    internalErrors = Counter.builder().name("postseal_internal_errors_total")
        .help("Messages that hit an internal error and got the fallback (inbound passes unchanged, outbound 451)")
        .labelNames("direction").register(registry);
    signatures = Counter.builder().name("postseal_signatures_total")
        .help("DKIM signatures added to outbound mail, by algorithm").labelNames("algorithm").register(registry);
    verifications = Counter.builder().name("postseal_verification_results_total")
        .help("Inbound results by method (dkim: one per signature, none when a message has none; spf; dmarc), result"
            + " and cause keyword")
        .labelNames("method", "result", "cause").register(registry);
    limitsHit = Counter.builder().name("postseal_limits_hit_total")
        .help("Inbound messages that reached a configured limit, by its configuration key (verify.max-signatures,"
            + " spf.max-dns-terms, dns.message-deadline, ...)")
        .labelNames("limit").register(registry);
    InboundAuthentication.LIMITS.forEach(limitsHit::initLabelValues);
    dnsLookups = Counter.builder().name("postseal_dns_lookups_total")
        .help("DNS lookups that sent queries, by record type and answer: found, not_found, failed, timeout")
        .labelNames("type", "answer").register(registry);
    dnsWithoutQuery = Counter.builder().name("postseal_dns_cache_hits_total")
        .help("DNS lookups answered without a query of their own: from the cache, or by joining the same query"
            + " already under way")
        .labelNames("type").register(registry);
    dnsSeconds = Histogram.builder().name("postseal_dns_lookup_seconds")
        .help("Time from the first query of a lookup to its answer (or its timeout), by record type")
        .labelNames("type").classicOnly().classicUpperBounds(DNS_BUCKETS).register(registry);
    // every series of the fixed label sets exists from the start, so that rate() sees the first increment
    for (Direction direction : Direction.values()) {
      decisionSeconds.labelValues(direction.logName());
      internalErrors.labelValues(direction.logName());
    }
    for (DkimAlgorithm algorithm : DkimAlgorithm.values()) {
      signatures.labelValues(algorithm.tagValue());
    }
  }

  /**
   * Sessions (milter connections) open now and messages between MAIL FROM and their reply, read when scraped.
   * Called once, when the milter listens.
   */
  public void watchMilter(IntSupplier sessionsOpen, IntSupplier messagesInFlight) {
    GaugeWithCallback.builder().name("postseal_sessions_open").help("Milter connections open now")
        .callback(cb -> cb.call(sessionsOpen.getAsInt())).register(registry);
    GaugeWithCallback.builder().name("postseal_messages_in_flight")
        .help("Messages between MAIL FROM and their final reply now").callback(cb -> cb.call(messagesInFlight.getAsInt()))
        .register(registry);
  }

  /**
   * What the milter port refused or cut, read when scraped: one series per limit of {@code [milter]}, by a fixed
   * label (the counts only grow). Called once, when the milter listens.
   */
  public void watchMilterLimits(LimitCounters counters) {
    Objects.requireNonNull(counters, "counters");
    CounterWithCallback.builder().name("postseal_milter_limit_events")
        .help("Milter port limit events: connections refused (max-connections, per client), idle connections closed,"
            + " idle connections closed to make room at max-connections,"
            + " protocol violations (connection closed), oversized frames skipped, messages over a limit (on-limit"
            + " answer), memory budget refusals, reads paused for unread replies, internal errors")
        .labelNames("event")
        .callback(cb -> {
          cb.call(counters.connectionsRefused(), "connection_refused");
          cb.call(counters.idleConnectionsClosed(), "idle_connection_closed");
          cb.call(counters.connectionsClosedForRoom(), "connection_closed_for_room");
          cb.call(counters.protocolViolations(), "protocol_violation");
          cb.call(counters.oversizedFrames(), "oversized_frame");
          cb.call(counters.messagesOverLimit(), "message_over_limit");
          cb.call(counters.memoryBudgetRefusals(), "memory_budget_refusal");
          cb.call(counters.readsPaused(), "read_paused");
          cb.call(counters.internalErrors(), "internal_error");
        }).register(registry);
  }

  /**
   * The results database and the aggregate reports, read when scraped: evaluated messages stored and dropped (the
   * queue was full or the database refused them), reports built, report mails sent and given up. Called once, when
   * serve keeps results in the database.
   */
  public void watchReports(ReportingCounters counters) {
    Objects.requireNonNull(counters, "counters");
    CounterWithCallback.builder().name("postseal_dmarc_results_stored")
        .help("Evaluated inbound messages written to the results database")
        .callback(cb -> cb.call(counters.rowsStored())).register(registry);
    CounterWithCallback.builder().name("postseal_dmarc_results_dropped")
        .help("Evaluated inbound messages lost: the write queue was full or the database refused them (each logged)")
        .callback(cb -> cb.call(counters.rowsDropped())).register(registry);
    CounterWithCallback.builder().name("postseal_dmarc_reports_built")
        .help("DMARC aggregate reports built and put in the outbox")
        .callback(cb -> cb.call(counters.reportsBuilt())).register(registry);
    CounterWithCallback.builder().name("postseal_dmarc_reports_sent")
        .help("Aggregate report mails the SMTP server accepted, one per destination")
        .callback(cb -> cb.call(counters.reportsSent())).register(registry);
    CounterWithCallback.builder().name("postseal_dmarc_reports_failed")
        .help("Aggregate report mails given up: 5xx, retries exhausted, or a destination refused")
        .callback(cb -> cb.call(counters.reportsFailed())).register(registry);
  }

  /**
   * [signing] domains-query, read when scraped: how often it failed (each an ERROR log line; the last good list
   * stays in force), and how many domains are signed now (signing.domains and the query's together).
   */
  public void watchSigningDomains(java.util.function.LongSupplier queryFailures, IntSupplier signingDomains) {
    CounterWithCallback.builder().name("postseal_signing_domains_query_failures")
        .help("Runs of [signing] domains-query that failed; the last good list of domains stayed in force")
        .callback(cb -> cb.call(queryFailures.getAsLong())).register(registry);
    GaugeWithCallback.builder().name("postseal_signing_domains")
        .help("Domains signed and protected now: signing.domains and what domains-query returned")
        .callback(cb -> cb.call(signingDomains.getAsInt())).register(registry);
  }

  /** The keys serve signs with, read when scraped: how many keys in each state, and how many were refused. */
  public void watchKeys(Supplier<KeyDirectory> keys) {
    Objects.requireNonNull(keys, "keys");
    GaugeWithCallback.builder().name("postseal_keys").help("Keys in the key directory, by state and algorithm")
        .labelNames("state", "algorithm").callback(cb -> {
          KeyDirectory directory = keys.get();
          Map<KeyState, Map<DkimAlgorithm, Integer>> counts = new EnumMap<>(KeyState.class);
          for (KeyState state : KeyState.values()) {
            Map<DkimAlgorithm, Integer> byAlgorithm = new EnumMap<>(DkimAlgorithm.class);
            for (DkimAlgorithm algorithm : DkimAlgorithm.values()) {
              byAlgorithm.put(algorithm, 0);
            }
            counts.put(state, byAlgorithm);
          }
          for (String domain : directory.domains()) {
            for (KeyEntry entry : directory.entries(domain)) {
              counts.get(entry.state()).merge(entry.algorithm(), 1, Integer::sum);
            }
          }
          counts.forEach((state, byAlgorithm) -> byAlgorithm.forEach((algorithm, n) ->
              cb.call(n, state.label(), algorithm.tagValue())));
        }).register(registry);
    GaugeWithCallback.builder().name("postseal_key_problems")
        .help("Key files or directories serve refused (permissions, owner, unreadable); each is logged as an ERROR")
        .callback(cb -> cb.call(keys.get().problems().size())).register(registry);
  }

  /**
   * The keys that may sign but do not, read when scraped, by reason: not_checked (no DNS answer yet), missing,
   * different_key (the key file no longer matches the published p=), revoked, malformed. A key whose file says it
   * should sign and is withheld is also logged as an ERROR, once. Called once, when serve starts.
   */
  public void watchSigningKeys(Supplier<SigningKeys> keys) {
    Objects.requireNonNull(keys, "keys");
    GaugeWithCallback.builder().name("postseal_signing_keys_withheld")
        .help("Keys that would sign but do not, because DNS did not serve their public key at the last check, by"
            + " reason (not_checked, missing, different_key, revoked, malformed)")
        .labelNames("reason").callback(cb -> {
          Map<SigningKeys.Reason, Integer> counts = new EnumMap<>(SigningKeys.Reason.class);
          for (SigningKeys.Reason reason : SigningKeys.Reason.values()) {
            counts.put(reason, 0);
          }
          keys.get().withheld().forEach(w -> counts.merge(w.reason(), 1, Integer::sum));
          counts.forEach((reason, n) -> cb.call(n, reason.label()));
        }).register(registry);
  }

  /**
   * One message's end, called by the milter once its final reply went out: what it became, what was checked or
   * signed, how long the decision took ({@code decision}: from end of message to the reply).
   */
  public void messageDecided(MessageState message, MessageVerdict verdict, Reply sent, Duration decision) {
    // the verdict's edits are the signatures, and they went out only if the reply sent is the verdict's own
    boolean signaturesSent = message.direction() == Direction.OUTBOUND && sent.equals(verdict.reply())
        && !verdict.edits().isEmpty();
    List<DkimAlgorithm> signed = signaturesSent
        ? message.signingKeys().stream().map(SigningKey::algorithm).toList() : List.of();
    messageDecided(message.direction(), sent, signed, verdict.inbound(), message.failure().isPresent(), decision);
  }

  /**
   * @param signed         the algorithms of the signatures added (empty inbound, or when not signed)
   * @param inbound        what the inbound checks concluded; empty for outbound mail and after an internal error
   * @param internalError  whether the message got the fallback after an internal error
   */
  void messageDecided(Direction direction, Reply reply, List<DkimAlgorithm> signed,
                      Optional<InboundAuthentication> inbound, boolean internalError, Duration decision) {
    messages.labelValues(direction.logName(), action(direction, reply, signed, inbound).label()).inc();
    decisionSeconds.labelValues(direction.logName()).observe(decision.toNanos() / 1e9);
    if (internalError) {
      internalErrors.labelValues(direction.logName()).inc();
    }
    for (DkimAlgorithm algorithm : signed) {
      signatures.labelValues(algorithm.tagValue()).inc();
    }
    inbound.ifPresent(this::verified);
  }

  static Action action(Direction direction, Reply reply, List<DkimAlgorithm> signed,
                       Optional<InboundAuthentication> inbound) {
    if (reply instanceof Reply.Smtp smtp) {
      return smtp.code() >= 500 ? Action.REJECT : Action.TEMPFAIL;
    }
    if (reply instanceof Reply.Quarantine) {
      return Action.HOLD;
    }
    if (direction == Direction.OUTBOUND) {
      return signed.isEmpty() ? Action.UNSIGNED : Action.SIGNED;
    }
    return inbound.map(i -> i.disposition().action() == DmarcAction.QUARANTINE_HEADER).orElse(false)
        ? Action.QUARANTINE_HEADER : Action.ACCEPT;
  }

  private void verified(InboundAuthentication inbound) {
    if (inbound.dkim().isEmpty()) {
      verifications.labelValues("dkim", "none", "no_signature").inc();
    }
    for (DkimResult dkim : inbound.dkim()) {
      verifications.labelValues("dkim", dkim.outcome().keyword(), dkim.cause().keyword()).inc();
    }
    verifications.labelValues("spf", inbound.spf().outcome().keyword(), inbound.spf().cause().keyword()).inc();
    verifications.labelValues("dmarc", inbound.dmarc().outcome().keyword(), inbound.dmarc().cause().keyword()).inc();
    for (String limit : inbound.limitsHit()) {
      limitsHit.labelValues(limit).inc();
    }
  }

  @Override
  public void answeredWithoutQuery(RecordType type) {
    dnsWithoutQuery.labelValues(type.name()).inc();
  }

  @Override
  public void queried(RecordType type, DnsAnswer answer, Duration elapsed) {
    String kind;
    if (answer instanceof DnsAnswer.Found) {
      kind = "found";
    } else if (answer instanceof DnsAnswer.NotFound) {
      kind = "not_found";
    } else {
      kind = ((DnsAnswer.Failed) answer).timedOut() ? "timeout" : "failed";
    }
    dnsLookups.labelValues(type.name(), kind).inc();
    dnsSeconds.labelValues(type.name()).observe(elapsed.toNanos() / 1e9);
  }

  /** The current values of every metric, for the exposition. */
  public MetricSnapshots scrape() {
    return registry.scrape();
  }
}
