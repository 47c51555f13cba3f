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
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.milter.FakeMta;

/**
 * {@code postseal serve} as its own process: prints where it listens, completes a milter session, and
 * exits 0 on SIGTERM (what systemd and Ctrl-C send).
 */
class ServeProcessTest {

  @TempDir
  Path dir;

  @Test
  void servePrintsWhereItListensServesASessionAndExitsZeroOnSigterm() throws Exception {
    Path config = dir.resolve("postseal.toml");
    Files.writeString(config, "listen = \"inet:127.0.0.1:0\"\nstate-dir = \"" + dir + "\"\nauthserv-id = \"mx.test\"\n"
        + "[dns]\nservers = [\"127.0.0.1:9\"]\ntimeout = \"200ms\"\n");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    // surefire's class path (a manifest-only jar when forked) carries the test and main classes and every dependency
    // the production logging (logback.xml), not the tests' quieter logback-test.xml
    Process process = new ProcessBuilder(java.toString(), "-Dfile.encoding=UTF-8", "-Dlogback.configurationFile=logback.xml",
        "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "serve", "--config", config.toString())
        .redirectErrorStream(true)
        .start();
    List<String> output = new java.util.concurrent.CopyOnWriteArrayList<>();
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
    try {
      String listening = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (listening == null && System.nanoTime() < deadline) {
        String line = lines.poll(100, TimeUnit.MILLISECONDS);
        if (line != null && line.startsWith("postseal: listening on inet:127.0.0.1:")) {
          listening = line;
        }
      }
      assertThat(listening).as("output so far: %s", output).isNotNull();
      int port = Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1));

      try (FakeMta mta = FakeMta.connect(new java.net.InetSocketAddress("127.0.0.1", port))) {
        FakeMta.MilterOutcome outcome = mta.send(FakeMta.envelope("203.0.113.5"),
            "From: a@example.net\r\nSubject: hi\r\n\r\nhello\r\n".getBytes(StandardCharsets.UTF_8));
        assertThat(outcome.reply().isContinue()).isTrue();
        // the only DNS server is unreachable: SPF and DMARC are temperror, and on-dns-error = accept lets it through
        assertThat(outcome.insertedValue("Authentication-Results")).startsWith(" mx.test;\r\n\tdkim=none;\r\n\tspf=temperror (")
            .contains("\r\n\tdmarc=temperror (").endsWith(" header.from=example.net");
      }

      // what systemd sends; Process.destroy() would also send SIGTERM but closes our end of its output
      assertThat(new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start().waitFor()).isZero();
      assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
      pump.join(5000);
      assertThat(process.exitValue()).as("output: %s", output).isZero();
      assertThat(output).anyMatch(l -> l.contains("stopped"));
    } finally {
      process.destroyForcibly();
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
