package org.postseal.milter;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.postseal.milter.client.MilterProtocol;

/**
 * Issue 11's crowd: thousands of idle milter connections and slowloris clients (a message begun, then one byte of a
 * header field packet a second) held open while normal sessions go on, against any milter. It prints what the
 * crowd got (admitted, refused, closed by the milter) and how the normal sessions fared before, during and after
 * it (count, failures, p50/p99), with the milter's RSS, threads and open descriptors. bench/faults.sh runs it
 * against {@code postseal serve}.
 */
public final class CrowdClients {

  private CrowdClients() {
  }

  /** Normal sessions of one phase: each one's time, and the failures. */
  private static final class Phase {
    final String name;
    final List<Long> micros = new CopyOnWriteArrayList<>();
    final AtomicInteger failed = new AtomicInteger();

    Phase(String name) {
      this.name = name;
    }

    String summary() {
      List<Long> sorted = new ArrayList<>(micros);
      Collections.sort(sorted);
      return String.format(Locale.ROOT, "%s: %d normal sessions, %d failed, p50 %.1f ms, p99 %.1f ms", name, sorted.size(),
          failed.get(), at(sorted, 0.5), at(sorted, 0.99));
    }

    private static double at(List<Long> sorted, double fraction) {
      if (sorted.isEmpty()) {
        return 0;
      }
      int rank = (int) Math.ceil(fraction * sorted.size());
      return sorted.get(Math.min(Math.max(rank, 1), sorted.size()) - 1) / 1000.0;
    }
  }

  /**
   * {@code HOST:PORT PID IDLE ADDRESSES SLOW SECONDS}: IDLE idle connections spread over ADDRESSES local addresses
   * (127.0.0.2, 127.0.0.3, ...), SLOW slowloris clients from 127.0.1.1, held for SECONDS while two threads run
   * normal sessions from 127.0.0.1.
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 6) {
      System.err.println("usage: CrowdClients HOST:PORT MILTER_PID IDLE ADDRESSES SLOW SECONDS");
      System.exit(2);
    }
    String[] target = args[0].split(":");
    InetSocketAddress milter = new InetSocketAddress(target[0], Integer.parseInt(target[1]));
    String pid = args[1];
    int idleCount = Integer.parseInt(args[2]);
    int addresses = Integer.parseInt(args[3]);
    int slowCount = Integer.parseInt(args[4]);
    int seconds = Integer.parseInt(args[5]);

    AtomicReference<Phase> phase = new AtomicReference<>(new Phase("before"));
    List<Phase> phases = new CopyOnWriteArrayList<>(List.of(phase.get()));
    List<Thread> normal = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Thread t = new Thread(() -> {
        while (!Thread.currentThread().isInterrupted()) {
          Phase p = phase.get();
          long start = System.nanoTime();
          boolean ok;
          try {
            ok = HostileClients.normalSession(milter);
          } catch (IOException | RuntimeException e) {
            ok = false;
          }
          if (ok) {
            p.micros.add((System.nanoTime() - start) / 1000);
          } else {
            p.failed.incrementAndGet();
            try {
              Thread.sleep(10);
            } catch (InterruptedException e) {
              return;
            }
          }
        }
      }, "normal-" + i);
      t.setDaemon(true);
      t.start();
      normal.add(t);
    }
    Thread.sleep(3000);
    System.out.println("milter before the crowd: " + processLine(pid));

    Phase during = new Phase("during");
    phases.add(during);
    phase.set(during);
    long openStart = System.nanoTime();
    List<HostileClient> idle = new ArrayList<>();
    int idleRefused = 0;
    for (int i = 0; i < idleCount; i++) {
      HostileClient client = null;
      try {
        client = HostileClient.connect(milter, "127.0.0." + (2 + i % addresses));
        idle.add(client.negotiate(HostileClient.STEPS_POSTFIX));
      } catch (IOException e) {
        idleRefused++;
        if (client != null) {
          client.close();
        }
      }
    }
    List<HostileClient> slow = new ArrayList<>();
    int slowRefused = 0;
    for (int i = 0; i < slowCount; i++) {
      HostileClient client = null;
      try {
        client = HostileClient.connect(milter, "127.0.1." + (1 + i % 250));
        slow.add(client.negotiate(HostileClient.STEPS_POSTFIX).beginMessage(false).flush());
      } catch (IOException e) {
        slowRefused++;
        if (client != null) {
          client.close();
        }
      }
    }
    System.out.printf(Locale.ROOT, "crowd: %d idle connections from %d addresses: %d negotiated, %d refused; %d slowloris"
            + " clients: %d began a message, %d refused; opened in %d ms%n", idleCount, addresses, idle.size(), idleRefused,
        slowCount, slow.size(), slowRefused, (System.nanoTime() - openStart) / 1_000_000);

    // slowloris: a header field packet announced, then its bytes one a second
    byte[] value = new byte[250];
    java.util.Arrays.fill(value, (byte) 'a');
    value[value.length - 1] = 0;
    byte[] payload = HostileClient.cat(new byte[] {(byte) MilterProtocol.SMFIC_HEADER}, HostileClient.z("X-Slow"), value);
    byte[] packet = HostileClient.cat(java.nio.ByteBuffer.allocate(4).putInt(payload.length).array(), payload);
    int slowClosedWhileTrickling = 0;
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    String peak = processLine(pid);
    for (int second = 0; System.nanoTime() < end; second++) {
      for (HostileClient client : slow) {
        if (second < packet.length) {
          try {
            client.raw(new byte[] {packet[second]}).flush();
          } catch (IOException e) {
            // counted below
          }
        }
      }
      Thread.sleep(1000);
      if (second == 1) {
        peak = processLine(pid);
      }
    }
    for (HostileClient client : slow) {
      if (client.isClosedByMilterWithin(java.time.Duration.ofMillis(3))) {
        slowClosedWhileTrickling++;
      }
    }
    int idleClosed = 0;
    for (HostileClient client : idle) {
      if (client.isClosedByMilterWithin(java.time.Duration.ofMillis(3))) {
        idleClosed++;
      }
    }
    System.out.println("milter with the crowd (after 2 s): " + peak);
    System.out.printf(Locale.ROOT, "crowd after %d s: %d of %d idle connections and %d of %d slowloris clients closed by the"
        + " milter%n", seconds, idleClosed, idle.size(), slowClosedWhileTrickling, slow.size());

    Phase after = new Phase("after");
    phases.add(after);
    phase.set(after);
    idle.forEach(HostileClient::close);
    slow.forEach(HostileClient::close);
    Thread.sleep(3000);
    normal.forEach(Thread::interrupt);
    for (Thread t : normal) {
      t.join(5000);
    }
    System.out.println("milter after the crowd left: " + processLine(pid));
    for (Phase p : phases) {
      System.out.println(p.summary());
    }
  }

  /** RSS, threads and open descriptors of the milter process. */
  private static String processLine(String pid) throws IOException {
    long rss = 0;
    long threads = 0;
    for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
      if (line.startsWith("VmRSS:")) {
        rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
      } else if (line.startsWith("Threads:")) {
        threads = Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    long fds;
    try (var list = Files.list(Path.of("/proc", pid, "fd"))) {
      fds = list.count();
    }
    return String.format(Locale.ROOT, "RSS %d MiB, %d threads, %d open descriptors", rss / 1024, threads, fds);
  }
}
