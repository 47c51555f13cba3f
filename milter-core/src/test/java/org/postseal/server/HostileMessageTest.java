package org.postseal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;
import static org.postseal.server.RunningPostseal.AUTHSERV_ID;
import static org.postseal.server.RunningPostseal.OUTSIDE_IP;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postseal.dns.FakeDnsServer;
import org.postseal.mail.HeaderField;
import org.postseal.mail.RawMessage;
import org.postseal.milter.FakeMta;
import org.postseal.milter.FakeMta.MilterOutcome;
import org.postseal.milter.client.Envelope;
import org.slf4j.LoggerFactory;

/**
 * The message cases of issue 11's hostile input list, each with the result it must get, through a real milter
 * session (FakeMta over a socket, Postseal as {@code serve} starts it, DNS from a FakeDnsServer):
 * <ul>
 *   <li>From fields: missing, several fields, several addresses, groups, no domain, encoded words, case, trailing
 *       dot, obsolete syntax, {@code From :}. The rule (RFC 9989 sections 5.3.1 and 11.5, README "What happens to a
 *       message"): exactly one From address with a domain name of two labels or more is evaluated; anything else
 *       is dmarc=permerror and rejected (dmarc.enforce, the default).
 *   <li>Incoming Authentication-Results: every field claiming our authserv-id, however it is spelled, is removed
 *       (RFC 8601 section 5; the OpenDMARC CVE-2022-48521 class); every other one is kept.
 * </ul>
 * The sender is outside and unauthenticated, MAIL FROM is attacker.example (SPF pass, not aligned with the bank);
 * bank.example publishes p=reject.
 */
class HostileMessageTest {

  private static final String BANK_REJECTED = "550 5.7.1 Email rejected per DMARC policy for bank.example";
  private static final String SEVERAL = "550 5.7.1 Email rejected per DMARC: the From header must hold exactly one"
      + " address";
  private static final String NO_FROM = "550 5.7.1 Email rejected per DMARC: the message has no From address";
  private static final String MALFORMED = "550 5.7.1 Email rejected per DMARC: the From domain is not a valid domain"
      + " name";
  private static final String DELIVERED = "continue";
  private static final AtomicInteger QUEUE_IDS = new AtomicInteger();

  @TempDir
  static Path tmp;
  static FakeDnsServer dns;
  static RunningPostseal postseal;

  @BeforeAll
  static void start() {
    dns = FakeDnsServer.start();
    dns.load("""
        bank.example.            TXT "v=spf1 ip4:198.51.100.20 -all"
        _dmarc.bank.example.     TXT "v=DMARC1; p=reject"
        attacker.example.        TXT "v=spf1 +all"
        """);
    postseal = RunningPostseal.start(tmp, dns, "", "", UnaryOperator.identity());
  }

  @AfterAll
  static void stop() {
    postseal.close();
    dns.close();
  }

  /** The header lines given (CRLF between them), then a common header and body. */
  private static byte[] message(String headerLines) {
    return ((headerLines.isEmpty() ? "" : headerLines + "\r\n")
        + "To: Bob <bob@example.org>\r\n"
        + "Subject: Your account\r\n"
        + "Date: Sat, 28 Nov 2026 10:00:00 +0000\r\n"
        + "Message-ID: <" + System.nanoTime() + "@attacker.example>\r\n"
        + "\r\n"
        + "Please confirm your password.\r\n").getBytes(StandardCharsets.UTF_8);
  }

  /** One message from outside, MAIL FROM attacker.example; its outcome and its log line. */
  private static Sent send(byte[] raw) throws Exception {
    String queueId = "HOSTILE" + QUEUE_IDS.incrementAndGet();
    Envelope envelope = FakeMta.envelope(OUTSIDE_IP).withMailFrom("<bounce@attacker.example>").withQueueId(queueId);
    try (MessageLog log = new MessageLog()) {
      MilterOutcome outcome = postseal.send(envelope, raw);
      return new Sent(outcome, log.lineFor(queueId));
    }
  }

  private record Sent(MilterOutcome outcome, String logLine) {
    String reply() {
      return outcome.reply().isContinue() ? DELIVERED : outcome.reply().text();
    }
  }

  // --- From ---------------------------------------------------------------------------------------------

  static Stream<Arguments> fromCases() {
    return Stream.of(
        arguments("one From, for comparison", "From: Security <security@bank.example>", "fail(not_aligned)",
            BANK_REJECTED),
        arguments("no From field", "", "permerror(no_from)", NO_FROM),
        arguments("an empty From field", "From:", "permerror(no_from)", NO_FROM),
        arguments("From: <>", "From: <>", "permerror(no_from)", NO_FROM),
        arguments("two From fields, two domains", "From: security@bank.example\r\nFrom: someone@attacker.example",
            "permerror(several_from)", SEVERAL),
        arguments("two From fields, the same address", "From: security@bank.example\r\nFrom: security@bank.example",
            "permerror(several_from)", SEVERAL),
        arguments("a second From written 'From :' (RFC 5322 section 4.5)",
            "From: security@bank.example\r\nFrom : someone@attacker.example", "permerror(several_from)", SEVERAL),
        arguments("one From written 'From :'", "From : security@bank.example", "fail(not_aligned)", BANK_REJECTED),
        arguments("a second From that cannot be read", "From: someone@attacker.example\r\nFrom: ((unclosed",
            "permerror(several_from)", SEVERAL),
        arguments("two addresses in one field", "From: security@bank.example, someone@attacker.example",
            "permerror(several_from)", SEVERAL),
        arguments("two addresses of one domain", "From: a@bank.example, b@bank.example", "permerror(several_from)",
            SEVERAL),
        arguments("a group of one", "From: Bank: security@bank.example;", "fail(not_aligned)", BANK_REJECTED),
        arguments("a group of two", "From: Bank: security@bank.example, someone@attacker.example;",
            "permerror(several_from)", SEVERAL),
        arguments("an empty group", "From: undisclosed-recipients:;", "permerror(no_from)", NO_FROM),
        arguments("no domain", "From: security", "permerror(no_from)", NO_FROM),
        arguments("no domain after '@'", "From: security@", "permerror(no_from)", NO_FROM),
        arguments("a single-label domain", "From: security@bank", "permerror(malformed_from)", MALFORMED),
        arguments("an address literal", "From: security@[198.51.100.20]", "permerror(malformed_from)", MALFORMED),
        arguments("a label with '_'", "From: security@bank_.example", "permerror(malformed_from)", MALFORMED),
        arguments("an encoded word naming the bank as display name",
            "From: =?utf-8?q?security=40bank.example?= <someone@attacker.example>", "none(no_policy)", DELIVERED),
        arguments("a quoted display name that is the bank's address",
            "From: \"security@bank.example\" <someone@attacker.example>", "none(no_policy)", DELIVERED),
        arguments("an encoded word as the whole address", "From: =?utf-8?b?c2VjdXJpdHlAYmFuay5leGFtcGxl?=",
            "permerror(no_from)", NO_FROM),
        arguments("upper case field name and domain", "FROM: Security@BANK.Example", "fail(not_aligned)",
            BANK_REJECTED),
        arguments("a trailing dot after the domain", "From: security@bank.example.", "permerror(no_from)", NO_FROM),
        arguments("obsolete route", "From: <@relay.attacker.example:security@bank.example>", "fail(not_aligned)",
            BANK_REJECTED),
        arguments("obsolete phrase with '.' and comments everywhere",
            "From: (x) John Q. Public (y) <security(z)@(w)bank.example(v)>", "fail(not_aligned)", BANK_REJECTED),
        arguments("obsolete white space inside the address", "From: security . team @ bank . example",
            "fail(not_aligned)", BANK_REJECTED),
        arguments("folded over two lines", "From: Security\r\n <security@bank.example>", "fail(not_aligned)",
            BANK_REJECTED),
        arguments("a quoted local part with '@' in it", "From: \"someone@attacker.example\"@bank.example",
            "fail(not_aligned)", BANK_REJECTED));
  }

  @ParameterizedTest(name = "{0} -> dmarc={2}, {3}")
  @MethodSource("fromCases")
  void aHostileFromGetsItsDmarcResultAndDisposition(String what, String fromLines, String dmarc, String reply)
      throws Exception {
    Sent sent = send(message(fromLines));

    assertThat(sent.logLine()).as(what).contains(" dmarc=" + dmarc + " ");
    assertThat(sent.reply()).as("%s: %s", what, sent.logLine()).isEqualTo(reply);
  }

  // --- Authentication-Results ------------------------------------------------------------------------------

  static Stream<Arguments> authenticationResultsCases() {
    String id = AUTHSERV_ID;
    String forged = "; dkim=pass header.d=bank.example; dmarc=pass header.from=bank.example";
    return Stream.of(
        arguments("as we write it", List.of(" " + id + forged), List.of(true)),
        arguments("upper case", List.of(" " + id.toUpperCase(java.util.Locale.ROOT) + forged), List.of(true)),
        arguments("mixed case", List.of(" Mx.PostSeal.Test" + forged), List.of(true)),
        arguments("a trailing dot", List.of(" " + id + "." + forged), List.of(true)),
        arguments("a comment before", List.of(" (checked) " + id + forged), List.of(true)),
        arguments("a nested comment before", List.of(" (a (b) c)" + id + forged), List.of(true)),
        arguments("a comment right after", List.of(" " + id + "(x)" + forged), List.of(true)),
        arguments("a version after (RFC 5451)", List.of(" " + id + " 1" + forged), List.of(true)),
        arguments("quoted", List.of(" \"" + id + "\"" + forged), List.of(true)),
        arguments("quoted with an escape", List.of(" \"mx.postseal\\.test\"" + forged), List.of(true)),
        arguments("no space after the colon", List.of(id + forged), List.of(true)),
        arguments("tabs and spaces around it", List.of(" \t  " + id + " \t ;" + forged.substring(1)), List.of(true)),
        arguments("folded before it", List.of("\r\n\t" + id + forged), List.of(true)),
        arguments("folded after it", List.of(" " + id + ";\r\n\tdkim=pass header.d=bank.example"), List.of(true)),
        arguments("'none' as the only result", List.of(" " + id + "; none"), List.of(true)),
        arguments("nothing after it", List.of(" " + id), List.of(true)),
        arguments("three forged among two others", List.of(" " + id + forged, " other.example; spf=pass",
            " MX.POSTSEAL.TEST." + forged, " upstream.example; dkim=fail", " (c) " + id + forged),
            List.of(true, false, true, false, true)),
        arguments("another id that ends in ours", List.of(" evil-" + id + forged), List.of(false)),
        arguments("another id that starts with ours", List.of(" " + id + ".evil.example" + forged), List.of(false)),
        arguments("our id one letter short", List.of(" mx.postseal.tes" + forged), List.of(false)),
        arguments("our id only in a comment", List.of(" (" + id + ") other.example" + forged), List.of(false)),
        arguments("our id only as a property value", List.of(" other.example; dkim=pass header.d=" + id),
            List.of(false)));
  }

  @ParameterizedTest(name = "{0} -> removed {2}")
  @MethodSource("authenticationResultsCases")
  void incomingAuthenticationResultsClaimingOurIdAreRemovedOthersKept(String what, List<String> values,
                                                                       List<Boolean> removed) throws Exception {
    StringBuilder lines = new StringBuilder("From: someone@attacker.example");
    String[] names = {"Authentication-Results", "authentication-results", "AUTHENTICATION-RESULTS"};
    for (int i = 0; i < values.size(); i++) {
      lines.append("\r\n").append(names[i % names.length]).append(':').append(values.get(i));
    }
    byte[] raw = message(lines.toString());

    Sent sent = send(raw);

    assertThat(sent.reply()).as(what).isEqualTo(DELIVERED);
    List<String> kept = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      if (!removed.get(i)) {
        kept.add(values.get(i));
      }
    }
    List<HeaderField> delivered = RawMessage.parse(sent.outcome().applyTo(raw)).headers().stream()
        .filter(f -> f.hasName("Authentication-Results")).toList();
    assertThat(delivered).as("%s: ours on top", what).first()
        .satisfies(ours -> assertThat(ours.value()).startsWith(" " + AUTHSERV_ID + ";"));
    assertThat(delivered.subList(1, delivered.size())).extracting(HeaderField::value).as(what).isEqualTo(kept);
  }

  /** Captures the per-message log lines (logger org.postseal.message) while open. */
  private static final class MessageLog implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger("org.postseal.message");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Level saved = logger.getLevel();

    MessageLog() {
      appender.start();
      logger.addAppender(appender);
      logger.setLevel(Level.INFO);
    }

    /** The line for {@code queueId}; the milter logs right after replying, so wait for it briefly. */
    String lineFor(String queueId) throws InterruptedException {
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (System.nanoTime() < deadline) {
        for (ILoggingEvent event : List.copyOf(appender.list)) {
          if (event.getFormattedMessage().startsWith("queue=" + queueId + " ")) {
            return event.getFormattedMessage();
          }
        }
        Thread.sleep(10);
      }
      throw new AssertionError("no log line for queue " + queueId + " in " + appender.list);
    }

    @Override
    public void close() {
      logger.detachAppender(appender);
      logger.setLevel(saved);
    }
  }
}
