package org.postseal.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.postseal.config.ListenAddress;
import org.postseal.milter.client.MessageOutcome;
import org.postseal.milter.client.MilterClient;
import org.postseal.milter.client.MilterReply;

/**
 * Runs the load: one platform thread per session, each holding one milter connection at a time and
 * sending {@code messagesPerConnection} messages on it before it quits and reconnects (Postfix opens one
 * milter connection per SMTP session). Without a duration each session makes one connection; with one,
 * sessions keep going until it has passed. Messages that start during the warm-up are not counted.
 *
 * <p>A watchdog thread closes a connection whose milter has not answered within {@code timeout}; the
 * session records that as an error and reconnects.
 *
 * <p>With a {@code rate}, each session paces itself to its share of it (a soak measures a steady load, not the most
 * the milter can do, and leaves the machine's other work room); with {@code reportEvery}, the same thread prints
 * one line per interval (messages, errors, latency of that interval) while the run goes on.
 */
final class LoadRun {

  /** What a session sends: its SMTP profile and the messages it cycles through. */
  record Workload(SessionProfile profile, List<BenchMessage> messages) {
  }

  /**
   * @param workloads one per session kind; session i uses {@code workloads.get(i % size)}
   * @param duration  zero: each session makes one connection and stops
   * @param cpuPid    a process whose CPU time over the measured window goes into the report; 0 for none
   * @param rate      messages per second of all sessions together; 0 for as fast as the milter answers
   * @param reportEvery zero for no interval lines
   * @param intervals where the interval lines go
   */
  record Settings(ListenAddress target, int sessions, int messagesPerConnection, Duration duration, Duration warmup,
                  Duration timeout, List<Workload> workloads, long cpuPid, double rate, Duration reportEvery,
                  Consumer<String> intervals) {

    Settings(ListenAddress target, int sessions, int messagesPerConnection, Duration duration, Duration warmup,
             Duration timeout, List<Workload> workloads, long cpuPid) {
      this(target, sessions, messagesPerConnection, duration, warmup, timeout, workloads, cpuPid, 0, Duration.ZERO,
          line -> { });
    }
  }

  private final Settings settings;
  private final Set<MilterClient> open = ConcurrentHashMap.newKeySet();
  private final Set<MilterClient> timedOut = ConcurrentHashMap.newKeySet();
  private final AtomicLong queueIds = new AtomicLong(0x10000);
  private final IntervalRecorder interval = new IntervalRecorder();

  LoadRun(Settings settings) {
    this.settings = settings;
  }

  BenchReport run() throws InterruptedException {
    long start = System.nanoTime();
    long measureStart = start + settings.warmup().toNanos();
    long deadline = settings.duration().isZero() ? Long.MAX_VALUE : measureStart + settings.duration().toNanos();
    List<BenchRecorder> recorders = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bench-watchdog");
      t.setDaemon(true);
      return t;
    });
    watchdog.scheduleWithFixedDelay(this::closeStuckConnections, 100, 100, TimeUnit.MILLISECONDS);
    long every = settings.reportEvery().toNanos();
    ScheduledFuture<?> intervals = every == 0 ? null : watchdog.scheduleAtFixedRate(
        () -> settings.intervals().accept(interval.endInterval(System.nanoTime() - measureStart)),
        Math.max(measureStart + every - System.nanoTime(), 0), every, TimeUnit.NANOSECONDS);
    long[] cpuAtStart = {-1};
    if (settings.cpuPid() > 0) {
      watchdog.schedule(() -> {
        cpuAtStart[0] = ProcessCpu.millis(settings.cpuPid()).orElse(-1);
      }, Math.max(measureStart - System.nanoTime(), 0), TimeUnit.NANOSECONDS);
    }
    try {
      for (int i = 0; i < settings.sessions(); i++) {
        BenchRecorder recorder = new BenchRecorder();
        recorders.add(recorder);
        Workload workload = settings.workloads().get(i % settings.workloads().size());
        int session = i;
        Thread t = new Thread(() -> runSession(session, workload, recorder, measureStart, deadline), "bench-session-" + i);
        t.setDaemon(true);
        threads.add(t);
        t.start();
      }
      for (Thread t : threads) {
        t.join();
      }
      if (intervals != null) {
        intervals.cancel(false);
        // the last, partial interval, unless the periodic line has just covered it
        interval.endLastInterval(System.nanoTime() - measureStart, every / 2).ifPresent(settings.intervals());
      }
      watchdog.shutdown();
      watchdog.awaitTermination(1, TimeUnit.SECONDS);
    } finally {
      watchdog.shutdownNow();
    }
    long cpuMillis = -1;
    if (settings.cpuPid() > 0 && cpuAtStart[0] >= 0) {
      long end = ProcessCpu.millis(settings.cpuPid()).orElse(-1);
      cpuMillis = end < 0 ? -1 : end - cpuAtStart[0];
    }
    return BenchReport.merge(recorders, measureStart, System.nanoTime(), cpuMillis);
  }

  private void runSession(int session, Workload workload, BenchRecorder recorder, long measureStart, long deadline) {
    int next = session; // sessions start at different messages of the pool
    boolean once = deadline == Long.MAX_VALUE;
    long period = settings.rate() > 0 ? Math.round(settings.sessions() * 1e9 / settings.rate()) : 0;
    long due = System.nanoTime();
    do {
      MilterClient connection = null;
      try {
        connection = MilterClient.open(settings.target(), MilterClient.Options.postfix());
        open.add(connection);
        MilterReply reply = workload.profile().greet(connection);
        if (reply.endsTransaction()) {
          recorder.error("connection answered " + reply.summary());
          interval.error();
          return;
        }
        for (int m = 0; m < settings.messagesPerConnection() && System.nanoTime() < deadline; m++) {
          BenchMessage message = workload.messages().get(next++ % workload.messages().size());
          due = pace(due, period);
          long begin = System.nanoTime();
          MessageOutcome outcome = connection.send(
              workload.profile().envelope(Long.toHexString(queueIds.incrementAndGet()).toUpperCase(java.util.Locale.ROOT)),
              message.headers(), message.body());
          long end = System.nanoTime();
          if (begin >= measureStart) {
            recorder.message(end - begin, end, outcome);
            interval.message(end - begin);
          }
        }
        connection.close();
      } catch (IOException | RuntimeException e) {
        recorder.error(describe(e, connection));
        interval.error();
        if (connection != null) {
          connection.disconnect();
        }
        pause();
      } finally {
        if (connection != null) {
          open.remove(connection);
          timedOut.remove(connection);
        }
      }
    } while (!once && System.nanoTime() < deadline);
  }

  /**
   * Waits until {@code due} when the session runs ahead of its rate; returns when the next message is due. A session
   * that fell more than a second behind (a slow reply) starts its schedule again rather than sending a burst.
   */
  private static long pace(long due, long period) {
    if (period == 0) {
      return due;
    }
    long now = System.nanoTime();
    if (now - due > 1_000_000_000L) {
      return now + period;
    }
    if (due > now) {
      try {
        TimeUnit.NANOSECONDS.sleep(due - now);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return due + period;
  }

  private String describe(Exception e, MilterClient connection) {
    // the watchdog closed the socket under a waiting read: whatever that read threw, the cause is the timeout
    if (connection != null && timedOut.contains(connection)) {
      return "no reply within " + settings.timeout().toSeconds() + " s";
    }
    String message = e.getMessage() == null ? "" : ": " + e.getMessage();
    return e.getClass().getSimpleName() + message;
  }

  private void closeStuckConnections() {
    long now = System.nanoTime();
    for (MilterClient c : open) {
      long since = c.waitingSinceNanos();
      if (since != 0 && now - since > settings.timeout().toNanos()) {
        timedOut.add(c);
        c.disconnect();
      }
    }
  }

  /** After a failure, a short pause so that a milter that is down is not hammered with connects. */
  private static void pause() {
    try {
      Thread.sleep(10);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
