package org.postseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.milter.FakeMta;
import org.postseal.milter.HostileClients;

/**
 * {@code postseal serve} as its own process: prints where it listens, completes a milter session, and
 * exits 0 on SIGTERM (what systemd and Ctrl-C send); and with the launcher's heap (-Xmx128m) it outlives the
 * clients that used to end it (issue 11).
 */
class ServeProcessTest {

  /** What bin/postseal gives {@code serve} (packaging/src/main/app/bin/postseal). */
  static final List<String> LAUNCHER_JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-Xms32m", "-Xmx128m",
      "-XX:+ExitOnOutOfMemoryError");

  @TempDir
  Path dir;

  /** A running {@code postseal serve} child process and its output. */
  static final class ServeProcess implements AutoCloseable {
    final Process process;
    final List<String> output = new CopyOnWriteArrayList<>();
    final int port;

    ServeProcess(Path config, List<String> jvmOptions) throws Exception {
      this(config, jvmOptions, List.of());
    }

    /** @param wrapper a command that runs the JVM ({@code nohup}), or empty */
    ServeProcess(Path config, List<String> jvmOptions, List<String> wrapper) throws Exception {
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      List<String> command = new ArrayList<>(wrapper);
      command.add(java.toString());
      command.addAll(jvmOptions);
      // surefire's class path (a manifest-only jar when forked) carries the test and main classes and every dependency;
      // the production logging (logback.xml), not the tests' quieter logback-test.xml
      command.addAll(List.of("-Dfile.encoding=UTF-8", "-Dlogback.configurationFile=logback.xml",
          "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve", "--config", config.toString()));
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      Thread pump = new Thread(() -> {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = reader.readLine()) != null) {
            output.add(line);
            lines.add(line);
          }
        } catch (IOException e) {
          output.add("(reading the output failed: " + e + ")");
        }
      }, "serve-output");
      pump.setDaemon(true);
      pump.start();
      String listening = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (listening == null && System.nanoTime() < deadline) {
        String line = lines.poll(100, TimeUnit.MILLISECONDS);
        if (line != null && line.startsWith("postseal: listening on inet:127.0.0.1:")) {
          listening = line;
        }
      }
      if (listening == null) {
        process.destroyForcibly();
        throw new AssertionError("serve did not start; output: " + output);
      }
      port = Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1));
    }

    InetSocketAddress address() {
      return new InetSocketAddress("127.0.0.1", port);
    }

    /** A line of /proc/PID/status in KiB ("VmRSS", "VmHWM"). */
    long statusKib(String field) throws IOException {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
      throw new IOException(field + " not in /proc/" + process.pid() + "/status");
    }

    /** SIGTERM, as systemd sends it; returns the exit status. */
    int stop() throws Exception {
      // Process.destroy() would also send SIGTERM but closes our end of its output
      assertThat(new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start().waitFor()).isZero();
      assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
      return process.exitValue();
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }

  /**
   * Under nohup the JVM starts with SIGHUP ignored and cannot take it over (HotSpot leaves an ignored HUP, INT or
   * TERM alone): serve says so instead of reloading silently never. (Also why the SIGHUP tests here fail when mvn
   * itself runs under nohup: the children inherit the ignored signal.)
   */
  @Test
  void startedUnderNohup_serveSaysThatSighupCannotReloadIt() throws Exception {
    try (ServeProcess serve = new ServeProcess(config(""), List.of(), List.of("nohup"))) {
      assertThat(serve.output).anyMatch(l -> l.contains("SIGHUP was ignored when this process started")
          && l.contains("reloading with SIGHUP (kill -HUP, systemctl reload) does nothing"));
      assertThat(serve.stop()).isZero();
    }
  }

  private Path config(String extra) throws IOException {
    Path config = dir.resolve("postseal.toml");
    Files.writeString(config, "listen = \"inet:127.0.0.1:0\"\nstate-dir = \"" + dir + "\"\nauthserv-id = \"mx.test\"\n" + extra
        + "[dns]\nservers = [\"127.0.0.1:9\"]\ntimeout = \"200ms\"\n");
    return config;
  }

  private static FakeMta.MilterOutcome normalSession(InetSocketAddress address) throws IOException {
    try (FakeMta mta = FakeMta.connect(address)) {
      return mta.send(FakeMta.envelope("203.0.113.5"),
          "From: a@example.net\r\nSubject: hi\r\n\r\nhello\r\n".getBytes(StandardCharsets.UTF_8));
    }
  }

  @Test
  void servePrintsWhereItListensServesASessionAndExitsZeroOnSigterm() throws Exception {
    try (ServeProcess serve = new ServeProcess(config(""), List.of())) {
      FakeMta.MilterOutcome outcome = normalSession(serve.address());
      assertThat(outcome.reply().isContinue()).isTrue();
      // the only DNS server is unreachable: SPF and DMARC are temperror, and on-dns-error = accept lets it through
      assertThat(outcome.insertedValue("Authentication-Results")).startsWith(" mx.test;\r\n\tdkim=none;\r\n\tspf=temperror (")
          .contains("\r\n\tdmarc=temperror (").endsWith(" header.from=example.net");

      assertThat(serve.stop()).as("output: %s", serve.output).isZero();
      assertThat(serve.output).anyMatch(l -> l.contains("stopped"));
    }
  }

  /**
   * The three clients that ended {@code serve} with OutOfMemoryError in issue 11, one after the other, against the
   * launcher's heap: the process stays up, serves a normal session during and after each, and its peak RSS is
   * printed (the numbers in README "Limits").
   */
  @Test
  @Timeout(300)
  void theClientsThatUsedToEndServeDoNotWithTheLaunchersHeap() throws Exception {
    try (ServeProcess serve = new ServeProcess(config(""), LAUNCHER_JVM_OPTIONS)) {
      InetSocketAddress address = serve.address();
      HostileClients.Report report = HostileClients.runAll(address, () -> normalSession(address).reply().isContinue(),
          field -> serve.statusKib(field));
      System.out.println("serve -Xmx128m under the issue 11 clients: " + report);
      assertThat(serve.process.isAlive()).as("output: %s", serve.output).isTrue();
      assertThat(report.normalSessionsFailed()).isZero();
      assertThat(report.refusedReplies()).allMatch(r -> r.startsWith("y451 4.3."));
      assertThat(report.peakRssKib()).as("peak RSS, KiB").isLessThan(512 * 1024);
      assertThat(normalSession(address).reply().isContinue()).isTrue();
      assertThat(serve.output).noneMatch(l -> l.contains("OutOfMemoryError"));
      assertThat(serve.stop()).as("output: %s", serve.output).isZero();
    }
  }

  /**
   * A SIGTERM while serve starts (systemd stopping a unit that just started; a script that stops serve as soon as
   * its socket appears) still ends in a clean stop: exit 0, the socket gone. Before, serve took the signal over
   * only after it listened, so a signal during start-up got the JVM's default exit (143), which left the unix
   * socket behind (seen in CI).
   */
  @Test
  void sigtermWhileStarting_stopsCleanlyAndRemovesTheSocket() throws Exception {
    Path socket = dir.resolve("postseal.sock");
    Path config = dir.resolve("postseal.toml");
    Files.writeString(config, "listen = \"unix:" + socket + "\"\nstate-dir = \"" + dir + "\"\nauthserv-id = \"mx.test\"\n"
        + "[dns]\nservers = [\"127.0.0.1:9\"]\ntimeout = \"200ms\"\n");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process process = new ProcessBuilder(java.toString(), "-Dfile.encoding=UTF-8", "-Dlogback.configurationFile=logback.xml",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve", "--config", config.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("serve.log").toFile()).start();
    try {
      // the configuration is logged when the server starts building itself, before it binds
      Path log = dir.resolve("serve.log");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!(Files.exists(log) && Files.readString(log).contains("config from")) && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start().waitFor()).isZero();
      assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();

      String output = Files.readString(dir.resolve("serve.log"));
      assertThat(process.exitValue()).as(output).isZero();
      assertThat(socket).as(output).doesNotExist();
      assertThat(output).contains("stopped");
    } finally {
      process.destroyForcibly();
    }
  }

  /**
   * What systemd's Type=notify sees: READY=1 only once the milter listens, RELOADING=1 then READY=1 around a
   * SIGHUP, STOPPING=1 on SIGTERM. The notify socket is bound here as systemd binds it.
   */
  @Test
  void underSystemdServeSaysReadyOnceListeningAndAroundAReload() throws Exception {
    Path config = dir.resolve("postseal.toml");
    Files.writeString(config, "listen = \"inet:127.0.0.1:0\"\nstate-dir = \"" + dir + "\"\nauthserv-id = \"mx.test\"\n"
        + "[dns]\nservers = [\"127.0.0.1:9\"]\ntimeout = \"200ms\"\n");
    Path socket = dir.resolve("notify");
    BlockingQueue<String> notes = new LinkedBlockingQueue<>();
    EventLoopGroup group = new EpollEventLoopGroup(1);
    Process process = null;
    try {
      Channel systemd = new Bootstrap().group(group)
          .channel(EpollDomainDatagramChannel.class)
          .handler(new SimpleChannelInboundHandler<io.netty.channel.unix.DomainDatagramPacket>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx,
                                        DomainDatagramPacket packet) {
              notes.add(packet.content().toString(StandardCharsets.UTF_8));
            }
          })
          .bind(new DomainSocketAddress(socket.toString())).syncUninterruptibly().channel();
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      ProcessBuilder builder = new ProcessBuilder(java.toString(), "-Dfile.encoding=UTF-8",
          "-Dlogback.configurationFile=logback.xml", "-cp", System.getProperty("java.class.path"),
          Main.class.getName(), "serve", "--config", config.toString())
          .redirectErrorStream(true)
          .redirectOutput(dir.resolve("serve.log").toFile());
      builder.environment().put("NOTIFY_SOCKET", socket.toString());
      process = builder.start();

      String ready = notes.poll(30, TimeUnit.SECONDS);
      assertThat(ready).as("log: %s", Files.readString(dir.resolve("serve.log"))).startsWith("READY=1\nSTATUS=listening on inet:127.0.0.1:");
      int port = Integer.parseInt(ready.substring(ready.lastIndexOf(':') + 1));
      // ready means ready: a session completes right away
      try (FakeMta mta = FakeMta.connect(new java.net.InetSocketAddress("127.0.0.1", port))) {
        assertThat(mta.send(FakeMta.envelope("203.0.113.5"),
            "From: a@example.net\r\n\r\nhello\r\n".getBytes(StandardCharsets.UTF_8)).reply().isContinue()).isTrue();
      }

      assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start().waitFor()).isZero();
      assertThat(notes.poll(10, TimeUnit.SECONDS)).isEqualTo("RELOADING=1");
      assertThat(notes.poll(10, TimeUnit.SECONDS)).startsWith("READY=1\nSTATUS=listening on inet:127.0.0.1:" + port);

      assertThat(new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start().waitFor()).isZero();
      assertThat(notes.poll(10, TimeUnit.SECONDS)).isEqualTo("STOPPING=1");
      assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).isZero();
      systemd.close().syncUninterruptibly();
    } finally {
      if (process != null) {
        process.destroyForcibly();
      }
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }
}
