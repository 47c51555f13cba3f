package org.postseal.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.postseal.config.ConfigLoader;
import org.postseal.config.ConfigResult;
import org.postseal.config.PostsealConfig;
import org.postseal.server.PostsealServer;

/**
 * The run the class-data archive is made from ({@code bin/postseal-class-archive}, run when the app image is built
 * and by the Debian package's postinst): the JVM lists every class this process loads
 * ({@code -XX:DumpLoadedClassList}), then {@code java -Xshare:dump} parses and verifies them into a static archive
 * (the dynamic {@code -XX:ArchiveClassesAtExit} crashed JDK 17.0.15 here; the script says how);
 * {@code bin/postseal} maps that archive at start instead of reading and verifying those classes from the jars again.
 *
 * <p>It runs, in this one process, what an administrator runs by hand (--version, keygen, keys list, config check,
 * report status, check) and what {@code serve} loads up to and including its warm-up, against a configuration in a
 * temporary directory whose DNS server is a closed port on loopback: nothing leaves the machine, nothing outside the
 * temporary directory is written. Output is thrown away; the exit status is 0 unless the run itself broke.
 * Not a command of {@code postseal}: only the archive script calls it.
 */
public final class ClassDataTraining {

  private ClassDataTraining() {
  }

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("postseal-class-archive");
    int status = 0;
    try {
      Path config = dir.resolve("postseal.toml");
      Files.writeString(config, "listen = \"inet:127.0.0.1:0\"\n"
          + "authserv-id = \"mx.example.invalid\"\n"
          + "state-dir = \"" + dir.resolve("state") + "\"\n"
          + "[dns]\nservers = [\"127.0.0.1:9\"]\ntimeout = \"1s\"\n"
          + "[signing]\ndomains = [\"example.invalid\"]\n"
          + "[reports]\nenabled = false\n", StandardCharsets.UTF_8);
      Path message = dir.resolve("message.eml");
      Files.writeString(message, "From: a@example.invalid\r\nTo: b@example.invalid\r\nSubject: training\r\n\r\nbody\r\n",
          StandardCharsets.US_ASCII);
      String c = config.toString();
      String[][] commands = {
          {"--version"},
          {"--help"},
          {"config", "check", "--config", c},
          {"keygen", "--config", c, "example.invalid"},
          {"keys", "list", "--config", c},
          {"report", "status", "--config", c},
          {"check", "--config", c, message.toString()},
      };
      PrintWriter discard = new PrintWriter(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
      for (String[] command : commands) {
        Main.run(command, discard, discard);
      }
      ConfigResult result = new ConfigLoader().loadFile(config);
      if (!(result instanceof ConfigResult.Valid valid)) {
        System.err.println("postseal-class-archive: the training configuration is invalid: " + result);
        status = 1;
      } else {
        serve(valid.config());
      }
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(ClassDataTraining::delete);
      }
    }
    // the class list is complete once the JVM exits; serve's threads are daemons, but exit now rather than wait
    System.exit(status);
  }

  /** What serve loads: the server bound on an ephemeral loopback port, its warm-up, then closed. */
  private static void serve(PostsealConfig config) throws IOException {
    try (PostsealServer server = PostsealServer.builder(config).generator("Postseal " + VersionProvider.version())
        .drainTime(Duration.ZERO).clock(Clock.systemUTC()).warmUp(Duration.ofMillis(300)).start()) {
      server.healthProblems();
    }
  }

  private static void delete(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      System.err.println("postseal-class-archive: cannot remove " + path + ": " + e.getMessage());
    }
  }
}
