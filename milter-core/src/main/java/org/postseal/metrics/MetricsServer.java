package org.postseal.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.postseal.config.HostPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP endpoint of {@code [metrics] listen}: {@code GET /metrics} is the Prometheus text format (version
 * 0.0.4), {@code GET /healthz} is 200 "ok" while the milter listens with its configuration and keys loaded,
 * else 503 with the reasons, one per line. When {@code [web] listen} is the same address, {@code /} is the report
 * page (its own handler). Nothing else is served (404). The JDK's own HTTP server (module jdk.httpserver, in every
 * headless JRE) on one daemon thread, two when it serves the page too (a page waits for the database and DNS, a
 * scrape should not wait for a page): a scrape every few seconds is all it serves otherwise, and it never touches
 * the milter's threads.
 */
public final class MetricsServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);

  private final HttpServer server;
  private final ExecutorService executor;
  private final boolean servesPage;

  private MetricsServer(HttpServer server, ExecutorService executor, boolean servesPage) {
    this.server = server;
    this.executor = executor;
    this.servesPage = servesPage;
  }

  /**
   * Binds {@code listen} and serves {@code metrics}; {@code health} lists what is wrong (empty: healthy).
   *
   * @throws IOException naming the address when it cannot be bound
   */
  public static MetricsServer start(HostPort listen, PostsealMetrics metrics, Supplier<List<String>> health)
      throws IOException {
    return start(listen, metrics, health, Optional.empty());
  }

  /**
   * As {@link #start(HostPort, PostsealMetrics, Supplier)}, and {@code page} answers every request for {@code /}
   * (the report page sharing this listener).
   *
   * @throws IOException naming the address when it cannot be bound
   */
  public static MetricsServer start(HostPort listen, PostsealMetrics metrics, Supplier<List<String>> health,
                                    Optional<HttpHandler> page) throws IOException {
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(page, "page");
    Objects.requireNonNull(health, "health");
    InetSocketAddress address = new InetSocketAddress(listen.host(), listen.port());
    if (address.isUnresolved()) {
      throw new IOException("cannot serve metrics on " + listen + ": host " + listen.host() + " does not resolve");
    }
    HttpServer server;
    try {
      server = HttpServer.create(address, 16);
    } catch (IOException e) {
      throw new IOException("cannot serve metrics on " + listen + ": " + e.getMessage(), e);
    }
    PrometheusTextFormatWriter text = PrometheusTextFormatWriter.create();
    server.createContext("/", exchange -> {
      if (page.isPresent() && exchange.getRequestURI().getRawPath().equals("/")) {
        page.get().handle(exchange);
        return;
      }
      try (exchange) {
        String path = exchange.getRequestURI().getPath();
        if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
          respond(exchange, 405, "text/plain; charset=utf-8", "GET only\n".getBytes(StandardCharsets.UTF_8));
        } else if (path.equals("/metrics")) {
          ByteArrayOutputStream body = new ByteArrayOutputStream();
          text.write(body, metrics.scrape(), EscapingScheme.DEFAULT);
          respond(exchange, 200, text.getContentType(), body.toByteArray());
        } else if (path.equals("/healthz")) {
          List<String> problems = health.get();
          String body = problems.isEmpty() ? "ok\n" : String.join("\n", problems) + "\n";
          respond(exchange, problems.isEmpty() ? 200 : 503, "text/plain; charset=utf-8",
              body.getBytes(StandardCharsets.UTF_8));
        } else {
          respond(exchange, 404, "text/plain; charset=utf-8",
              ("not found: /metrics (Prometheus) and /healthz" + (page.isPresent() ? " and / (the report page)" : "")
                  + " only\n").getBytes(StandardCharsets.UTF_8));
        }
      } catch (IOException | RuntimeException e) {
        LOG.warn("metrics request {} failed: {}", exchange.getRequestURI(), e.toString());
      }
    });
    ExecutorService executor = Executors.newFixedThreadPool(page.isPresent() ? 2 : 1, task -> {
      Thread thread = new Thread(task, "postseal-metrics");
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
    server.start();
    MetricsServer started = new MetricsServer(server, executor, page.isPresent());
    LOG.info("metrics on http://{}/metrics, health on /healthz{}", started.address(),
        page.isPresent() ? ", the report page on /" : "");
    return started;
  }

  private static void respond(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : body.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** The address bound (the real port when 0 was asked for), as HOST:PORT. */
  public HostPort address() {
    InetSocketAddress bound = server.getAddress();
    return new HostPort(bound.getAddress().getHostAddress(), bound.getPort());
  }

  /** Whether {@code /} is the report page here ([web] listen is this address). */
  public boolean servesPage() {
    return servesPage;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
