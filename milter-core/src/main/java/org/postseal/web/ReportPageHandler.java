package org.postseal.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.postseal.config.HostPort;
import org.postseal.config.PostsealConfig;
import org.postseal.dmarc.store.ResultsDatabase;
import org.postseal.dns.DnsSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /} of {@code [web] listen}: the report page of the last {@code ?days=N} (1..366, default 30), made
 * afresh for each request. GET and HEAD only (405), {@code /} only (404), a bad {@code days} is 400 with a plain
 * explanation, and a failure (the database unreachable, a query failing) is a 500 page naming the cause, logged at
 * WARN: serve goes on. Every answer carries the page's Content-Security-Policy, nosniff and no-store.
 *
 * <p>Unless the admin said the page is guarded ({@code [web] listen-public}), a request whose Host header names no
 * loopback host is refused (421): a web page the admin visits could otherwise point its own name at 127.0.0.1 (DNS
 * rebinding) and read this page from the admin's browser, the same-origin rule being no help once the names match.
 *
 * <p>Runs on the HTTP server's thread ({@code postseal-web}, or {@code postseal-metrics} when it shares that
 * listener), never on a milter thread: the page waits for the database and for DNS (at most dns.timeout).
 */
public final class ReportPageHandler implements HttpHandler {

  private static final Logger LOG = LoggerFactory.getLogger(ReportPageHandler.class);
  private static final Pattern DAYS = Pattern.compile("[0-9]{1,3}");

  /** Makes the page of the last {@code days}. */
  @FunctionalInterface
  public interface PageSource {
    ReportPage load(int days) throws SQLException;
  }

  private final PageSource source;
  private final boolean anyHost;

  /**
   * @param anyHost answer whatever Host the request names ({@code listen-public}); false: loopback names only
   */
  public ReportPageHandler(PageSource source, boolean anyHost) {
    this.source = Objects.requireNonNull(source, "source");
    this.anyHost = anyHost;
  }

  /**
   * The page {@code serve} shows: the results database of the configuration serve started with (its writer and
   * reports use that one until a restart), opened for each request; the signing domains, DNS timeout and resolver
   * of the running configuration (a reload changes them).
   */
  public static ReportPageHandler forServe(PostsealConfig started, Supplier<PostsealConfig> running,
                                           Supplier<DnsSource> dns, Clock clock) {
    String url = started.database().url();
    Path stateDir = started.stateDir();
    return new ReportPageHandler(days -> {
      PostsealConfig config = running.get();
      ResultsDatabase database = ResultsDatabase.open(url, stateDir, clock);
      return ReportPage.load(database, config.signing().domains(), Optional.empty(), days, dns.get(),
          config.dns().timeout(), clock);
    }, started.web().listenPublic());
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        respond(exchange, 405, "text/plain; charset=utf-8", method + " is not allowed: the report page is read-only"
            + " (GET or HEAD)\n");
        return;
      }
      String host = exchange.getRequestHeaders().getFirst("Host");
      if (!anyHost && host != null && !isLoopbackHost(host)) {
        String shown = host.length() > 100 ? host.substring(0, 100) + "..." : host;
        respond(exchange, 421, "text/plain; charset=utf-8", "the report page answers requests for localhost,"
            + " 127.0.0.1 or [::1] only, not for \"" + shown + "\" (a name pointed at this host, as a DNS rebinding"
            + " attack does); behind your own proxy send Host: 127.0.0.1, or set listen-public = true in [web]\n");
        return;
      }
      if (!exchange.getRequestURI().getRawPath().equals("/")) {
        respond(exchange, 404, "text/plain; charset=utf-8", "not found: the report page is at / (with ?days=N)\n");
        return;
      }
      Days parsed = days(exchange.getRequestURI().getRawQuery());
      if (parsed instanceof Days.Bad bad) {
        respond(exchange, 400, "text/plain; charset=utf-8", bad.reason() + "\n");
        return;
      }
      int days = ((Days.Good) parsed).days();
      String page;
      int status = 200;
      try {
        page = ReportPageHtml.render(source.load(days), ReportPageHtml.Where.SERVED);
      } catch (SQLException | RuntimeException e) {
        String cause = e.getMessage() == null ? e.toString() : e.getMessage();
        LOG.warn("report page: could not be made: {}", cause);
        page = ReportPageHtml.failure(cause);
        status = 500;
      }
      respond(exchange, status, "text/html; charset=utf-8", page);
    } catch (IOException | RuntimeException e) {
      // the client went away mid-answer, or the answer could not be written: nothing to tell it
      LOG.warn("report page request {} failed: {}", exchange.getRequestURI(), e.toString());
    }
  }

  /** Whether a Host header ("localhost:9892", "127.0.0.1", "[::1]:9892") names a loopback host. */
  static boolean isLoopbackHost(String header) {
    String host = header.strip();
    if (host.startsWith("[")) {
      int close = host.indexOf(']');
      return close > 0 && new HostPort(host.substring(1, close), 0).isLoopback();
    }
    int colon = host.indexOf(':');
    return new HostPort(colon < 0 ? host : host.substring(0, colon), 0).isLoopback();
  }

  /** ?days=N as asked, or why not. */
  sealed interface Days {
    record Good(int days) implements Days {
    }

    record Bad(String reason) implements Days {
    }
  }

  /** The window the query asks for: days=N, 1..366; no query (or no days) is the default 30; other names ignored. */
  static Days days(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return new Days.Good(ReportPage.DEFAULT_DAYS);
    }
    String value = null;
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      if (name.equals("days")) {
        if (value != null) {
          return new Days.Bad("days is given twice; give it once: /?days=30");
        }
        value = eq < 0 ? "" : pair.substring(eq + 1);
      }
    }
    if (value == null) {
      return new Days.Good(ReportPage.DEFAULT_DAYS);
    }
    if (!DAYS.matcher(value).matches() || Integer.parseInt(value) < 1
        || Integer.parseInt(value) > ReportPage.MAX_DAYS) {
      String shown = value.length() > 20 ? value.substring(0, 20) + "..." : value;
      return new Days.Bad("days must be a whole number of days from 1 to " + ReportPage.MAX_DAYS + " (how far back the"
          + " page looks), was \"" + shown + "\"; e.g. /?days=30");
    }
    return new Days.Good(Integer.parseInt(value));
  }

  /** Sends {@code body} with the page's security headers; HEAD gets the headers only. */
  static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.getResponseHeaders().set("Content-Security-Policy", ReportPageHtml.CONTENT_SECURITY_POLICY);
    exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
    exchange.getResponseHeaders().set("X-Frame-Options", "DENY");
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }
}
