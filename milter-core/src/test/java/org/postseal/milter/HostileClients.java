package org.postseal.milter;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.postseal.milter.client.MilterProtocol;

/**
 * The three clients that ended {@code postseal serve} with OutOfMemoryError in issue 11, run one after the other
 * against any milter, with a normal session during each and the milter process's RSS after each:
 * <ol>
 *   <li>one connection that never reads a reply and streams one-byte body chunks, up to 64 MB or until its
 *       writes stall for 2 s (the kernel's socket buffers hold about 4 MB of it);</li>
 *   <li>one connection sending 200 header fields of 1,000,000 bytes;</li>
 *   <li>16 concurrent connections sending 100 header fields of 100,000 bytes each.</li>
 * </ol>
 * ServeProcessTest runs them against {@code postseal serve -Xmx128m}; {@link #main} against any milter
 * (bench/hostile.sh: the before and after numbers in README "Limits").
 */
public final class HostileClients {

  /** A normal session; true when it got its final reply. */
  @FunctionalInterface
  public interface Check {
    boolean run() throws Exception;
  }

  /** A field of the milter process's /proc/PID/status, in KiB ("VmRSS", "VmHWM"). */
  @FunctionalInterface
  public interface ProcessStatus {
    long kib(String field) throws IOException;
  }

  /**
   * @param lines                one line per attack: what happened, the RSS after it
   * @param refusedReplies       the final replies the attacking messages got
   * @param normalSessionsFailed normal sessions without a final reply
   * @param peakRssKib           the milter's peak RSS (VmHWM) at the end, 0 when it was gone
   */
  public record Report(List<String> lines, List<String> refusedReplies, int normalSessionsFailed, long peakRssKib) {
    @Override
    public String toString() {
      return String.join("; ", lines) + "; normal sessions failed: " + normalSessionsFailed + "; peak RSS "
          + peakRssKib / 1024 + " MiB";
    }
  }

  private HostileClients() {
  }

  public static Report runAll(InetSocketAddress milter, Check normalSession, ProcessStatus status) {
    return run(milter, normalSession, status, "123");
  }

  /** The clients whose numbers (1, 2, 3) are in {@code which}, in that order. */
  public static Report run(InetSocketAddress milter, Check normalSession, ProcessStatus status, String which) {
    List<String> lines = new ArrayList<>();
    List<String> replies = new ArrayList<>();
    int[] failed = {0};
    Check counted = () -> {
      boolean ok;
      try {
        ok = normalSession.run();
      } catch (Exception e) {
        ok = false;
      }
      if (!ok) {
        failed[0]++;
      }
      return ok;
    };
    if (which.contains("1")) {
      lines.add(attempt("1 non-reading one-byte chunks", () -> nonReadingOneByteChunks(milter, counted, () -> { }), status));
    }
    if (which.contains("2")) {
      lines.add(attempt("2 megabyte header fields", () -> megabyteHeaderFields(milter, counted, replies), status));
    }
    if (which.contains("3")) {
      lines.add(attempt("3 sixteen sessions of 100 KB fields", () -> sixteenSessions(milter, counted, replies), status));
    }
    long peak;
    try {
      peak = status.kib("VmHWM");
    } catch (IOException e) {
      peak = 0;
    }
    return new Report(lines, replies, failed[0], peak);
  }

  private interface Attack {
    String run() throws Exception;
  }

  private static String attempt(String name, Attack attack, ProcessStatus status) {
    long start = System.nanoTime();
    String outcome;
    try {
      outcome = attack.run();
    } catch (Exception e) {
      outcome = "failed: " + e;
    }
    String rss;
    try {
      rss = "RSS " + status.kib("VmRSS") / 1024 + " MiB, peak " + status.kib("VmHWM") / 1024 + " MiB";
    } catch (IOException e) {
      rss = "milter process gone";
    }
    return name + ": " + outcome + " in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms, " + rss;
  }

  /** A session as Postfix runs it, from 203.0.113.5; true when it was answered "continue". */
  public static boolean normalSession(InetSocketAddress milter) throws IOException {
    try (FakeMta mta = FakeMta.connect(milter)) {
      return mta.send(FakeMta.envelope("203.0.113.5"),
          "From: a@example.net\r\nSubject: normal\r\n\r\nhello\r\n".getBytes(StandardCharsets.UTF_8)).reply().isContinue();
    }
  }

  /**
   * Client 1: returns "writes stalled after N kB" when the milter stopped taking its bytes (or how it ended
   * otherwise); {@code sample} runs every 50 ms meanwhile, while the connection is open.
   */
  static String nonReadingOneByteChunks(InetSocketAddress milter, Check normalSession, Runnable sample) throws Exception {
    HostileClient attacker = HostileClient.connect(milter)
        .negotiate(HostileClient.STEPS_ALL_REPLIES).beginMessage(false);
    AtomicLong written = new AtomicLong();
    ExecutorService writer = Executors.newSingleThreadExecutor();
    try {
      Future<?> streaming = writer.submit(() -> {
        byte[] oneByte = {'x'};
        while (attacker.written() < 64L * 1024 * 1024) {
          attacker.packet(MilterProtocol.SMFIC_BODY, oneByte);
          written.set(attacker.written());
        }
        return null;
      });
      long last = -1;
      long stalledSince = System.nanoTime();
      boolean checked = false;
      while (System.nanoTime() - stalledSince < TimeUnit.SECONDS.toNanos(2) && !streaming.isDone()) {
        Thread.sleep(50);
        sample.run();
        if (written.get() != last) {
          last = written.get();
          stalledSince = System.nanoTime();
        }
        if (!checked && written.get() > 10_600_000) {
          checked = true;
          normalSession.run();
        }
      }
      if (!checked) {
        normalSession.run();
      }
      String how = streaming.isDone() ? streamingEnd(streaming) : "writes stalled";
      return how + " after " + written.get() / 1000 + " kB";
    } finally {
      attacker.close();
      writer.shutdownNow();
    }
  }

  private static String streamingEnd(Future<?> streaming) {
    try {
      streaming.get();
      return "all written";
    } catch (Exception e) {
      return "connection lost (" + e.getCause() + ")";
    }
  }

  static String megabyteHeaderFields(InetSocketAddress milter, Check normalSession, List<String> replies) throws Exception {
    try (HostileClient attacker = HostileClient.connect(milter).negotiate(HostileClient.STEPS_POSTFIX).beginMessage(true)) {
      for (int i = 0; i < 200; i++) {
        attacker.header("X-Big-" + i, 1_000_000);
        if (i == 120) {
          attacker.flush();
          normalSession.run();
        }
      }
      String reply = attacker.endMessage("body\r\n".getBytes(StandardCharsets.US_ASCII));
      replies.add(reply);
      return "reply " + reply;
    }
  }

  static String sixteenSessions(InetSocketAddress milter, Check normalSession, List<String> replies) throws Exception {
    ExecutorService sessions = Executors.newFixedThreadPool(16);
    try {
      List<Future<String>> futures = new ArrayList<>();
      for (int s = 0; s < 16; s++) {
        futures.add(sessions.submit(() -> {
          try (HostileClient attacker = HostileClient.connect(milter).negotiate(HostileClient.STEPS_POSTFIX)
              .beginMessage(true)) {
            for (int i = 0; i < 100; i++) {
              attacker.header("X-Big-" + i, 100_000);
            }
            return attacker.endMessage("body\r\n".getBytes(StandardCharsets.US_ASCII));
          }
        }));
      }
      normalSession.run();
      List<String> got = new ArrayList<>();
      for (Future<String> future : futures) {
        got.add(future.get(120, TimeUnit.SECONDS));
      }
      replies.addAll(got);
      return "replies " + got.stream().map(r -> r.length() > 11 ? r.substring(0, 11) : r).distinct().toList();
    } finally {
      sessions.shutdownNow();
    }
  }

  /**
   * {@code HOST:PORT PID [WHICH]}: runs the clients (all, or those numbered in WHICH, e.g. "2") against the milter
   * there and prints the report. For the numbers of any milter, ours or another (bench/hostile.sh).
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 2 && args.length != 3) {
      System.err.println("usage: HostileClients HOST:PORT MILTER_PID [123]");
      System.exit(2);
    }
    String[] target = args[0].split(":");
    InetSocketAddress milter = new InetSocketAddress(target[0], Integer.parseInt(target[1]));
    Path status = Path.of("/proc", args[1], "status");
    Report report = run(milter, () -> normalSession(milter), field -> {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
      throw new IOException(field + " not in " + status);
    }, args.length == 3 ? args[2] : "123");
    report.lines().forEach(System.out::println);
    System.out.println("normal sessions failed: " + report.normalSessionsFailed() + ", peak RSS " + report.peakRssKib() / 1024
        + " MiB");
  }
}
