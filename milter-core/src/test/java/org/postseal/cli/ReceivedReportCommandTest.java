package org.postseal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postseal.cli.CliRun.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.dmarc.received.HostileReports;
import org.postseal.dns.FakeDnsServer;

/**
 * {@code postseal report import} and {@code report show --received} in process, against a fixture with known
 * answers: reports from two reporters about example.com (our server, a forwarder keeping our signature, a spoofer)
 * and one about example.net; reverse DNS from a real DNS server on loopback.
 */
class ReceivedReportCommandTest {

  static FakeDnsServer dns;

  @TempDir
  Path dir;

  @BeforeAll
  static void startDns() {
    dns = FakeDnsServer.start();
    dns.load("25.2.0.192.in-addr.arpa. 300 IN PTR mail.example.com.\n"
        + "66.113.0.203.in-addr.arpa. 300 IN PTR spoofer.example.\n");
  }

  @AfterAll
  static void stopDns() {
    dns.close();
  }

  private Path config() throws IOException {
    Path file = dir.resolve("postseal.toml");
    Files.writeString(file, "state-dir = \"" + dir.resolve("state") + "\"\n[dns]\nservers = [\"" + dns.address()
        + "\"]\ntimeout = \"2s\"\n");
    return file;
  }

  /** A report as receivers write it (RFC 7489, no namespace); rows are "ip count dkim spf". */
  static String report(String org, String id, String domain, String p, Instant begin, String... rows) {
    StringBuilder xml = new StringBuilder("<?xml version=\"1.0\"?>\n<feedback>\n<report_metadata><org_name>" + org
        + "</org_name><email>noreply@" + org + "</email><report_id>" + id + "</report_id><date_range><begin>"
        + begin.getEpochSecond() + "</begin><end>" + (begin.getEpochSecond() + 86_399)
        + "</end></date_range></report_metadata>\n<policy_published><domain>" + domain + "</domain><adkim>r</adkim>"
        + "<aspf>r</aspf><p>" + p + "</p><sp>" + p + "</sp><pct>100</pct></policy_published>\n");
    for (String row : rows) {
      String[] f = row.split(" ");
      xml.append("<record><row><source_ip>").append(f[0]).append("</source_ip><count>").append(f[1])
          .append("</count><policy_evaluated><disposition>none</disposition><dkim>").append(f[2]).append("</dkim><spf>")
          .append(f[3]).append("</spf></policy_evaluated></row><identifiers><header_from>").append(domain)
          .append("</header_from></identifiers><auth_results><spf><domain>").append(domain)
          .append("</domain><result>").append(f[3]).append("</result></spf></auth_results></record>\n");
    }
    return xml.append("</feedback>\n").toString();
  }

  /** Three reports: 2,030 messages about example.com (90 failing, from 203.0.113.66), 7 about example.net. */
  private List<Path> fixture(Instant day1) throws IOException {
    Instant day2 = day1.plus(1, ChronoUnit.DAYS);
    List<Path> files = new ArrayList<>();
    files.add(write("google.xml", report("google.com", "g1", "example.com", "none", day1, "192.0.2.25 1000 pass pass",
        "198.51.100.9 40 pass fail", "203.0.113.66 30 fail fail")));
    Path yahoo = dir.resolve("yahoo.xml.gz");
    Files.write(yahoo, HostileReports.gzip(report("Yahoo", "y1", "example.com", "none", day2,
        "192.0.2.25 900 pass pass", "203.0.113.66 60 fail fail").getBytes(StandardCharsets.UTF_8)));
    files.add(yahoo);
    Path zip = dir.resolve("google-net.zip");
    Files.write(zip, HostileReports.zip("google.com!example.net!1!2.xml", report("google.com", "g2", "example.net",
        "quarantine", day2, "192.0.2.25 7 fail pass").getBytes(StandardCharsets.UTF_8)));
    files.add(zip);
    return files;
  }

  private Path write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  @Test
  void importStoresEachReportOnce_andShowReceivedGivesTheKnownAnswers() throws Exception {
    Path config = config();
    Instant day1 = Instant.now().minus(3, ChronoUnit.DAYS).truncatedTo(ChronoUnit.DAYS);
    List<Path> files = fixture(day1);
    List<String> args = new ArrayList<>(List.of("report", "import", "--config", config.toString()));
    files.forEach(f -> args.add(f.toString()));

    CliRun imported = run(args.toArray(String[]::new));
    assertThat(imported.exitCode()).as(imported.err()).isZero();
    assertThat(imported.out().lines().toList()).hasSize(3).allMatch(l -> l.contains(": imported "));
    assertThat(imported.out()).contains("google.xml: imported google.com report g1 about example.com, "
        + day1.toString().substring(0, 10) + " (3 records, 1070 messages, rfc7489)");

    CliRun again = run(args.toArray(String[]::new));
    assertThat(again.exitCode()).isZero();
    assertThat(again.out().lines().toList()).hasSize(3).allMatch(l -> l.contains(": duplicate, not counted again: "));

    CliRun show = run("report", "show", "--received", "--config", config.toString());
    assertThat(show.exitCode()).as(show.err()).isZero();
    List<String> lines = show.out().lines().toList();
    assertThat(lines.get(0)).endsWith(": 3 reports");
    assertThat(lines.get(1)).isEqualTo("example.com: 2030 messages, 95.6% pass DMARC; 3 sources, 2 ours (their mail"
        + " passes 100.0%); p=none; 2 reporters");
    assertThat(lines.get(2)).isEqualTo("example.net: 7 messages, 100.0% pass DMARC; 1 source, 1 ours (their mail"
        + " passes 100.0%); p=quarantine; 1 reporter");
    assertThat(lines.get(3)).startsWith("DOMAIN").contains("SOURCE IP", "REVERSE DNS", "DMARC PASS", "REPORTERS");
    assertThat(lines.get(4).split(" +")).as("the spoofer first").containsExactly("example.com", "203.0.113.66",
        "spoofer.example", "90", "0.0%", "0.0%", "0.0%", "no", "Yahoo,google.com");
    assertThat(lines.get(5).split(" +")).containsExactly("example.com", "192.0.2.25", "mail.example.com", "1900",
        "100.0%", "100.0%", "100.0%", "yes", "Yahoo,google.com");
    assertThat(lines.get(6).split(" +")).containsExactly("example.com", "198.51.100.9", "-", "40", "100.0%", "0.0%",
        "100.0%", "yes", "google.com");
    assertThat(lines).hasSize(8);

    CliRun byReporter = run("report", "show", "--received", "--by", "reporter", "--domain", "example.com", "--config",
        config.toString());
    assertThat(byReporter.out().lines().skip(3).map(l -> String.join(" ", List.of(l.split(" +")).subList(0, 6))))
        .containsExactly("example.com Yahoo 1 960 93.8% 2", "example.com google.com 1 1070 97.2% 3");

    CliRun byDay = run("report", "show", "--received", "--by", "day", "--domain", "example.com", "--config",
        config.toString());
    assertThat(byDay.out().lines().skip(3).toList()).hasSize(2);
    assertThat(byDay.out().lines().skip(3).findFirst().orElseThrow().split(" +")).containsExactly("example.com",
        day1.toString().substring(0, 10), "1070", "97.2%", "3", "1", "1");

    JsonNode json = new ObjectMapper().readTree(run("report", "show", "--received", "--json", "--config",
        config.toString()).out());
    assertThat(json.get("reports").asInt()).isEqualTo(3);
    assertThat(json.get("domains").get(0).get("next_policy").asText()).isEqualTo("quarantine");
    assertThat(json.get("sources").get(0).get("reverse_dns").asText()).isEqualTo("spoofer.example");
    assertThat(json.get("days")).hasSize(3);

    CliRun badView = run("report", "show", "--received", "--by", "week", "--config", config.toString());
    assertThat(badView.exitCode()).isEqualTo(2);
    assertThat(badView.err()).contains("--by week is not a view: use source, reporter or day");
  }

  @Test
  void hostileFilesAreRefusedEachWithItsReason_nothingIsStored_andStandardInputWorks() throws Exception {
    Path config = config();
    List<String> args = new ArrayList<>(List.of("report", "import", "--config", config.toString()));
    for (Map.Entry<String, byte[]> file : HostileReports.all().entrySet()) {
      Path path = dir.resolve(file.getKey());
      Files.write(path, file.getValue());
      args.add(path.toString());
    }
    CliRun refused = run(args.toArray(String[]::new));
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.out().lines().toList()).hasSize(7).allMatch(l -> l.contains(": refused: "));
    assertThat(refused.err()).contains("postseal: 7 of 7 files refused, nothing of them stored");
    assertThat(run("report", "show", "--received", "--since", "3650d", "--config", config.toString()).out())
        .contains(": 0 reports");

    InputStream saved = System.in;
    try {
      System.setIn(new ByteArrayInputStream(report("google.com", "s1", "example.com", "none",
          Instant.now().truncatedTo(ChronoUnit.DAYS).minus(1, ChronoUnit.DAYS), "192.0.2.25 5 pass pass")
          .getBytes(StandardCharsets.UTF_8)));
      CliRun stdin = run("report", "import", "--config", config.toString(), "-");
      assertThat(stdin.exitCode()).as(stdin.err()).isZero();
      assertThat(stdin.out()).startsWith("-: imported google.com report s1 about example.com");
    } finally {
      System.setIn(saved);
    }
  }
}
