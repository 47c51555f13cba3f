package org.postseal.dns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Address;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;

/**
 * The production {@link DnsSource}: dnsjava's asynchronous resolver behind a TTL-honouring cache.
 *
 * <p>Threading: {@link #lookup} never blocks; it returns a cached answer at once or a future that the
 * resolver's own daemon threads complete. Dependent stages a caller attaches without {@code *Async} run on
 * those threads, so heavy work (verifying a signature) belongs on the caller's pool. Concurrent lookups of
 * the same name and type share one query.
 *
 * <p>Every outcome is a value: the future never completes exceptionally and always completes within the
 * configured timeout (enforced here, because dnsjava checks its own timeouts only when its selector is idle).
 * Cache lifetimes: the answer's smallest TTL (at most {@link #MAX_POSITIVE_TTL}); negative answers the SOA's
 * negative TTL (RFC 2308 section 5, at most {@link #MAX_NEGATIVE_TTL}, {@link #NEGATIVE_TTL_WITHOUT_SOA}
 * without SOA); failures {@link #FAILURE_TTL}, so a broken zone is not hammered by every message. Cache
 * expiry reads the injected {@link Clock}; the query timeout is real elapsed time.
 */
public final class DnsResolver implements DnsSource {

  /** Longest time a positive answer is kept, whatever its TTL. */
  public static final Duration MAX_POSITIVE_TTL = Duration.ofDays(1);
  /** Longest time a negative answer is kept (RFC 2308 section 5 suggests one to three hours). */
  public static final Duration MAX_NEGATIVE_TTL = Duration.ofHours(1);
  /** How long a negative answer without SOA in its authority section is kept. */
  public static final Duration NEGATIVE_TTL_WITHOUT_SOA = Duration.ofSeconds(60);
  /** How long SERVFAIL, REFUSED, timeouts and network errors are kept (RFC 2308 section 7 allows up to 5 minutes). */
  public static final Duration FAILURE_TTL = Duration.ofSeconds(5);
  /** Cache size; beyond it the oldest entries go first. */
  public static final int MAX_CACHE_ENTRIES = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(DnsResolver.class);
  private static final int DEFAULT_PORT = 53;
  /** Shared by every resolver in the JVM; daemon threads that end when idle. */
  private static final Executor SHARED_EXECUTOR = newExecutor();

  /**
   * How many queries one lookup may send: the first at once, then one more each time a third of dns.timeout
   * passes without an answer, to the next server in turn. Every query stays open until the lookup's timeout,
   * so an answer to the first query after 3.2 s of a 5 s budget counts; before, dnsjava's ExtendedResolver
   * split the budget into two 2.5 s tries and dropped it (a temperror for an answer well inside dns.timeout).
   */
  public static final int QUERIES_PER_LOOKUP = 3;

  private final List<Resolver> servers;
  private final Duration timeout;
  private final Clock clock;
  private final Executor executor;
  private final AnswerCache cache;
  private final ConcurrentHashMap<AnswerCache.Key, CompletableFuture<DnsAnswer>> inFlight = new ConcurrentHashMap<>();
  private volatile DnsObserver observer = DnsObserver.NONE;

  DnsResolver(List<Resolver> servers, Duration timeout, Clock clock, Executor executor, int maxCacheEntries) {
    this.servers = List.copyOf(servers);
    if (this.servers.isEmpty()) {
      throw new IllegalArgumentException("a resolver needs at least one DNS server");
    }
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.executor = Objects.requireNonNull(executor, "executor");
    this.cache = new AnswerCache(maxCacheEntries);
  }

  /**
   * A resolver for the {@code dns.servers} and {@code dns.timeout} settings.
   *
   * @param servers "IP" or "IP:PORT" ("[IPv6]:PORT" for IPv6 with a port); empty means the system's
   *                resolvers (resolv.conf, via dnsjava's ResolverConfig)
   * @param timeout how long one lookup may take in all, repeated queries and the TCP retry of a truncated answer
   *                included (the rule: {@link #QUERIES_PER_LOOKUP})
   * @throws IllegalArgumentException naming the value when a server is not an IP literal (host names are
   *                                  refused: resolving them would need the DNS we are configuring)
   */
  public static DnsResolver create(List<String> servers, Duration timeout, Clock clock) {
    Objects.requireNonNull(servers, "servers");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(clock, "clock");
    if (timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("dns.timeout must be positive, was " + timeout);
    }
    List<InetSocketAddress> addresses = new ArrayList<>();
    for (String server : servers) {
      addresses.add(parseServer(server));
    }
    if (addresses.isEmpty()) {
      addresses.addAll(ResolverConfig.getCurrentConfig().servers());
    }
    if (addresses.isEmpty()) {
      addresses.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), DEFAULT_PORT));
    }
    return new DnsResolver(newResolvers(addresses, timeout), timeout, clock, SHARED_EXECUTOR, MAX_CACHE_ENTRIES);
  }

  /**
   * Parses one {@code dns.servers} entry: "192.0.2.1", "192.0.2.1:5353", "2001:db8::1", "[2001:db8::1]:5353".
   *
   * @throws IllegalArgumentException naming the value and what is allowed
   */
  public static InetSocketAddress parseServer(String server) {
    Objects.requireNonNull(server, "server");
    String text = server.trim();
    String host = text;
    int port = DEFAULT_PORT;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0) {
        throw invalidServer(server);
      }
      host = text.substring(1, close);
      String rest = text.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          throw invalidServer(server);
        }
        port = parsePort(rest.substring(1), server);
      }
    } else if (text.indexOf(':') >= 0 && text.indexOf(':') == text.lastIndexOf(':')) {
      // exactly one colon: IPv4 with a port (an IPv6 literal has at least two)
      host = text.substring(0, text.indexOf(':'));
      port = parsePort(text.substring(text.indexOf(':') + 1), server);
    }
    try {
      // Address.getByAddress accepts literals only: it never consults DNS
      return new InetSocketAddress(Address.getByAddress(host), port);
    } catch (UnknownHostException e) {
      throw invalidServer(server);
    }
  }

  private static int parsePort(String text, String server) {
    try {
      int port = Integer.parseInt(text);
      if (port >= 1 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below with the whole value
    }
    throw invalidServer(server);
  }

  private static IllegalArgumentException invalidServer(String server) {
    return new IllegalArgumentException("dns.servers entry \"" + server
        + "\" is not an IP address or IP:PORT (e.g. \"127.0.0.53\", \"192.0.2.1:5353\", \"[2001:db8::1]:53\")");
  }

  private static List<Resolver> newResolvers(List<InetSocketAddress> addresses, Duration timeout) {
    List<Resolver> out = new ArrayList<>();
    for (InetSocketAddress address : addresses) {
      SimpleResolver r = new SimpleResolver(address);
      // every query may stay open for the lookup's whole budget: an answer to the first query that comes
      // after a second query was sent still counts (see QUERIES_PER_LOOKUP)
      r.setTimeout(timeout);
      out.add(r);
    }
    return List.copyOf(out);
  }

  private static Executor newExecutor() {
    AtomicInteger count = new AtomicInteger();
    int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), task -> {
          Thread t = new Thread(task, "postseal-dns-" + count.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  @Override
  public CompletableFuture<DnsAnswer> lookup(String name, RecordType type) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    String normalName = normalize(name);
    Name qname;
    try {
      qname = Name.fromString(normalName + ".");
    } catch (TextParseException e) {
      // a label over 63 octets or a name over 255 cannot exist in the DNS: as good as NXDOMAIN
      LOG.debug("not a DNS name, treated as nonexistent: {} ({})", name, e.getMessage());
      return CompletableFuture.completedFuture(new DnsAnswer.NotFound(true));
    }
    AnswerCache.Key key = new AnswerCache.Key(normalName, type);
    DnsAnswer cached = cache.get(key, clock.instant());
    if (cached != null) {
      observer.answeredWithoutQuery(type);
      return CompletableFuture.completedFuture(cached);
    }
    CompletableFuture<DnsAnswer> query = new CompletableFuture<>();
    CompletableFuture<DnsAnswer> running = inFlight.putIfAbsent(key, query);
    if (running != null) {
      observer.answeredWithoutQuery(type);
      return running.copy();
    }
    // another lookup may have finished between the cache miss and putIfAbsent
    DnsAnswer justCached = cache.get(key, clock.instant());
    if (justCached != null) {
      inFlight.remove(key, query);
      observer.answeredWithoutQuery(type);
      query.complete(justCached);
      return query.copy();
    }
    send(key, qname, query);
    // each caller gets its own copy: one caller cancelling must not cancel the others' answer
    return query.copy();
  }

  /** Who is told about each lookup from now on (metrics); {@link DnsObserver#NONE} by default. */
  public DnsResolver observedBy(DnsObserver value) {
    this.observer = Objects.requireNonNull(value, "observer");
    return this;
  }

  /** Drops every cached answer (SIGHUP, tests). Lookups in flight are not affected. */
  public void clearCache() {
    cache.clear();
  }

  /** Number of cached answers, expired ones not yet evicted included. */
  public int cacheSize() {
    return cache.size();
  }

  /**
   * Sends the queries of one lookup on the schedule of {@link #QUERIES_PER_LOOKUP} and completes {@code query}
   * with the first answer. A SERVFAIL, REFUSED or network error from one server sends the next query at once to
   * another server if there is one not yet asked; otherwise it is the answer. Past the timeout: timed out.
   */
  private void send(AnswerCache.Key key, Name qname, CompletableFuture<DnsAnswer> query) {
    long started = System.nanoTime();
    AtomicBoolean finished = new AtomicBoolean();
    int qtype = AnswerReader.dnsType(key.type());
    // the root zone is "" in the cache key and "." to a reader
    String what = (key.name().isEmpty() ? "." : key.name()) + " " + key.type();
    Message message = Message.newQuery(Record.newRecord(qname, qtype, DClass.IN));
    CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS, executor).execute(() ->
        finish(key, query, finished, started, AnswerReader.failure(
            new DnsAnswer.Failed("no answer for " + what + " within " + timeout.toMillis() + " ms", true))));
    Lookup lookup = new Lookup(key, qname, what, message, query, finished, started);
    lookup.ask(0);
    Duration interval = timeout.dividedBy(QUERIES_PER_LOOKUP);
    for (int i = 1; i < QUERIES_PER_LOOKUP; i++) {
      int attempt = i;
      CompletableFuture.delayedExecutor(interval.toNanos() * i, TimeUnit.NANOSECONDS, executor)
          .execute(() -> lookup.ask(attempt));
    }
  }

  /** The queries of one lookup under way. */
  private final class Lookup {
    private final AnswerCache.Key key;
    private final Name qname;
    private final String what;
    private final Message message;
    private final CompletableFuture<DnsAnswer> query;
    private final AtomicBoolean finished;
    /** System.nanoTime() when the first query went out. */
    private final long started;
    /** Queries sent so far; query i goes to server i modulo the number of servers. */
    private final AtomicInteger sent = new AtomicInteger();

    Lookup(AnswerCache.Key key, Name qname, String what, Message message, CompletableFuture<DnsAnswer> query,
           AtomicBoolean finished, long started) {
      this.key = key;
      this.qname = qname;
      this.what = what;
      this.message = message;
      this.query = query;
      this.finished = finished;
      this.started = started;
    }

    /** The scheduled query number {@code attempt}, unless the lookup is over or that many were sent already. */
    void ask(int attempt) {
      if (finished.get()) {
        return;
      }
      int number = sent.get();
      if (number > attempt || !sent.compareAndSet(number, number + 1)) {
        return;
      }
      Resolver server = servers.get(number % servers.size());
      CompletionStage<Message> response;
      try {
        response = server.sendAsync(message.clone(), executor);
      } catch (RuntimeException e) {
        response = CompletableFuture.failedFuture(e);
      }
      response.whenComplete(this::answered);
    }

    private void answered(Message answer, Throwable error) {
      AnswerReader.Reading reading;
      try {
        reading = error == null
            ? AnswerReader.read(answer, qname, key.type())
            : AnswerReader.failure(failureOf(error, what));
      } catch (RuntimeException e) {
        reading = AnswerReader.failure(new DnsAnswer.Failed("unreadable answer for " + what + ": " + e, false));
      }
      if (reading.answer() instanceof DnsAnswer.Failed failed) {
        if (failed.timedOut()) {
          // this query's own timer; the lookup's timer says timed out, and later queries may still answer
          return;
        }
        int next = sent.get();
        if (next < servers.size() && next < QUERIES_PER_LOOKUP) {
          // another server has not been asked yet: ask it now rather than report this server's failure
          ask(next);
          return;
        }
      }
      finish(key, query, finished, started, reading);
    }
  }

  private void finish(AnswerCache.Key key, CompletableFuture<DnsAnswer> query, AtomicBoolean finished, long started,
                      AnswerReader.Reading reading) {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    if (reading.answer() instanceof DnsAnswer.Failed failed) {
      LOG.debug("DNS lookup failed: {}", failed.reason());
    }
    Instant now = clock.instant();
    cache.put(key, reading.answer(), reading.cacheFor(), now);
    inFlight.remove(key, query);
    // before the callers hear the answer, so that what they do next is observed after it
    observer.queried(key.type(), reading.answer(), Duration.ofNanos(System.nanoTime() - started));
    query.complete(reading.answer());
  }

  private static DnsAnswer.Failed failureOf(Throwable error, String what) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    if (cause instanceof SocketTimeoutException || message.startsWith("Timed out")) {
      return new DnsAnswer.Failed("no answer for " + what + ": " + message, true);
    }
    if (cause instanceof PortUnreachableException) {
      return new DnsAnswer.Failed(DnsAnswer.Failed.UNREACHABLE + " for " + what + " (port unreachable)", false);
    }
    return new DnsAnswer.Failed("lookup of " + what + " failed: " + cause.getClass().getSimpleName()
        + ": " + message, false);
  }

  /**
   * Cache key form: lower case (names are case-insensitive, RFC 4343), no trailing dot. Not
   * {@link org.postseal.mail.DomainName} on purpose: lookups are for any DNS owner name, and some are not
   * domain names in its sense (SPF macro expansions may hold any character, RFC 7208 section 7.3, and must be
   * queried as written, not IDNA-converted or refused); this only folds case and the final dot, on every
   * lookup, cache hits included.
   */
  static String normalize(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }

  @Override
  public String toString() {
    return "DnsResolver[" + servers + ", timeout=" + timeout.toMillis() + " ms]";
  }
}
