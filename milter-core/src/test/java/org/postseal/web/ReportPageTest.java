package org.postseal.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.assertj.core.data.Offset;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Attribute;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postseal.dmarc.DmarcOutcome;
import org.postseal.dmarc.outbox.ReportCycle;
import org.postseal.dmarc.outbox.ReportSettings;
import org.postseal.dmarc.received.ImportLimits;
import org.postseal.dmarc.received.ReceivedReportSummary;
import org.postseal.dmarc.received.ReceivedReportSummary.DayRow;
import org.postseal.dmarc.received.ReceivedReportSummary.DomainSummary;
import org.postseal.dmarc.received.ReceivedReportSummary.SourceRow;
import org.postseal.dmarc.received.ReportImporter;
import org.postseal.dmarc.report.RecordedMessage;
import org.postseal.dmarc.report.ReportDisposition;
import org.postseal.dmarc.report.ReportFixtures;
import org.postseal.dmarc.store.Delivery;
import org.postseal.dmarc.store.RecordedMessages;
import org.postseal.dmarc.store.ReportOutbox;
import org.postseal.dmarc.store.ReportingCounters;
import org.postseal.dmarc.store.ResultsDatabase;
import org.postseal.dmarc.store.TestDatabase;
import org.postseal.dns.DnsResolver;
import org.postseal.dns.FakeDnsServer;
import org.postseal.doctor.ReportedTraffic;

/**
 * The report page rendered from a fixture store, in SQLite and in the real PostgreSQL: real aggregate reports from
 * the import tests' samples (parsedmarc's, 2018) imported with the importer, two hostile reports, inbound results
 * recorded as serve records them, and the reports built from them by the report cycle. Every marked number must be
 * what the store's own summaries say, every hostile value must come out as text (read back by a real HTML5 parser,
 * jsoup), and nothing may reach outside the page.
 */
class ReportPageTest {

  static final Instant NOW = Instant.parse("2018-10-10T12:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final int DAYS = 120;
  static final String SPOOFER_IP = "203.0.113.66";
  /** A PTR name with markup in it: DNS names are bytes, and a hostile network answers what it likes. */
  static final String HOSTILE_PTR = "<b>spoofer</b>.evil.example";
  /**
   * Samples the import tests read (ReceivedReportReaderTest), all about example.com but fastmail's: its report
   * (2018-01, about indemed.com) is outside the window and must not show.
   */
  static final List<String> SAMPLES = List.of(
      "addisonfoods.com!example.com!1536105600!1536191999.xml",
      "example.net!example.com!1529366400!1529452799.xml",
      "estadocuenta1.infonacot.gob.mx!example.com!1536853302!1536939702!2940.xml.zip",
      "usssa.com!example.com!1538784000!1538870399.xml",
      "veeam.com!example.com!1530133200!1530219600.xml",
      "!example.com!1538204542!1538463818.xml",
      "fastmail.com!example.com!1516060800!1516147199!102675056.xml.gz");
  /** Every attribute the page writes; anything else came from report data. */
  static final Set<String> ATTRIBUTES = Set.of("lang", "charset", "http-equiv", "content", "name", "class",
      "viewbox", "role", "aria-label", "x", "y", "x1", "x2", "y1", "y2", "width", "height", "fill", "stroke",
      "text-anchor", "method", "type", "min", "max", "value");

  static FakeDnsServer dns;

  @TempDir
  Path dir;

  @BeforeAll
  static void startDns() {
    dns = FakeDnsServer.start();
    dns.load("66.113.0.203.in-addr.arpa. 300 IN PTR " + HOSTILE_PTR + ".\n"
        + "25.2.0.192.in-addr.arpa. 300 IN PTR mail.example.com.\n");
  }

  @AfterAll
  static void stopDns() {
    dns.close();
  }

  private static DnsResolver resolver() {
    return DnsResolver.create(List.of(dns.address()), Duration.ofSeconds(5), CLOCK);
  }

  /** What the fixture put in the store: the inbound messages recorded. */
  private record Fixture(List<RecordedMessage> recorded) {
  }

  private Fixture fill(ResultsDatabase database) throws Exception {
    ReportImporter importer = new ReportImporter(database, CLOCK, ImportLimits.DEFAULTS);
    for (String sample : SAMPLES) {
      assertThat(importer.importFile(sample, resource("/received/samples/parsedmarc/aggregate/" + sample)))
          .as(sample).isInstanceOf(ReportImporter.FileOutcome.Stored.class);
    }
    Instant twoDaysAgo = NOW.minus(2, ChronoUnit.DAYS).truncatedTo(ChronoUnit.DAYS);
    // a reporter with markup for a name, about example.com: our server, and a spoofer with a hostile PTR name
    assertThat(importer.importFile("hostile-org.xml", PageFixtures.report(PageFixtures.HOSTILE_ORG, "h1",
        "example.com", "none", twoDaysAgo, "192.0.2.25 500 pass pass", SPOOFER_IP + " 25 fail fail")
        .getBytes(StandardCharsets.UTF_8))).isInstanceOf(ReportImporter.FileOutcome.Stored.class);
    // a policy domain with markup is no domain that published a record: the importer refuses the report, so it gets
    // no section (the page would only have shown it escaped)
    assertThat(importer.importFile("hostile-domain.xml", PageFixtures.report("Reporter", "h2",
        PageFixtures.HOSTILE_DOMAIN, "reject", twoDaysAgo, SPOOFER_IP + " 3 fail fail")
        .getBytes(StandardCharsets.UTF_8))).isInstanceOf(ReportImporter.FileOutcome.Refused.class);

    // other domains' mail, as serve records it: five days of it, then today's with a hostile From domain
    Random random = new Random(16);
    List<RecordedMessage> recorded = new ArrayList<>();
    for (int day = 5; day >= 1; day--) {
      for (int i = 0; i < 60; i++) {
        recorded.add(ReportFixtures.random(random, NOW.minus(day, ChronoUnit.DAYS).truncatedTo(ChronoUnit.DAYS)));
      }
    }
    RecordedMessage m = ReportFixtures.random(random, NOW.truncatedTo(ChronoUnit.DAYS));
    recorded.add(new RecordedMessage(NOW.minusSeconds(60), m.sourceIp(), PageFixtures.HOSTILE_DOMAIN,
        m.envelopeFrom(), m.envelopeTo(), m.spf(), m.dkim(), m.dmarc(), m.isDkimAligned(), m.isSpfAligned(),
        PageFixtures.HOSTILE_DOMAIN, m.organizationalDomain(), m.policy(), m.psd(), m.rua(), m.disposition(),
        m.reasons()));
    try (Connection c = database.connect()) {
      RecordedMessages.insert(c, recorded);
    }
    // the reports of the closed days, one delivery sent
    ReportCycle cycle = new ReportCycle(database, new ReportingCounters(),
        ReportSettings.of(ReportFixtures.REPORTER, "127.0.0.1", 25, List.of()), resolver(), CLOCK, "test");
    assertThat(cycle.close(ReportCycle.finishedUntil(NOW))).isNotEmpty();
    ReportOutbox outbox = new ReportOutbox(database, new ReportingCounters(), CLOCK, "test");
    outbox.markSent(outbox.status(NOW.minus(1, ChronoUnit.DAYS)).get(0), "250 2.0.0 queued as 4F2A");
    return new Fixture(recorded);
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = ReportPageTest.class.getResourceAsStream(name)) {
      assertThat(in).as(name).isNotNull();
      return in.readAllBytes();
    }
  }

  @ParameterizedTest
  @EnumSource(ResultsDatabase.Dialect.class)
  void theMarkedNumbersAreTheStoresAndHostileValuesAreText(ResultsDatabase.Dialect dialect) throws Exception {
    try (TestDatabase db = TestDatabase.create(dialect, dir, CLOCK)) {
      Fixture fixture = fill(db.database);
      ReportPage page = ReportPage.load(db.database, List.of("example.com", "quiet.example"), Optional.empty(), DAYS,
          resolver(), Duration.ofSeconds(5), CLOCK);
      String html = ReportPageHtml.render(page, ReportPageHtml.Where.FILE);
      Document doc = Jsoup.parse(html);
      Instant since = NOW.minus(DAYS, ChronoUnit.DAYS);
      ReceivedReportSummary.Summary summary = ReceivedReportSummary.load(db.database, since, Optional.empty(),
          resolver(), Duration.ofSeconds(5));

      // one section per domain of ours, by name: the signing domains and every policy domain reported
      TreeSet<String> expectedDomains = new TreeSet<>(List.of("example.com", "quiet.example"));
      summary.domains().forEach(d -> expectedDomains.add(d.domain()));
      assertThat(expectedDomains).doesNotContain(PageFixtures.HOSTILE_DOMAIN, "indemed.com");
      assertThat(doc.select("section.domain").eachAttr("data-domain")).containsExactlyElementsOf(expectedDomains);
      assertThat(doc.select("[data-window-days]").text()).isEqualTo(Integer.toString(DAYS));

      for (DomainSummary d : summary.domains()) {
        Element section = section(doc, d.domain());
        assertThat(section.selectFirst("h2").text()).isEqualTo(d.domain());
        assertThat(metric(section, "messages")).as(d.domain()).isEqualTo(Long.toString(d.messages()));
        assertThat(metric(section, "dmarc-pass")).isEqualTo(Long.toString(d.dmarcPass()));
        assertThat(metric(section, "pass-share"))
            .isEqualTo(String.format(Locale.ROOT, "%.1f", d.dmarcPassShare() * 100));
        assertThat(metric(section, "policy")).isEqualTo(d.policy().isEmpty() ? "unknown" : d.policy());
        assertThat(section.selectFirst("p.next-step").text()).contains(ReportedTraffic.policyStep(d)
            .map(f -> f.message()).orElse("No next policy step"));

        List<DayRow> days = summary.days().stream().filter(r -> r.domain().equals(d.domain())).toList();
        List<Element> bars = section.select("svg.pass-chart rect.day");
        assertThat(bars).hasSameSizeAs(days).isNotEmpty();
        for (int i = 0; i < days.size(); i++) {
          assertThat(bars.get(i).attr("data-day")).isEqualTo(days.get(i).day().toString());
          assertThat(bars.get(i).attr("data-messages")).isEqualTo(Long.toString(days.get(i).messages()));
          assertThat(bars.get(i).attr("data-pass")).isEqualTo(Long.toString(days.get(i).dmarcPass()));
          assertThat(bars.get(i).selectFirst("title").text()).startsWith(days.get(i).day() + ": "
              + days.get(i).messages() + " messages, " + days.get(i).dmarcPass() + " passed DMARC");
        }

        List<SourceRow> sources = summary.sources().stream().filter(s -> s.domain().equals(d.domain())).toList();
        List<Element> rows = section.select("table.sources tr.source");
        assertThat(rows).hasSameSizeAs(sources).isNotEmpty();
        for (int i = 0; i < sources.size(); i++) {
          SourceRow s = sources.get(i);
          Element row = rows.get(i);
          assertThat(row.attr("data-ip")).isEqualTo(s.sourceIp());
          assertThat(row.attr("data-ours")).isEqualTo(Boolean.toString(s.isOurs()));
          assertThat(row.attr("data-failing")).isEqualTo(Boolean.toString(s.dmarcFail() > 0));
          assertThat(cell(row, "reverse-name")).isEqualTo(s.reverseName().orElse(""));
          assertThat(cell(row, "messages")).isEqualTo(Long.toString(s.messages()));
          assertThat(cell(row, "spf-pass")).isEqualTo(Long.toString(s.spfPass()));
          assertThat(cell(row, "dkim-pass")).isEqualTo(Long.toString(s.dkimPass()));
          assertThat(cell(row, "dmarc-pass")).isEqualTo(Long.toString(s.dmarcPass()));
          assertThat(cell(row, "first-seen")).isEqualTo(LocalDate.ofInstant(s.firstBegin(), ZoneOffset.UTC).toString());
          assertThat(cell(row, "last-seen")).isEqualTo(LocalDate.ofInstant(s.lastEnd(), ZoneOffset.UTC).toString());
          assertThat(cell(row, "reporters")).isEqualTo(String.join(", ", s.reporters()));
        }
        // failing sources first: the spoofer list
        List<String> failing = rows.stream().map(r -> r.attr("data-failing")).toList();
        assertThat(failing.indexOf("false") < 0 || failing.lastIndexOf("true") < failing.indexOf("false")).isTrue();
      }
      // a signing domain nobody reported about: zero, and the doctor's words on where reports come from
      Element quiet = section(doc, "quiet.example");
      assertThat(metric(quiet, "messages")).isEqualTo("0");
      assertThat(quiet.select("[data-metric=pass-share], rect.day, tr.source")).isEmpty();
      assertThat(quiet.selectFirst("p.next-step").text()).contains(ReportedTraffic.noReports("quiet.example",
          Duration.ofDays(DAYS)).message());

      // the spoofer's PTR name is shown as the text DNS gave, not as markup
      Element spoofer = section(doc, "example.com").select("tr.source").stream()
          .filter(r -> r.attr("data-ip").equals(SPOOFER_IP)).findFirst().orElseThrow();
      assertThat(spoofer.attr("data-ours")).isEqualTo("false");
      assertThat(cell(spoofer, "reverse-name")).isEqualTo(HOSTILE_PTR);
      assertThat(cell(spoofer, "reporters")).isEqualTo(PageFixtures.HOSTILE_ORG);

      inbound(doc, fixture.recorded(), since);
      sentReports(doc, db.database, since);
      hostileValuesAreText(html, doc);
    }
  }

  /** "What we did with their mail": counted here from the messages recorded, not by the store's query. */
  private static void inbound(Document doc, List<RecordedMessage> recorded, Instant since) {
    Map<String, long[]> expected = new TreeMap<>();
    Map<String, Map<String, Long>> reasons = new TreeMap<>();
    for (RecordedMessage m : recorded) {
      if (m.time().isBefore(since)) {
        continue;
      }
      String domain = m.policyDomain().isEmpty() ? m.headerFrom() : m.policyDomain();
      long[] t = expected.computeIfAbsent(domain, k -> new long[5]);
      t[0]++;
      t[1] += m.dmarc() == DmarcOutcome.PASS ? 1 : 0;
      t[2] += m.disposition() == ReportDisposition.REJECT ? 1 : 0;
      t[3] += m.disposition() == ReportDisposition.QUARANTINE ? 1 : 0;
      t[4] += m.reasons().isEmpty() ? 0 : 1;
      m.reasons().stream().map(r -> r.type().keyword()).distinct()
          .forEach(r -> reasons.computeIfAbsent(domain, k -> new TreeMap<>()).merge(r, 1L, Long::sum));
    }
    List<String> order = expected.keySet().stream()
        .sorted((a, b) -> expected.get(a)[0] != expected.get(b)[0] ? Long.compare(expected.get(b)[0],
            expected.get(a)[0]) : a.compareTo(b)).toList();
    List<Element> rows = doc.select("section.inbound table.our-decisions tr.policy-domain");
    assertThat(rows.stream().map(r -> r.attr("data-domain")).toList()).containsExactlyElementsOf(order);
    assertThat(order).contains(PageFixtures.HOSTILE_DOMAIN);
    long overridden = 0;
    for (Element row : rows) {
      long[] t = expected.get(row.attr("data-domain"));
      assertThat(cell(row, "domain")).isEqualTo(row.attr("data-domain"));
      assertThat(cell(row, "messages")).isEqualTo(Long.toString(t[0]));
      assertThat(cell(row, "dmarc-pass")).isEqualTo(Long.toString(t[1]));
      assertThat(cell(row, "rejected")).isEqualTo(Long.toString(t[2]));
      assertThat(cell(row, "quarantined")).isEqualTo(Long.toString(t[3]));
      assertThat(cell(row, "overridden")).isEqualTo(Long.toString(t[4]));
      Map<String, String> shown = new TreeMap<>();
      row.select("[data-override-reason]").forEach(e -> shown.put(e.attr("data-override-reason"), e.text()));
      Map<String, String> want = new TreeMap<>();
      reasons.getOrDefault(row.attr("data-domain"), Map.of()).forEach((k, v) -> want.put(k, Long.toString(v)));
      assertThat(shown).isEqualTo(want);
      overridden += t[4];
    }
    // the fixture has overrides, rejections and quarantines: the columns are not all zero by construction
    assertThat(overridden).isPositive();
    assertThat(expected.values().stream().mapToLong(t -> t[2]).sum()).isPositive();
    assertThat(expected.values().stream().mapToLong(t -> t[3]).sum()).isPositive();
  }

  /** "What we reported": one row per report the outbox holds, with its deliveries' state. */
  private static void sentReports(Document doc, ResultsDatabase database, Instant since) throws Exception {
    List<Delivery> deliveries = new ReportOutbox(database, new ReportingCounters(), CLOCK, "test").status(since);
    Map<String, List<Delivery>> byReport = deliveries.stream()
        .collect(Collectors.groupingBy(d -> d.report().reportId(), LinkedHashMap::new, Collectors.toList()));
    List<Element> rows = doc.select("section.inbound table.we-reported tr.sent-report");
    assertThat(rows).hasSize(byReport.size()).isNotEmpty();
    Map<String, String> states = new TreeMap<>();
    for (Element row : rows) {
      List<Delivery> report = byReport.get(cell(row, "report-id"));
      assertThat(report).as(cell(row, "report-id")).isNotNull();
      assertThat(row.attr("data-to-domain")).isEqualTo(report.get(0).report().policyDomain());
      assertThat(row.attr("data-messages")).isEqualTo(Long.toString(report.get(0).report().messageCount()));
      assertThat(cell(row, "messages")).isEqualTo(row.attr("data-messages"));
      Set<String> distinct = report.stream().map(d -> d.state().keyword()).collect(Collectors.toSet());
      assertThat(row.attr("data-state")).isEqualTo(distinct.size() == 1 ? distinct.iterator().next() : "mixed");
      states.put(cell(row, "report-id"), row.attr("data-state"));
    }
    // one delivery was marked sent: its report is sent or mixed, the others pending
    assertThat(states.values()).anyMatch(s -> s.equals("sent") || s.equals("mixed")).contains("pending");
  }

  private static void hostileValuesAreText(String html, Document doc) {
    // as text, exactly, where they belong (the hostile From domain comes from our own results, as recorded)
    assertThat(doc.select("td[data-col=reporters]").eachText()).contains(PageFixtures.HOSTILE_ORG);
    assertThat(doc.select("tr.policy-domain").eachAttr("data-domain")).contains(PageFixtures.HOSTILE_DOMAIN);
    // and nowhere as markup: no element or attribute but the page's own
    assertThat(doc.select("script, img, a, iframe, object, embed, link, base, b, form, input")).isEmpty();
    for (Element e : doc.getAllElements()) {
      for (Attribute a : e.attributes()) {
        assertThat(a.getKey().startsWith("data-") || ATTRIBUTES.contains(a.getKey())).as("<%s %s>", e.tagName(),
            a.getKey()).isTrue();
      }
    }
    assertThat(html).doesNotContainIgnoringCase("<script").doesNotContainIgnoringCase("<img")
        .doesNotContainIgnoringCase("<svg onload").doesNotContain("<b>");
    // nothing outside the page: it opens offline and the policy forbids loading anything anyway
    // (src= and href= may appear as escaped text of a hostile value: the attribute list above covers them)
    assertThat(html).doesNotContain("http://").doesNotContain("https://").doesNotContain("url(")
        .doesNotContain("@import").doesNotContain("//");
    assertThat(doc.selectFirst("meta[http-equiv=Content-Security-Policy]").attr("content"))
        .isEqualTo(ReportPageHtml.CONTENT_SECURITY_POLICY);
  }

  @Test
  void escapedTextReadsBackAsTheSameTextInElementsAndAttributes() {
    Random random = new Random(1616);
    String alphabet = "<>&\"'=/ ;:\t\nab\u00e9\u65e5\ud83d\ude00`";
    for (int run = 0; run < 2_000; run++) {
      StringBuilder text = new StringBuilder();
      for (int i = random.nextInt(12); i > 0; i--) {
        int at = random.nextInt(alphabet.length());
        if (Character.isHighSurrogate(alphabet.charAt(at))) {
          text.append(alphabet, at, at + 2);
        } else if (!Character.isLowSurrogate(alphabet.charAt(at))) {
          text.append(alphabet.charAt(at));
        }
      }
      String s = text.toString();
      String e = ReportPageHtml.escape(s);
      Document doc = Jsoup.parse("<p data-a=\"" + e + "\" data-b='" + e + "'>" + e + "</p>");
      Element p = doc.selectFirst("p");
      assertThat(p.attributes().size()).as(s).isEqualTo(2);
      assertThat(p.attr("data-a")).as(s).isEqualTo(s);
      assertThat(p.attr("data-b")).as(s).isEqualTo(s);
      assertThat(p.wholeText()).as(s).isEqualTo(s);
      assertThat(p.children()).as(s).isEmpty();
    }
    // control characters HTML forbids become U+FFFD
    assertThat(ReportPageHtml.escape("a\u0000b\u0007c\u009bd")).isEqualTo("a\uFFFDb\uFFFDc\uFFFDd");
    assertThat(ReportPageHtml.escape("<a href='x'>&</a>")).isEqualTo("&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;");
  }

  @Test
  void onlyTheServedPageHasTheFormAndTheWindowAxisStartsAtTheWindow() throws Exception {
    try (TestDatabase db = TestDatabase.sqlite(dir, CLOCK)) {
      ReportImporter importer = new ReportImporter(db.database, CLOCK, ImportLimits.DEFAULTS);
      importer.importFile("r.xml", PageFixtures.report("Reporter", "r1", "example.com", "quarantine",
          NOW.minus(3, ChronoUnit.DAYS).truncatedTo(ChronoUnit.DAYS), "192.0.2.25 100 pass pass")
          .getBytes(StandardCharsets.UTF_8));
      ReportPage page = ReportPage.load(db.database, List.of(), Optional.of("example.com"), 7, resolver(),
          Duration.ofSeconds(5), CLOCK);
      Document served = Jsoup.parse(ReportPageHtml.render(page, ReportPageHtml.Where.SERVED));
      Document file = Jsoup.parse(ReportPageHtml.render(page, ReportPageHtml.Where.FILE));
      assertThat(served.select("form input[name=days]").attr("value")).isEqualTo("7");
      assertThat(file.select("form")).isEmpty();
      Element section = section(file, "example.com");
      assertThat(metric(section, "pass-share")).isEqualTo("100.0");
      assertThat(metric(section, "policy")).isEqualTo("quarantine");
      // all of our own mail passes under p=quarantine: the doctor's next step is p=reject
      assertThat(section.selectFirst("p.next-step").text()).contains("the next policy step is p=reject");
      Element bar = section.selectFirst("rect.day");
      // the bar of 3 days ago sits at slot 4 of the 8 days shown (7 back and today): x = left + 4 slots + margin
      double slot = (720 - 40 - 4) / 8.0;
      assertThat(Double.parseDouble(bar.attr("x"))).isCloseTo(40 + 4 * slot + slot * 0.1, Offset.offset(0.1));
      assertThat(Double.parseDouble(bar.attr("height"))).isCloseTo(170 - 8 - 22, Offset.offset(0.1));
    }
  }

  @Test
  void onlyLoopbackNamesAreLoopbackHosts() {
    assertThat(ReportPageHandler.isLoopbackHost("localhost:9892")).isTrue();
    assertThat(ReportPageHandler.isLoopbackHost("LOCALHOST")).isTrue();
    assertThat(ReportPageHandler.isLoopbackHost("127.0.0.1:9892")).isTrue();
    assertThat(ReportPageHandler.isLoopbackHost("127.1.2.3")).isTrue();
    assertThat(ReportPageHandler.isLoopbackHost("[::1]:9892")).isTrue();
    assertThat(ReportPageHandler.isLoopbackHost("rebind.attacker.example:9892")).isFalse();
    assertThat(ReportPageHandler.isLoopbackHost("127.0.0.1.attacker.example")).isFalse();
    assertThat(ReportPageHandler.isLoopbackHost("localhost.attacker.example:9892")).isFalse();
    assertThat(ReportPageHandler.isLoopbackHost("192.0.2.1")).isFalse();
    assertThat(ReportPageHandler.isLoopbackHost("[::1")).isFalse();
    assertThat(ReportPageHandler.isLoopbackHost("")).isFalse();
  }

  @Test
  void theFailurePageNamesTheCauseAsText() {
    Document doc = Jsoup.parse(ReportPageHtml.failure("results database <b>x</b>: \"refused\""));
    assertThat(doc.selectFirst("p.cause").text()).isEqualTo("results database <b>x</b>: \"refused\"");
    assertThat(doc.select("b, script")).isEmpty();
  }

  static Element section(Document doc, String domain) {
    return doc.select("section.domain").stream().filter(s -> s.attr("data-domain").equals(domain)).findFirst()
        .orElseThrow(() -> new AssertionError("no section for " + domain));
  }

  static String metric(Element section, String name) {
    Element e = section.selectFirst("[data-metric=" + name + "]");
    assertThat(e).as("data-metric=%s", name).isNotNull();
    return e.text();
  }

  static String cell(Element row, String column) {
    Element e = row.selectFirst("td[data-col=" + column + "]");
    assertThat(e).as("data-col=%s", column).isNotNull();
    return e.text();
  }
}
