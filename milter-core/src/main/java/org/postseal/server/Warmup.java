package org.postseal.server;

import java.time.Clock;
import java.time.Duration;
import org.postseal.pipeline.SyntheticMail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code serve} does between binding its listener and saying it is ready (the "listening" line, READY=1):
 * made-up messages signed and verified through the real pipeline ({@link SyntheticMail}), so that the JVM has
 * loaded and compiled that code before Postfix sends the first real message. Nothing of it is logged per message,
 * counted in the metrics or recorded in the results database; one line says what the warm-up did.
 *
 * <p>It alternates signing (RSA and Ed25519), verifying one signature and verifying two, until
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

  private Warmup() {
  }

  /** What one warm-up did. */
  record Done(int messages, Duration took) {
  }

  /**
   * Runs the warm-up on the calling thread for at most {@code budget} (making the keys included) and at most
   * {@code maxMessages}; never throws.
   */
  static Done run(Clock clock, Duration budget, int maxMessages) {
    long start = System.nanoTime();
    long end = start + budget.toNanos();
    int messages = 0;
    try {
      SyntheticMail mail = SyntheticMail.create(clock, BODY_BYTES, 1024);
      while (messages < maxMessages && System.nanoTime() < end) {
        switch (messages % 3) {
          case 0 -> mail.sign();
          case 1 -> mail.verify();
          default -> mail.verifyTwoSignatures();
        }
        messages++;
      }
    } catch (RuntimeException e) {
      LOG.warn("warm-up stopped after {} synthetic messages: {}; the first real messages will be slower", messages,
          e.toString());
    }
    Done done = new Done(messages, Duration.ofNanos(System.nanoTime() - start));
    LOG.info("warm-up: {} synthetic messages signed and verified in {} ms (not logged, counted or recorded)",
        done.messages(), done.took().toMillis());
    return done;
  }
}
