package org.postseal.dns;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Tells a resolver that does not answer at all from a domain whose name servers fail: when a lookup got no
 * answer, the commands that report on a domain ({@code doctor}, {@code keys check}, {@code keys list}) ask the
 * resolver about the root zone (its TXT records: there are none, and any working resolver says so quickly; an
 * error code counts as an answer too). If that gets no answer either, the fault is the configured resolver ({@code [dns] servers}, or
 * /etc/resolv.conf), and saying "the name servers of example.com do not answer" would send the admin the wrong
 * way. Blocks up to {@code timeout}: for commands, never for the milter.
 */
public final class ResolverProbe {

  private ResolverProbe() {
  }

  /** Empty when {@code dns} answers; otherwise what happened to the probe, for the message. */
  public static Optional<String> silence(DnsSource dns, Duration timeout) {
    DnsAnswer answer;
    try {
      answer = dns.lookup(".", RecordType.TXT).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (ExecutionException e) {
      return Optional.of("a lookup of the root zone failed: " + e.getCause());
    } catch (TimeoutException e) {
      return Optional.of("no answer to a lookup of the root zone within " + timeout.toMillis() + " ms");
    }
    return answer instanceof DnsAnswer.Failed failed && failed.isNoAnswer()
        ? Optional.of("no answer to a lookup of the root zone either (" + failed.reason() + ")")
        : Optional.empty();
  }

  /** The sentence commands print: whose fault it is and where to fix it. */
  public static String blame(String silence) {
    return "the DNS resolver does not answer: " + silence + "; check [dns] servers in the configuration (empty:"
        + " the servers in /etc/resolv.conf), not the domain's records";
  }
}
