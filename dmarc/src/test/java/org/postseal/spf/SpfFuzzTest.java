package org.postseal.spf;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.postseal.dns.Deadline;
import org.postseal.dns.DnsAnswer;
import org.postseal.dns.DnsSource;
import org.postseal.dns.RecordType;

/**
 * Fuzzes SPF record text and macro-strings. Records: the parser gives a record or a syntax error, never an
 * exception; a valid record written back out from its terms parses to the same record; check_host() over a DNS
 * that serves the text at the checked domain completes at once (the DNS answers from memory) with a result its
 * cause allows, never internal_error, and a record that does not parse is a permerror (record_syntax).
 * Macro-strings: parsing never throws, in each of the three places a macro-string stands; a valid one expands
 * within the limit asked for, the same way twice, and one without '%' expands to itself.
 *
 * <p>{@code mvn verify} runs both over the seeds in {@code SpfFuzzTestInputs/} (regression mode);
 * {@code bench/fuzz.sh spf-record SECONDS} and {@code bench/fuzz.sh spf-macro SECONDS} fuzz them. A finding is
 * written next to the seeds.
 */
class SpfFuzzTest {

  private static final String DOMAIN = "example.com";
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);
  private static final InetAddress IPV4 = address("192.0.2.10");
  private static final InetAddress IPV6 = address("2001:db8::10");

  private static InetAddress address(String text) {
    try {
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  @FuzzTest(maxDuration = "10s")
  void aRecordIsValidOrASyntaxErrorWritesBackTheSameAndEvaluatesToAResult(byte[] input) throws Exception {
    String text = new String(input, StandardCharsets.UTF_8);

    SpfRecordParser.Parsed parsed = SpfRecordParser.parse(text);
    if (parsed instanceof SpfRecordParser.Valid valid) {
      String written = write(valid.record());
      assertThat(SpfRecordParser.parse(written)).as("written back: %s", written).isEqualTo(parsed);
    }

    // the record at example.com and at every name below it; every other lookup finds nothing
    DnsSource dns = (name, type) -> CompletableFuture.completedFuture(type == RecordType.TXT
        && (name.equalsIgnoreCase(DOMAIN) || name.toLowerCase(java.util.Locale.ROOT).endsWith("." + DOMAIN))
        ? new DnsAnswer.Found(List.of(text), Duration.ofMinutes(5)) : new DnsAnswer.NotFound(false));
    SpfEvaluator evaluator = new SpfEvaluator(dns, CLOCK, "mx.receiver.example");
    for (InetAddress client : List.of(IPV4, IPV6)) {
      CompletableFuture<SpfResult> future = evaluator.evaluate(client, "user@" + DOMAIN, "helo.example.net",
          Deadline.unarmed(Duration.ofSeconds(20)));
      SpfResult result = future.getNow(null);
      assertThat(result).as("completed with DNS answering from memory").isNotNull();
      assertThat(result.cause()).as("%s", result).isNotEqualTo(SpfCause.INTERNAL_ERROR);
      assertThat(result.cause().allows(result.outcome())).as("%s", result).isTrue();
      if (SpfRecordParser.isSpfRecord(text) && parsed instanceof SpfRecordParser.Invalid) {
        assertThat(result.cause()).as("%s", result).isEqualTo(SpfCause.RECORD_SYNTAX);
      }
    }
  }

  /**
   * Input: the macro-string on the first line, then the sender's local part, the domain and the HELO name, one
   * a line; an odd-length local part makes the client IPv6.
   */
  @FuzzTest(maxDuration = "10s")
  void aMacroStringParsesOrIsAnErrorAndExpandsWithinItsLimit(byte[] input) {
    String[] lines = new String(input, StandardCharsets.UTF_8).split("\n", 4);
    String text = lines[0];
    String localPart = lines.length > 1 ? lines[1] : "user";
    String domain = lines.length > 2 ? lines[2] : DOMAIN;
    String helo = lines.length > 3 ? lines[3] : "helo.example.net";
    byte[] ip = (localPart.length() % 2 == 0 ? IPV4 : IPV6).getAddress();
    MacroString.Values values = new MacroString.Values(localPart + "@" + domain, localPart, domain, domain, ip, helo,
        "unknown", "mx.receiver.example", CLOCK.instant().getEpochSecond());

    MacroString.domainSpecError(text);
    for (MacroString.Syntax syntax : MacroString.Syntax.values()) {
      MacroString macro = MacroString.parse(text, syntax);
      if (macro.error().isPresent() || syntax == MacroString.Syntax.UNKNOWN_MODIFIER) {
        continue;
      }
      for (int limit : new int[] {253, SpfLimits.DEFAULT_MAX_MACRO_BYTES}) {
        String expanded = macro.expand(values, limit);
        assertThat(expanded.length()).isLessThanOrEqualTo(limit);
        assertThat(macro.expand(values, limit)).isEqualTo(expanded);
        if (text.indexOf('%') < 0) {
          assertThat(expanded).isEqualTo(text.length() > limit ? text.substring(0, limit) : text);
        }
      }
    }
  }

  /** The record as SPF text: the terms in order, then redirect=, exp= and the other modifiers. */
  private static String write(SpfRecord record) {
    StringBuilder out = new StringBuilder("v=spf1");
    record.mechanisms().forEach(m -> out.append(' ').append(m.term()));
    record.redirect().ifPresent(r -> out.append(" redirect=").append(r));
    record.explanation().ifPresent(e -> out.append(" exp=").append(e));
    record.unknownModifiers().forEach(m -> out.append(' ').append(m));
    return out.toString();
  }
}
