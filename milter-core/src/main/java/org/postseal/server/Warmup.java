package org.postseal.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.postseal.dns.DnsResolver;
import org.postseal.milter.MilterServer;
import org.postseal.milter.client.Envelope;
import org.postseal.milter.client.MessageOutcome;
import org.postseal.milter.client.MilterClient;
import org.postseal.pipeline.SyntheticMail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code serve} does between binding its listener and saying it is ready (the "listening" line, READY=1):
 * made-up messages signed and verified ({@link SyntheticMail}), so that the JVM has loaded and compiled that code
 * before Postfix sends the first real message. Nothing of it is logged per message, counted in the metrics or
 * recorded in the results database; one line says what the warm-up did.
 *
 * <p>Its DNS is a responder on a loopback port ({@link WarmupDns}) asked through a real resolver of its own, so the
 * resolver's code is warmed too, and nothing it asks leaves the machine or lands in the running resolver's cache.
 * Two ways in turn: through the pipeline directly, and as a milter client over a real loopback connection to a
 * private listener ({@link MilterServer#startForWarmUp}: the same Netty, jmilter and adapter code as the real
 * listener, with metrics of its own and no message lines), a new connection per message as Postfix opens one per
 * SMTP session. The pipeline alone left the connection path cold: the first real message then took 69 ms (sign) and
 * 161 ms (verify) from connect to the final reply, against 14 and 42 ms from its end of message (README
 * "Performance"). It alternates signing (RSA and Ed25519), verifying one signature and verifying two, until
 * {@link #DEFAULT_BUDGET} has passed or {@link #MAX_MESSAGES} were made. A failure ends the warm-up with a warning:
 * the milter serves cold rather than not at all.
 */
final class Warmup {

  private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);

  /**
   * How long the warm-up may take. Measured here (2-core Xeon, load 5-8, README "Performance"): the first real
   * message's end of message went from 34 to 14 ms signing and from 149 to 42 ms verifying, with 362-2,248 made-up
   * messages in this time; READY came 2.4-4.3 s after the start.
   */
  static final Duration DEFAULT_BUDGET = Duration.ofMillis(1500);
  /** Enough for the compilers to have seen every step many times; more buys nothing measurable. */
  static final int MAX_MESSAGES = 3000;
  /** Body size of the made-up messages: the 2 KiB of the benchmarks. */
  static final int BODY_BYTES = 2048;
  private static final SyntheticMail.Kind[] KINDS = SyntheticMail.Kind.values();
  /**
   * How much longer than the rest of its budget the warm-up waits for a reply of its private listener: a listener that
   * stopped answering ends the warm-up (with a warning) instead of keeping serve from ever saying it is ready.
   */
  private static final Duration REPLY_SLACK = Duration.ofSeconds(1);
  /** The loopback responder answers within a millisecond; a lost datagram is asked again within this. */
  private static final Duration RESOLVER_TIMEOUT = Duration.ofSeconds(1);

  private Warmup() {
  }

  /**
   * What one warm-up did: messages in all, how many of them went over the loopback milter connection, and how many DNS
   * questions its responder answered.
   */
  record Done(int messages, int overSocket, int dnsAnswers, Duration took) {
  }

  /**
   * Runs the warm-up on the calling thread for at most {@code budget} (making the keys included) and at most
   * {@code maxMessages}; never throws.
   */
  static Done run(Clock clock, Duration budget, int maxMessages) {
    long start = System.nanoTime();
    long end = start + budget.toNanos();
    int messages = 0;
    int overSocket = 0;
    MilterServer listener = null;
    WarmupDns[] dns = new WarmupDns[1];
    try {
      SyntheticMail mail = SyntheticMail.create(clock, BODY_BYTES, 1024, records -> {
        try {
          dns[0] = WarmupDns.start(records);
          return DnsResolver.create(List.of(dns[0].server()), RESOLVER_TIMEOUT, clock);
        } catch (IOException e) {
          throw new UncheckedIOException("no loopback DNS responder for the warm-up", e);
        }
      });
      try {
        listener = MilterServer.startForWarmUp(mail.pipeline());
      } catch (IOException e) {
        LOG.warn("warm-up: no private loopback listener ({}); warming the pipeline only", e.getMessage());
      }
      while (messages < maxMessages && System.nanoTime() < end) {
        SyntheticMail.Kind kind = KINDS[messages % KINDS.length];
        if (listener != null && (messages / KINDS.length) % 2 == 1) {
          overMilter(listener, mail, kind, Duration.ofNanos(Math.max(0, end - System.nanoTime())).plus(REPLY_SLACK));
          overSocket++;
        } else {
          switch (kind) {
            case SIGN -> mail.sign();
            case VERIFY -> mail.verify();
            case VERIFY_TWO -> mail.verifyTwoSignatures();
          }
        }
        messages++;
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("warm-up stopped after {} synthetic messages: {}; the first real messages will be slower", messages,
          e.toString());
    } finally {
      if (listener != null) {
        listener.close();
      }
      if (dns[0] != null) {
        dns[0].close();
      }
    }
    Done done = new Done(messages, overSocket, dns[0] == null ? 0 : dns[0].answered(),
        Duration.ofNanos(System.nanoTime() - start));
    LOG.info("warm-up: {} synthetic messages signed and verified in {} ms, {} of them over a loopback milter"
        + " connection, {} DNS questions answered on loopback (not logged, counted or recorded)", done.messages(),
        done.took().toMillis(), done.overSocket(), done.dnsAnswers());
    return done;
  }

  /**
   * One message as Postfix sends it, on a connection of its own, each reply awaited at most {@code timeout}; throws
   * when it did not come out as it should.
   */
  private static void overMilter(MilterServer listener, SyntheticMail mail, SyntheticMail.Kind kind, Duration timeout)
      throws IOException {
    String host = "mail." + SyntheticMail.DOMAIN;
    Envelope envelope = new Envelope(host, SyntheticMail.client(kind).getHostAddress(), host,
        "<warmup@" + SyntheticMail.DOMAIN + ">", List.of("<postmaster@" + SyntheticMail.DOMAIN + ">"), "", "WARMUP");
    MessageOutcome outcome;
    try (MilterClient client = MilterClient.open(listener.listenAddress(),
        MilterClient.Options.postfix().withTimeout(timeout))) {
      outcome = client.send(envelope, mail.header(kind), mail.body());
      client.quit();
    }
    String expected = kind == SyntheticMail.Kind.SIGN ? "DKIM-Signature" : "Authentication-Results";
    boolean edited = outcome.headerChanges().stream().anyMatch(c -> c.name().equalsIgnoreCase(expected)
        && (kind == SyntheticMail.Kind.SIGN || c.value().contains("dmarc=pass")));
    if (!outcome.atEndOfMessage() || !edited) {
      throw new IllegalStateException("the synthetic " + kind + " message over the loopback milter connection came"
          + " back without its " + expected + " field: " + outcome.reply());
    }
  }
}
