package org.postseal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postseal.cli.CliRun.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.dns.FakeDnsServer;
import org.postseal.web.PageFixtures;
import org.postseal.web.ReportPageHtml;

/**
 * {@code postseal report html --out DIR}: the page written as one file that opens with no network, after reports
 * were imported with {@code report import}; its exit codes like the other report commands'.
 */
class ReportHtmlCommandTest {

  static FakeDnsServer dns;

  @TempDir
  Path dir;

  @BeforeAll
  static void startDns() {
    dns = FakeDnsServer.start();
    dns.load("25.2.0.192.in-addr.arpa. 300 IN PTR mail.example.com.\n");
  }

  @AfterAll
  static void stopDns() {
    dns.close();
  }

  private Path config(String extra) throws IOException {
    Path file = dir.resolve("postseal.toml");
    Files.writeString(file, "state-dir = \"" + dir.resolve("state") + "\"\n[dns]\nservers = [\"" + dns.address()
        + "\"]\ntimeout = \"5s\"\n[signing]\ndomains = [\"example.com\", \"example.org\"]\n" + extra);
    return file;
  }

  @Test
  void writesIndexHtmlIntoANewDirectory_aPageThatReferencesNothingOutside() throws Exception {
    Path config = config("");
    Instant day = Instant.now().minus(2, ChronoUnit.DAYS).truncatedTo(ChronoUnit.DAYS);
    Path report = dir.resolve("google.xml");
    Files.writeString(report, PageFixtures.report("google.com", "g1", "example.com", "quarantine", day,
        "192.0.2.25 1000 pass pass", "203.0.113.66 30 fail fail"));
    CliRun imported = run("report", "import", "--config", config.toString(), report.toString());
    assertThat(imported.exitCode()).as(imported.err()).isZero();

    Path out = dir.resolve("public/dmarc");
    CliRun html = run("report", "html", "--config", config.toString(), "--out", out.toString(), "--days", "14");
    assertThat(html.exitCode()).as(html.err()).isZero();
    Path index = out.resolve("index.html");
    assertThat(html.out()).isEqualTo("wrote " + index + ": 2 domains, 1 received report, 0 other policy domains,"
        + " 0 reports sent, the last 14 days\n");
    assertThat(out).isDirectoryContaining(p -> p.getFileName().toString().equals("index.html"));
    assertThat(Files.list(out).toList()).hasSize(1);
    String page = Files.readString(index, StandardCharsets.UTF_8);
    Document doc = Jsoup.parse(page);
    assertThat(doc.select("section.domain").eachAttr("data-domain")).containsExactly("example.com", "example.org");
    Element com = doc.selectFirst("section.domain[data-domain=example.com]");
    assertThat(com.selectFirst("[data-metric=messages]").text()).isEqualTo("1030");
    assertThat(com.selectFirst("[data-metric=dmarc-pass]").text()).isEqualTo("1000");
    assertThat(com.selectFirst("[data-metric=pass-share]").text()).isEqualTo("97.1");
    assertThat(com.select("tr.source").eachAttr("data-ip")).containsExactly("203.0.113.66", "192.0.2.25");
    // the spoofer has no PTR record: an empty cell (eachText would skip it)
    assertThat(com.select("tr.source td[data-col=reverse-name]").stream().map(Element::text).toList())
        .containsExactly("", "mail.example.com");
    assertThat(doc.selectFirst("[data-window-days]").text()).isEqualTo("14");
    // a file: the policy in a meta element, no form, nothing to fetch
    assertThat(doc.selectFirst("meta[http-equiv=Content-Security-Policy]").attr("content"))
        .isEqualTo(ReportPageHtml.CONTENT_SECURITY_POLICY);
    assertThat(doc.select("form, script, link, img, a")).isEmpty();
    assertThat(page).doesNotContain("http://").doesNotContain("https://").doesNotContain("src=")
        .doesNotContain("href=").doesNotContain("url(");

    // again, with --domain: written over the first, one section
    CliRun one = run("report", "html", "--config", config.toString(), "--out", out.toString(), "--domain", "EXAMPLE.ORG");
    assertThat(one.exitCode()).as(one.err()).isZero();
    assertThat(Jsoup.parse(Files.readString(index)).select("section.domain").eachAttr("data-domain"))
        .containsExactly("example.org");
    assertThat(Files.list(out).toList()).hasSize(1);
  }

  @Test
  void exitCodes_usage2_failure1() throws Exception {
    Path config = config("");
    Path out = dir.resolve("out");
    for (String days : new String[] {"0", "367"}) {
      CliRun bad = run("report", "html", "--config", config.toString(), "--out", out.toString(), "--days", days);
      assertThat(bad.exitCode()).isEqualTo(Main.EXIT_USAGE);
      assertThat(bad.err()).contains("--days " + days + " is not 1..366");
    }
    assertThat(run("report", "html", "--config", config.toString()).exitCode()).isEqualTo(Main.EXIT_USAGE);
    assertThat(out).doesNotExist();

    Path unreachable = config("[database]\nurl = \"jdbc:postgresql://127.0.0.1:1/postseal\"\n");
    CliRun failed = run("report", "html", "--config", unreachable.toString(), "--out", out.toString());
    assertThat(failed.exitCode()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(failed.err()).startsWith("postseal: results database jdbc:postgresql://127.0.0.1:1/postseal");
    assertThat(out).doesNotExist();

    // a file where the directory should be
    Files.writeString(dir.resolve("taken"), "x");
    CliRun notADirectory = run("report", "html", "--config", config("").toString(), "--out",
        dir.resolve("taken").toString());
    assertThat(notADirectory.exitCode()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(notADirectory.err()).startsWith("postseal: ");
  }
}
