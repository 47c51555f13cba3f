package org.postseal.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.postseal.config.ListenAddress;
import org.postseal.milter.client.MessageOutcome;
import org.postseal.milter.client.MilterClient;
import org.postseal.milter.client.MilterReply;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code postseal bench}: drives any milter the way Postfix does and prints messages per second, latency
 * percentiles, errors, and every reply and header edit it saw, so that a milter that does nothing cannot
 * look fast.
 *
 * <p>Sign mode plays an authenticated submission from 127.0.0.1, verify mode mail from an outside server;
 * mixed alternates the two between sessions. Verify mode needs signed messages: from {@code --corpus}, or
 * else the generated messages are first signed by the target itself (one pass as an internal client;
 * the run stops with exit 1 if the target adds no DKIM-Signature). {@code --save DIR} instead sends each
 * message of the pool once and writes it as delivered, for chaining milters (e.g. three signatures).
 * Exit 0 when every message got a final reply, 1 on any error, 2 on a usage error.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Drive a milter (Postseal, OpenDKIM, any) with concurrent Postfix-like sessions; print msg/s, latency"
        + " percentiles, errors and the edits seen.")
public final class BenchCommand implements Callable<Integer> {

  /** What kind of mail the sessions send. */
  enum Mode { sign, verify, mixed }

  @Spec
  CommandSpec spec;

  @Option(names = "--target", required = true, paramLabel = "inet:HOST:PORT|unix:/path", description = "The milter.")
  String target;

  @Option(names = "--sessions", paramLabel = "N", description = "Concurrent sessions (default: ${DEFAULT-VALUE}).")
  int sessions = 10;

  @Option(names = "--messages", paramLabel = "M", description = "Messages per milter connection (default: ${DEFAULT-VALUE}).")
  int messages = 10;

  @Option(names = "--size", paramLabel = "BYTES", description = "Size of generated messages (default: ${DEFAULT-VALUE}).")
  int size = 2048;

  @Option(names = "--mode", paramLabel = "sign|verify|mixed", description = "Default: ${DEFAULT-VALUE}.")
  Mode mode = Mode.sign;

  @Option(names = "--corpus", paramLabel = "DIR", description = "Send the *.eml files of DIR instead of generated messages.")
  Path corpus;

  @Option(names = "--from-domain", paramLabel = "DOMAIN", description = "From: and MAIL FROM domain of generated"
      + " messages (default: ${DEFAULT-VALUE}).")
  String fromDomain = "example.com";

  @Option(names = "--duration", paramLabel = "S", description = "Keep going for S seconds, reconnecting after each M"
      + " messages (default: one connection per session).")
  double durationSeconds;

  @Option(names = "--warmup", paramLabel = "S", description = "Run S seconds before measuring (default: 0).")
  double warmupSeconds;

  @Option(names = "--timeout", paramLabel = "S", description = "Longest wait for one reply (default: ${DEFAULT-VALUE}).")
  double timeoutSeconds = 30;

  @Option(names = "--pool", paramLabel = "N", description = "Distinct generated messages (default: ${DEFAULT-VALUE}).")
  int pool = 16;

  @Option(names = "--cpu-pid", paramLabel = "PID", description = "Report the CPU time this process (the milter) used"
      + " per message in the measured window (Linux /proc).")
  long cpuPid;

  @Option(names = "--rate", paramLabel = "R", description = "Send at most R messages per second in all (each session"
      + " paces itself to its share); default: as fast as the milter answers.")
  double rate;

  @Option(names = "--report-every", paramLabel = "S", description = "Also print an 'interval:' line every S seconds"
      + " while the run goes on: messages, errors and latency percentiles of that interval (bench/soak.sh).")
  double reportEverySeconds;

  @Option(names = "--save", paramLabel = "DIR", description = "Send each message once and write it as delivered into"
      + " DIR (NNN.eml); no load run.")
  Path saveDir;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ListenAddress address = validate();
    List<BenchMessage> plain;
    String source;
    try {
      if (corpus != null) {
        plain = readCorpus(corpus);
        source = plain.size() + " messages from " + corpus;
      } else {
        plain = new ArrayList<>();
        for (int i = 0; i < pool; i++) {
          plain.add(BenchMessage.generate(size, fromDomain, i));
        }
        source = size + "-byte generated messages From " + fromDomain;
      }
    } catch (IOException | IllegalArgumentException e) {
      err.println("postseal bench: cannot read the corpus: " + e.getMessage());
      return 1;
    }
    SessionProfile internal = SessionProfile.internal(fromDomain);
    SessionProfile external = SessionProfile.external(fromDomain);
    if (saveDir != null) {
      return save(address, mode == Mode.verify ? external : internal, plain, out, err);
    }
    List<BenchMessage> signed = plain;
    if (mode != Mode.sign && corpus == null) {
      try {
        signed = signedByTarget(address, internal, plain);
      } catch (IOException e) {
        err.println("postseal bench: signing the verify messages through " + address + " failed: " + e.getMessage());
        return 1;
      }
      if (signed == null) {
        err.println("postseal bench: " + address + " added no DKIM-Signature to an authenticated submission, so there is"
            + " nothing to verify; give signed messages with --corpus");
        return 1;
      }
    }
    List<LoadRun.Workload> workloads = switch (mode) {
      case sign -> List.of(new LoadRun.Workload(internal, plain));
      case verify -> List.of(new LoadRun.Workload(external, signed));
      case mixed -> List.of(new LoadRun.Workload(internal, plain), new LoadRun.Workload(external, signed));
    };
    Duration duration = Duration.ofMillis(Math.round(durationSeconds * 1000));
    Duration warmup = Duration.ofMillis(Math.round(warmupSeconds * 1000));
    out.printf(Locale.ROOT, "target %s, mode %s, %d sessions, %d messages per connection, %s%s%n", address, mode, sessions,
        messages, source, duration.isZero() ? ", one connection per session"
            : String.format(Locale.ROOT, ", %.1f s after %.1f s warm-up", durationSeconds, warmupSeconds));
    out.flush();
    BenchReport report = new LoadRun(new LoadRun.Settings(address, sessions, messages, duration, warmup,
        Duration.ofMillis(Math.round(timeoutSeconds * 1000)), workloads, cpuPid, rate,
        Duration.ofMillis(Math.round(reportEverySeconds * 1000)), line -> {
          synchronized (out) {
            out.println(line);
            out.flush();
          }
        })).run();
    report.print(out);
    out.flush();
    return report.errorCount() == 0 && report.messages() > 0 ? 0 : 1;
  }

  private ListenAddress validate() {
    List<String> problems = new ArrayList<>();
    ListenAddress address = null;
    try {
      address = ListenAddress.parse(target);
      if (address instanceof ListenAddress.Inet inet && inet.port() == 0) {
        problems.add("--target needs a port, was " + target);
      }
    } catch (IllegalArgumentException e) {
      problems.add("--target must be inet:HOST:PORT or unix:/path: " + e.getMessage());
    }
    if (sessions < 1 || sessions > 10_000) {
      problems.add("--sessions must be 1..10000, was " + sessions);
    }
    if (messages < 1) {
      problems.add("--messages must be at least 1, was " + messages);
    }
    if (size < 512 || size > 256 * 1024 * 1024) {
      problems.add("--size must be 512..268435456 bytes, was " + size);
    }
    if (pool < 1 || pool > 10_000) {
      problems.add("--pool must be 1..10000, was " + pool);
    }
    if (!(durationSeconds >= 0) || !(warmupSeconds >= 0)) {
      problems.add("--duration and --warmup must not be negative");
    }
    if (!(rate >= 0)) {
      problems.add("--rate must not be negative, was " + rate);
    }
    if (!(reportEverySeconds >= 0) || (reportEverySeconds > 0 && reportEverySeconds < 0.1)) {
      problems.add("--report-every must be 0 (none) or at least 0.1 s, was " + reportEverySeconds);
    }
    if (!(timeoutSeconds > 0)) {
      problems.add("--timeout must be positive, was " + timeoutSeconds);
    }
    if (cpuPid < 0 || (cpuPid > 0 && !Files.isDirectory(Path.of("/proc", Long.toString(cpuPid))))) {
      problems.add("--cpu-pid must be a running process, was " + cpuPid);
    }
    if (corpus != null && !Files.isDirectory(corpus)) {
      problems.add("--corpus must be a directory, was " + corpus);
    }
    if (fromDomain.isBlank() || fromDomain.contains("@") || fromDomain.contains(" ")) {
      problems.add("--from-domain must be a domain name, was \"" + fromDomain + "\"");
    }
    if (!problems.isEmpty()) {
      throw new CommandLine.ParameterException(spec.commandLine(), String.join("; ", problems));
    }
    return address;
  }

  private static List<BenchMessage> readCorpus(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.getFileName().toString().endsWith(".eml")).sorted().toList();
    }
    if (files.isEmpty()) {
      throw new IOException(dir + " has no *.eml files");
    }
    List<BenchMessage> messages = new ArrayList<>();
    for (Path f : files) {
      messages.add(BenchMessage.parse(Files.readAllBytes(f)));
    }
    return messages;
  }

  /** Each message signed by the target as an authenticated submission, or null when one came back unsigned. */
  private static List<BenchMessage> signedByTarget(ListenAddress address, SessionProfile internal, List<BenchMessage> plain)
      throws IOException {
    List<BenchMessage> signed = new ArrayList<>();
    try (MilterClient connection = MilterClient.open(address, MilterClient.Options.postfix())) {
      internal.greet(connection);
      int n = 0;
      for (BenchMessage m : plain) {
        MessageOutcome outcome = connection.send(internal.envelope("PRESIGN" + n++), m.headers(), m.body());
        if (outcome.headerChanges().stream().noneMatch(e -> e.name().equalsIgnoreCase("DKIM-Signature"))) {
          return null;
        }
        signed.add(m.apply(outcome));
      }
    }
    return signed;
  }

  private int save(ListenAddress address, SessionProfile profile, List<BenchMessage> plain, PrintWriter out,
                   PrintWriter err) {
    try (MilterClient connection = MilterClient.open(address, MilterClient.Options.postfix())) {
      Files.createDirectories(saveDir);
      MilterReply first = profile.greet(connection);
      if (first.endsTransaction()) {
        err.println("postseal bench: " + address + " answered the connection with " + first.summary());
        return 1;
      }
      int n = 0;
      for (BenchMessage m : plain) {
        MessageOutcome outcome = connection.send(profile.envelope("SAVE" + n), m.headers(), m.body());
        Files.write(saveDir.resolve(String.format(Locale.ROOT, "%03d.eml", n)), m.apply(outcome).toBytes());
        n++;
      }
      out.println("saved " + n + " messages as delivered by " + address + " into " + saveDir);
      return 0;
    } catch (IOException e) {
      err.println("postseal bench: " + e.getMessage());
      return 1;
    }
  }
}
