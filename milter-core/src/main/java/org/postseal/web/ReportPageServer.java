package org.postseal.web;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.postseal.config.HostPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP endpoint of {@code [web] listen} when it is not the metrics listener: the JDK's own HTTP server (as
 * {@code MetricsServer}) on one daemon thread, {@code postseal-web}. One page at a time: each waits for the database
 * and DNS, and an admin's browser is all it serves; it never touches the milter's threads.
 */
public final class ReportPageServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ReportPageServer.class);

  private final HttpServer server;
  private final ExecutorService executor;

  private ReportPageServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Binds {@code listen} and serves {@code page} at {@code /}.
   *
   * @throws IOException naming the address when it cannot be bound
   */
  public static ReportPageServer start(HostPort listen, ReportPageHandler page) throws IOException {
    Objects.requireNonNull(page, "page");
    InetSocketAddress address = new InetSocketAddress(listen.host(), listen.port());
    if (address.isUnresolved()) {
      throw new IOException("cannot serve the report page on " + listen + ": host " + listen.host()
          + " does not resolve");
    }
    HttpServer server;
    try {
      server = HttpServer.create(address, 16);
    } catch (IOException e) {
      throw new IOException("cannot serve the report page on " + listen + ": " + e.getMessage(), e);
    }
    server.createContext("/", page);
    ExecutorService executor = Executors.newSingleThreadExecutor(task -> {
      Thread thread = new Thread(task, "postseal-web");
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
    server.start();
    ReportPageServer started = new ReportPageServer(server, executor);
    LOG.info("report page on http://{}/", started.address());
    return started;
  }

  /** The address bound (the real port when 0 was asked for), as HOST:PORT. */
  public HostPort address() {
    InetSocketAddress bound = server.getAddress();
    return new HostPort(bound.getAddress().getHostAddress(), bound.getPort());
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
