package org.postseal.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the resolver tests do not already show about the fake server. */
class FakeDnsServerTest {

  @Test
  void longQuotedString_isSplitAt255Bytes() {
    String split = FakeDnsServer.splitLongStrings("x TXT \"" + "a".repeat(300) + "\"");

    assertThat(split).isEqualTo("x TXT \"" + "a".repeat(255) + "\" \"" + "a".repeat(45) + "\"");
  }

  @Test
  void split_neverCutsAnEscapeOrAMultiByteCharacter() {
    String value = "a".repeat(254) + "\\034" + "é".repeat(3);
    String split = FakeDnsServer.splitLongStrings("\"" + value + "\"");

    assertThat(split).isEqualTo("\"" + "a".repeat(254) + "\\034\" \"" + "é".repeat(3) + "\"");
  }

  @Test
  void split_leavesCommentsAndShortStringsAlone() {
    String text = "x TXT \"short\" ; a comment with a \" quote " + "b".repeat(300) + "\ny TXT \"ok\"";

    assertThat(FakeDnsServer.splitLongStrings(text)).isEqualTo(text);
  }

  @Test
  void invalidZoneText_isRefusedWithTheParsersMessage() {
    try (FakeDnsServer server = FakeDnsServer.start()) {
      assertThatThrownBy(() -> server.load("example.com. IN A not-an-address"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not-an-address");
    }
  }

  @Test
  void zoneFile_isLoadedFromDisk(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("example.com.zone");
    Files.writeString(file, """
        $ORIGIN example.com.
        $TTL 600
        @    IN SOA ns hostmaster 1 3600 600 86400 60
        _dmarc IN TXT "v=DMARC1; p=reject"
        """);
    try (FakeDnsServer server = FakeDnsServer.start()) {
      server.load(file);
      DnsResolver resolver = DnsResolver.create(List.of(server.address()), Duration.ofSeconds(2), Clock.systemUTC());

      DnsAnswer answer = resolver.lookup("_dmarc.example.com", RecordType.TXT).get(5, TimeUnit.SECONDS);

      assertThat(answer).isEqualTo(new DnsAnswer.Found(List.of("v=DMARC1; p=reject"), Duration.ofSeconds(600)));
    }
  }

  @Test
  void severalZones_eachAnswerWithTheirOwnSoa() throws Exception {
    try (FakeDnsServer server = FakeDnsServer.start()) {
      server.load("""
          a.test. 3600 IN SOA ns.a.test. admin.a.test. 1 3600 600 86400 10
          b.test. 3600 IN SOA ns.b.test. admin.b.test. 1 3600 600 86400 20
          """);
      SettableClock clock = new SettableClock(java.time.Instant.EPOCH);
      DnsResolver resolver = DnsResolver.create(List.of(server.address()), Duration.ofSeconds(2), clock);
      resolver.lookup("x.a.test", RecordType.TXT).get(5, TimeUnit.SECONDS);
      resolver.lookup("x.b.test", RecordType.TXT).get(5, TimeUnit.SECONDS);

      clock.advance(Duration.ofSeconds(15));
      resolver.lookup("x.a.test", RecordType.TXT).get(5, TimeUnit.SECONDS);
      resolver.lookup("x.b.test", RecordType.TXT).get(5, TimeUnit.SECONDS);

      assertThat(server.queryCount("x.a.test")).isEqualTo(2);
      assertThat(server.queryCount("x.b.test")).isEqualTo(1);
    }
  }

  @Test
  void failureForOneType_leavesTheOtherTypesOfTheNameAnswered() throws Exception {
    try (FakeDnsServer server = FakeDnsServer.start()) {
      server.load("""
          mixed.test. IN TXT "v=spf1 -all"
          mixed.test. IN A 192.0.2.1
          """);
      server.failWith("Mixed.Test", RecordType.A, FakeDnsServer.Failure.SERVFAIL);
      DnsResolver resolver = DnsResolver.create(List.of(server.address()), Duration.ofSeconds(2), Clock.systemUTC());

      DnsAnswer txt = resolver.lookup("mixed.test", RecordType.TXT).get(5, TimeUnit.SECONDS);
      DnsAnswer a = resolver.lookup("mixed.test", RecordType.A).get(5, TimeUnit.SECONDS);

      assertThat(txt).isInstanceOf(DnsAnswer.Found.class);
      assertThat(a).isInstanceOf(DnsAnswer.Failed.class);
      server.clearFailures();
      resolver.clearCache();
      assertThat(resolver.lookup("mixed.test", RecordType.A).get(5, TimeUnit.SECONDS))
          .isInstanceOf(DnsAnswer.Found.class);
    }
  }

  @Test
  void address_isLoopbackWithThePort() {
    try (FakeDnsServer server = FakeDnsServer.start()) {
      assertThat(server.address()).isEqualTo("127.0.0.1:" + server.port());
    }
  }
}
