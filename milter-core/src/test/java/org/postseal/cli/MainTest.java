package org.postseal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postseal.cli.CliRun.run;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line in process: exit codes and what goes to stdout and stderr. */
class MainTest {

  @TempDir
  Path dir;

  private Path config(String toml) throws IOException {
    Path file = dir.resolve("postseal.toml");
    Files.writeString(file, toml);
    return file;
  }

  @Test
  void versionPrintsTheProjectVersion() {
    CliRun run = run("--version");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).isEqualTo("postseal 0.1.0-SNAPSHOT" + System.lineSeparator());
  }

  @Test
  void theVersionAndEveryCommandsHelpReadTheSameWhateverTreeIsBuilt() {
    // -V is --version's short name, answered before any command is built, as --version is
    assertThat(run("-V").out()).isEqualTo(run("--version").out());
    // a command line naming a command builds that command only; help and mistakes get every command
    assertThat(Main.commandLine("keys", "list").getSubcommands().keySet()).containsExactly("keys");
    assertThat(Main.commandLine("--help").getSubcommands().keySet()).containsExactly("serve", "config", "check",
        "keygen", "keys", "report", "doctor", "bench", "help");
    assertThat(Main.commandLine("help", "keys").getSubcommands()).hasSize(Main.COMMANDS.size());
    assertThat(Main.commandLine("frobnicate").getSubcommands()).hasSize(Main.COMMANDS.size());
    CliRun help = run("--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("serve", "keygen", "doctor", "bench");
    for (String command : List.of("serve", "config", "check", "keygen", "keys", "report", "doctor", "bench")) {
      // the usage of a command is the same alone as in the whole tree: what help keys printed before
      CliRun alone = run(command, "--help");
      assertThat(alone.exitCode()).as(command).isZero();
      assertThat(alone.out()).as(command).isEqualTo(run("help", command).out());
    }
  }

  @Test
  void noCommandOrAnUnknownOneIsAUsageError() {
    CliRun none = run();
    assertThat(none.exitCode()).isEqualTo(2);
    assertThat(none.err()).contains("a command is required").contains("Usage: postseal");
    assertThat(run("frobnicate").exitCode()).isEqualTo(2);
    assertThat(run("serve", "--no-such-option").exitCode()).isEqualTo(2);
    assertThat(run("config").exitCode()).isEqualTo(2);
  }

  @Test
  void configCheckSaysOkForAValidFile() throws IOException {
    Path file = config("state-dir = \"" + dir + "\"\n[verify]\nmax-signatures = 3\n");
    CliRun run = run("config", "check", "--config", file.toString());
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).isEqualTo("postseal: configuration OK (" + file + ")" + System.lineSeparator());
  }

  @Test
  void configCheckPrintsEveryErrorWithItsLineAndExitsOne() throws IOException {
    Path file = config("listen = \"inet:localhost\"\n[verify]\nmax-signatures = 50\nmin-rsa-bit = 1024\n");
    CliRun run = run("config", "check", "--config", file.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err().lines()).containsExactly(
        file + ":1: listen: \"localhost\" has no :PORT; " + org.postseal.config.ListenAddress.ALLOWED,
        file + ":3: verify.max-signatures: 50 is out of range; allowed 1..20",
        file + ":4: verify.min-rsa-bit: unknown key; did you mean verify.min-rsa-bits?",
        "postseal: " + file + ": 3 errors");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void configCheckWarnsAboutASigningDomainWithoutKeyButPasses() throws IOException {
    Path file = config("state-dir = \"" + dir + "\"\n[signing]\ndomains = [\"example.com\"]\n");
    CliRun run = run("config", "check", "--config", file.toString());
    assertThat(run.exitCode()).isZero();
    assertThat(run.err()).contains("warning: signing.domains lists example.com but " + dir.resolve("keys/example.com")
        + " has no usable key");
  }

  @Test
  void configCheckOnAMissingFileFails() {
    CliRun run = run("config", "check", "--config", dir.resolve("missing.toml").toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).startsWith(dir.resolve("missing.toml") + ": no such file");
  }

  @Test
  void serveWithAnInvalidConfigListsEveryErrorAndExitsOne() throws IOException {
    Path file = config("listen = \"tcp:8891\"\n[dns]\ntimeout = \"forever\"\n");
    CliRun run = run("serve", "--config", file.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err().lines()).hasSize(3);
    assertThat(run.err()).contains(file + ":1: listen: ").contains(file + ":3: dns.timeout: ")
        .contains("postseal: not starting: " + file + " has 2 errors");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void serveOnAPortInUseExitsOneNamingTheAddress() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path file = config("listen = \"inet:127.0.0.1:" + taken.getLocalPort() + "\"\nstate-dir = \"" + dir + "\"\n");
      CliRun run = run("serve", "--config", file.toString());
      assertThat(run.exitCode()).isEqualTo(1);
      assertThat(run.err()).isEqualTo("postseal: cannot listen on inet:127.0.0.1:" + taken.getLocalPort()
          + ": Address already in use" + System.lineSeparator());
    }
  }

  @Test
  void serveOnAUnixSocketInAMissingDirectoryExitsOneNamingTheFix() throws IOException {
    Path file = config("listen = \"unix:" + dir + "/absent/postseal.sock\"\nstate-dir = \"" + dir + "\"\n");
    CliRun run = run("serve", "--config", file.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("cannot listen on unix:" + dir + "/absent/postseal.sock: directory " + dir
        + "/absent does not exist; create it");
  }

  @Test
  void anUnknownLogLevelIsAUsageError() throws IOException {
    Path file = config("");
    assertThat(run("config", "check", "--config", file.toString(), "--log-level", "LOUD").exitCode()).isEqualTo(2);
  }

  @Test
  void configCheckFailsWhenStateDirOrTheSocketDirectoryIsNotThere() throws IOException {
    Path file = config("listen = \"unix:" + dir + "/absent/postseal.sock\"\nstate-dir = \"" + dir
        + "/no/such/parent/state\"\n");
    CliRun run = run("config", "check", "--config", file.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains(file + ": state-dir: " + dir + "/no/such/parent/state does not exist and ")
        .contains(file + ": listen: the socket's directory " + dir + "/absent does not exist; create it: install -d -o ")
        .contains("-g postfix -m 2750 " + dir + "/absent")
        .contains("postseal: " + file + ": 2 errors");
    // a state-dir that does not exist yet but can be created is fine: serve and keygen create it
    Files.createDirectories(dir.resolve("spool"));
    Path fine = config("listen = \"unix:" + dir + "/spool/postseal.sock\"\nstate-dir = \"" + dir + "/state\"\n");
    assertThat(run("config", "check", "--config", fine.toString()).exitCode()).isZero();
    Files.writeString(dir.resolve("plainfile"), "x");
    Path notDir = config("state-dir = \"" + dir + "/plainfile\"\n");
    assertThat(run("config", "check", "--config", notDir.toString()).err())
        .contains("state-dir: " + dir + "/plainfile is not a directory");
  }

  /** What an admin sees who opens the milter or the report page to the network without saying so. */
  @Test
  void serveRefusesPublicListenersItWasNotToldAreGuarded() throws IOException {
    Path file = config("listen = \"inet:0.0.0.0:8891\"\nstate-dir = \"" + dir + "\"\n[web]\n"
        + "listen = \"192.0.2.1:9892\"\n");
    CliRun run = run("serve", "--config", file.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).isEqualTo(file + ":1: listen: inet:0.0.0.0:8891 is not a loopback address, and the milter"
        + " protocol has no authentication: anyone who reaches this port gets mail signed with your keys and past your"
        + " DMARC checks; listen on \"inet:127.0.0.1:8891\" or a unix: socket, or set listen-public = true (top level)"
        + " if a firewall lets only your MTAs reach inet:0.0.0.0:8891" + System.lineSeparator()
        + file + ":4: web.listen: 192.0.2.1:9892 is not a loopback address, and the report page has no authentication:"
        + " anyone who reaches it reads who sends as your domains, from which addresses, and what you did with others'"
        + " mail; use \"127.0.0.1:9892\" (an SSH tunnel or your own web server in front reaches it), or set"
        + " listen-public = true in [web] if a firewall lets only your admins reach 192.0.2.1:9892"
        + System.lineSeparator()
        + "postseal: not starting: " + file + " has 2 errors (check with: postseal config check)" + System.lineSeparator());
  }
}
