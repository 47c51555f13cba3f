package org.postseal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postseal.server.RunningPostseal.CLOCK;
import static org.postseal.server.RunningPostseal.NOW;
import static org.postseal.server.RunningPostseal.OUTSIDE_IP;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.config.ConfigLoader;
import org.postseal.config.ConfigResult;
import org.postseal.config.HostPort;
import org.postseal.config.PostsealConfig;
import org.postseal.dmarc.InMemoryDmarcResultStore;
import org.postseal.dmarc.received.ImportLimits;
import org.postseal.dmarc.received.ReceivedReportSummary;
import org.postseal.dmarc.received.ReportImporter;
import org.postseal.dmarc.store.ResultsDatabase;
import org.postseal.dns.DnsResolver;
import org.postseal.dns.FakeDnsServer;
import org.postseal.milter.FakeMta;
import org.postseal.web.PageFixtures;
import org.slf4j.LoggerFactory;

/**
 * serve with [web] listen: the report page over a real socket (port 0), from the results database in state-dir, on
 * a listener of its own or sharing the metrics one; what it answers to other methods, other paths and bad windows;
 * and a database that fails gives a 500 page naming it while serve goes on.
 */
class ServeReportPageTest {

  @TempDir
  Path stateDir;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private HttpResponse<String> send(HostPort address, String method, String path)
      throws IOException, InterruptedException {
    HttpRequest.BodyPublisher body = method.equals("POST") ? HttpRequest.BodyPublishers.ofString("x=1")
        : HttpRequest.BodyPublishers.noBody();
    return http.send(HttpRequest.newBuilder(URI.create("http://" + address + path)).timeout(Duration.ofSeconds(10))
        .method(method, body).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** The status line of a GET / sent by hand with {@code host} as its Host header (HttpClient will not set one). */
  private static String statusWithHost(HostPort address, String host) throws IOException {
    try (Socket socket = new Socket(address.host(), address.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return response.substring(0, response.indexOf("\r\n"));
    }
  }

  /** Two reports about example.com in serve's results database: 1,000 messages of ours, 30 spoofed. */
  private void importReports() throws Exception {
    ResultsDatabase database = ResultsDatabase.open("", stateDir, CLOCK);
    ReportImporter importer = new ReportImporter(database, CLOCK, ImportLimits.DEFAULTS);
    importer.importFile("a.xml", PageFixtures.report("google.com", "g1", "example.com", "none",
        NOW.minus(2, ChronoUnit.DAYS).truncatedTo(ChronoUnit.DAYS), "192.0.2.25 1000 pass pass",
        "203.0.113.66 30 fail fail").getBytes(StandardCharsets.UTF_8));
    importer.importFile("b.xml", PageFixtures.report(PageFixtures.HOSTILE_ORG, "h1", "example.com", "none",
        NOW.minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.DAYS), "192.0.2.25 10 pass pass")
        .getBytes(StandardCharsets.UTF_8));
  }

  private static void assertPageHeaders(HttpResponse<?> response, String contentType) {
    assertThat(response.headers().firstValue("Content-Type")).contains(contentType);
    assertThat(response.headers().firstValue("Content-Security-Policy"))
        .contains("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    assertThat(response.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(response.headers().firstValue("Cache-Control")).contains("no-store");
  }

  @Test
  void thePageIsServedOnItsOwnListenerWithItsHeaders_andOnlyGetAndHeadOfSlash() throws Exception {
    importReports();
    try (FakeDnsServer dns = FakeDnsServer.start()) {
      dns.load("66.113.0.203.in-addr.arpa. 300 IN PTR spoofer.example.\n");
      // dns.timeout 5s, the page's deadline for reverse names: every name here answers at once (the PTR, or
      // NXDOMAIN), and a loaded machine must not turn a slow first answer into a missing name
      try (RunningPostseal postseal = RunningPostseal.start(stateDir, dns, "domains = [\"example.com\"]",
          "[web]\nlisten = \"127.0.0.1:0\"\n", UnaryOperator.identity(), CLOCK, "5s")) {
        assertThat(postseal.server.metricsAddress()).isEmpty();
        HostPort page = postseal.server.pageAddress().orElseThrow();

        HttpResponse<String> get = send(page, "GET", "/");
        assertThat(get.statusCode()).as(get.body()).isEqualTo(200);
        assertPageHeaders(get, "text/html; charset=utf-8");
        Document doc = Jsoup.parse(get.body());
        ReceivedReportSummary.Summary summary = ReceivedReportSummary.load(ResultsDatabase.open("", stateDir, CLOCK),
            NOW.minus(30, ChronoUnit.DAYS), Optional.empty(),
            DnsResolver.create(List.of(dns.address()), Duration.ofSeconds(2), CLOCK), Duration.ofSeconds(2));
        Element section = doc.selectFirst("section.domain");
        assertThat(section.attr("data-domain")).isEqualTo("example.com");
        assertThat(section.selectFirst("[data-metric=messages]").text()).isEqualTo("1040")
            .isEqualTo(Long.toString(summary.domains().get(0).messages()));
        assertThat(section.selectFirst("[data-metric=dmarc-pass]").text()).isEqualTo("1010");
        Element spoofer = section.selectFirst("tr.source");
        assertThat(spoofer.attr("data-ip")).isEqualTo("203.0.113.66");
        assertThat(spoofer.attr("data-failing")).isEqualTo("true");
        assertThat(spoofer.selectFirst("td[data-col=reverse-name]").text()).isEqualTo("spoofer.example");
        // org names sort by code point: "<" before "g"
        assertThat(doc.select("td[data-col=reporters]").eachText()).contains(PageFixtures.HOSTILE_ORG + ", google.com");
        assertThat(doc.select("script, img")).isEmpty();
        assertThat(doc.select("form input[name=days]").attr("value")).isEqualTo("30");

        HttpResponse<String> head = send(page, "HEAD", "/");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertPageHeaders(head, "text/html; charset=utf-8");

        HttpResponse<String> post = send(page, "POST", "/");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
        assertPageHeaders(post, "text/plain; charset=utf-8");
        assertThat(send(page, "DELETE", "/").statusCode()).isEqualTo(405);

        assertThat(Jsoup.parse(send(page, "GET", "/?days=366").body()).select("[data-window-days]").text())
            .isEqualTo("366");
        assertThat(Jsoup.parse(send(page, "GET", "/?days=1").body()).select("[data-window-days]").text())
            .isEqualTo("1");
        for (String bad : List.of("0", "367", "abc", "-1", "30.5", "", "1000000000000")) {
          HttpResponse<String> refused = send(page, "GET", "/?days=" + bad);
          assertThat(refused.statusCode()).as(bad).isEqualTo(400);
          assertPageHeaders(refused, "text/plain; charset=utf-8");
          assertThat(refused.body()).as(bad).startsWith("days must be a whole number of days from 1 to 366");
        }
        assertThat(send(page, "GET", "/?days=7&days=8").statusCode()).isEqualTo(400);

        // a name pointed at 127.0.0.1 by someone else's DNS (rebinding) is refused; loopback names are answered
        assertThat(statusWithHost(page, "rebind.attacker.example:" + page.port()))
            .startsWith("HTTP/1.1 421");
        assertThat(statusWithHost(page, "localhost:" + page.port())).startsWith("HTTP/1.1 200");
        assertThat(statusWithHost(page, "127.0.0.1")).startsWith("HTTP/1.1 200");
        assertThat(statusWithHost(page, "[::1]:" + page.port())).startsWith("HTTP/1.1 200");
        assertThat(send(page, "GET", "/metrics").statusCode()).isEqualTo(404);
        assertThat(send(page, "GET", "/index.html").statusCode()).isEqualTo(404);
      }
    }
  }

  @Test
  void theSameAddressAsMetricsServesBothFromOneListener() throws Exception {
    importReports();
    try (FakeDnsServer dns = FakeDnsServer.start();
         RunningPostseal postseal = RunningPostseal.start(stateDir, dns, "domains = [\"example.com\"]",
             "[metrics]\nlisten = \"127.0.0.1:0\"\n[web]\nlisten = \"127.0.0.1:0\"\n", UnaryOperator.identity())) {
      HostPort metrics = postseal.server.metricsAddress().orElseThrow();
      assertThat(postseal.server.pageAddress()).contains(metrics);
      HttpResponse<String> page = send(metrics, "GET", "/?days=7");
      assertThat(page.statusCode()).isEqualTo(200);
      assertPageHeaders(page, "text/html; charset=utf-8");
      assertThat(Jsoup.parse(page.body()).selectFirst("section.domain [data-metric=messages]").text())
          .isEqualTo("1040");
      HttpResponse<String> scrape = send(metrics, "GET", "/metrics");
      assertThat(scrape.statusCode()).isEqualTo(200);
      assertThat(scrape.body()).contains("postseal_build_info");
      assertThat(send(metrics, "GET", "/healthz").statusCode()).isIn(200, 503);
      HttpResponse<String> post = send(metrics, "POST", "/");
      assertThat(post.statusCode()).isEqualTo(405);
      assertPageHeaders(post, "text/plain; charset=utf-8");
    }
  }

  /** listen-public: the admin guards the page (a proxy that forwards its own Host): any Host is answered. */
  @Test
  void listenPublicAnswersAnyHost() throws Exception {
    importReports();
    try (FakeDnsServer dns = FakeDnsServer.start();
         RunningPostseal postseal = RunningPostseal.start(stateDir, dns, "domains = [\"example.com\"]",
             "[web]\nlisten = \"127.0.0.1:0\"\nlisten-public = true\n", UnaryOperator.identity())) {
      HostPort page = postseal.server.pageAddress().orElseThrow();
      assertThat(statusWithHost(page, "dmarc.example.com")).startsWith("HTTP/1.1 200");
    }
  }

  /** SIGHUP with another [web] listen: as [metrics] listen, the page stays where it is until a restart, and WARN says so. */
  @Test
  void aReloadThatMovesThePageSaysARestartIsNeeded_andThePageStays() throws Exception {
    importReports();
    try (FakeDnsServer dns = FakeDnsServer.start()) {
      String base = "listen = \"inet:127.0.0.1:0\"\nstate-dir = \"" + stateDir + "\"\n[dns]\nservers = [\""
          + dns.address() + "\"]\ntimeout = \"500ms\"\nmessage-deadline = \"1s\"\n[signing]\ndomains = [\"example.com\"]\n";
      ConfigLoader loader = new ConfigLoader(Path.of("/nonexistent"), () -> "unused");
      PostsealConfig first = ((ConfigResult.Valid) loader.parse(base + "[web]\nlisten = \"127.0.0.1:0\"\n", "a.toml"))
          .config();
      ConfigResult second = loader.parse(base + "[web]\nlisten = \"127.0.0.1:1\"\n", "b.toml");
      Logger logger = (Logger) LoggerFactory.getLogger(PostsealServer.class);
      ListAppender<ILoggingEvent> log = new ListAppender<>();
      log.start();
      logger.addAppender(log);
      try (PostsealServer server = PostsealServer.builder(first).clock(CLOCK).reloadFrom(() -> second)
          .resultStore(new InMemoryDmarcResultStore()).start()) {
        HostPort page = server.pageAddress().orElseThrow();
        assertThat(server.reload()).isTrue();
        assertThat(log.list.stream().map(ILoggingEvent::getFormattedMessage))
            .contains("reload: [web] listen changed; restart postseal to serve the report page there");
        assertThat(server.pageAddress()).contains(page);
        assertThat(send(page, "GET", "/").statusCode()).isEqualTo(200);
      } finally {
        logger.detachAppender(log);
      }
    }
  }

  @Test
  void aDatabaseThatFailsIsA500PageNamingIt_andServeGoesOn() throws Exception {
    try (FakeDnsServer dns = FakeDnsServer.start();
         RunningPostseal postseal = RunningPostseal.start(stateDir, dns, "domains = [\"example.com\"]",
             // nothing listens on port 1: the connection is refused at once
             "[database]\nurl = \"jdbc:postgresql://127.0.0.1:1/postseal\"\n[web]\nlisten = \"127.0.0.1:0\"\n",
             UnaryOperator.identity())) {
      HostPort page = postseal.server.pageAddress().orElseThrow();
      for (int i = 0; i < 2; i++) {
        HttpResponse<String> failed = send(page, "GET", "/");
        assertThat(failed.statusCode()).isEqualTo(500);
        assertPageHeaders(failed, "text/html; charset=utf-8");
        Document doc = Jsoup.parse(failed.body());
        assertThat(doc.selectFirst("h1").text()).isEqualTo("The report page could not be made");
        assertThat(doc.selectFirst("p.cause").text()).contains("results database jdbc:postgresql://127.0.0.1:1/postseal");
      }
      // the milter is not affected
      assertThat(postseal.send(FakeMta.envelope(OUTSIDE_IP), Messages.from("Dan <dan@example.org>")).reply()
          .isContinue()).isTrue();
    }
  }
}
