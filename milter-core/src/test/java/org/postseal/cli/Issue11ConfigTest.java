package org.postseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: an empty or truncated configuration on reload silently switched to built-in defaults (no signing
 * domains, another state-dir) and mail went out unsigned; {@code config check} called the empty file OK. Root
 * cause: a TOML text without keys is valid TOML, and a reload took any valid file. Now an empty file is an error
 * everywhere, and a reload that drops every signing domain or moves state-dir is refused at WARN.
 */
class Issue11ConfigTest {

  @TempDir
  Path dir;

  private record Run(int code, String out, String err) {
  }

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  private String config(String signingDomains, String stateDir, String timeout) {
    return "# postseal configuration\nlisten = \"inet:127.0.0.1:0\"\nstate-dir = \"" + stateDir + "\"\n"
        + "authserv-id = \"mx.test\"\n\n[dns]\nservers = [\"127.0.0.1:9\"]\ntimeout = \"" + timeout + "\"\n\n"
        + "[signing]\ndomains = [" + signingDomains + "]\n";
  }

  @Test
  void anEmptyOrCommentOnlyFile_isAnErrorInConfigCheckAndAtStart() throws Exception {
    Path file = dir.resolve("postseal.toml");
    for (String text : List.of("", "  \n\n\t\n", "# postseal.toml\n\n# listen = \"inet:127.0.0.1:8891\"\n")) {
      Files.writeString(file, text);
      Run check = run("config", "check", "--config", file.toString());
      assertThat(check.code()).as("config check of %s", text).isEqualTo(1);
      assertThat(check.err()).as(text).startsWith(file + ":").contains(": the file sets nothing (")
          .contains("postseal does not run on built-in defaults from an empty file");
      assertThat(check.out()).doesNotContain("configuration OK");
      Run serve = run("serve", "--config", file.toString());
      assertThat(serve.code()).isEqualTo(1);
      assertThat(serve.err()).contains("the file sets nothing").contains("postseal: not starting");
    }
  }

  @Test
  void aTruncatedFile_failsWithFileAndLine() throws Exception {
    String whole = config("\"example.com\", \"example.org\"", dir.toString(), "5s");
    Path file = dir.resolve("postseal.toml");
    // cut inside a string, inside an array, after a key's '=', inside a table header
    for (String cut : List.of("\"example.com\", \"exa", "[\"example.com\",", "timeout =", "[sig")) {
      String text = whole.substring(0, whole.indexOf(cut) + cut.length());
      Files.writeString(file, text);
      Run check = run("config", "check", "--config", file.toString());
      assertThat(check.code()).as("cut after %s", cut).isEqualTo(1);
      assertThat(check.err()).as("cut after %s", cut).containsPattern("^" + java.util.regex.Pattern.quote(file.toString())
          + ":[1-9][0-9]*: ");
    }
  }

  @Test
  void configCheckWarnsWhenOthersMayReadTheConfigurationOrTheKeys() throws Exception {
    Path file = dir.resolve("postseal.toml");
    Files.writeString(file, config("", dir.toString(), "5s"));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    Path keys = Files.createDirectories(dir.resolve("keys/example.com"));
    Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString("rwxr-xr-x"));

    Run check = run("config", "check", "--config", file.toString());

    assertThat(check.code()).isZero();
    assertThat(check.err()).contains("warning: " + file + " is mode rw-r--r--: others can read the configuration (it"
        + " may hold the database password); fix: chmod 640 " + file)
        .contains("warning: " + keys + " is mode rwxr-xr-x: group and others can read the private keys' directory;"
            + " fix: chmod 700 " + keys);
  }

  /** Through the real reload path: a serve process, its configuration file rewritten, SIGHUP. */
  @Test
  void sighupWithAnEmptyFileOrNoSigningDomainOrAnotherStateDir_isRefused_andEveryReloadSaysWhatChanged()
      throws Exception {
    Path file = dir.resolve("postseal.toml");
    Files.writeString(file, config("\"example.com\"", dir.toString(), "200ms"));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    try (ServeProcessTest.ServeProcess serve = new ServeProcessTest.ServeProcess(file, List.of())) {
      // mode 0644: serve says at start who else can read it
      assertThat(serve.output).anyMatch(l -> l.contains("WARN") && l.contains("security: " + file + " is mode rw-r--r--:"
          + " others can read the configuration"));
      Files.writeString(file, "");
      String empty = reload(serve, "reload: " + file + ":1: the file sets nothing");
      assertThat(empty).contains("ERROR");

      Files.writeString(file, config("", dir.toString(), "200ms"));
      String noDomains = reload(serve, "reload: refused");
      assertThat(noDomains).contains("WARN").contains("it drops every signing domain (signing.domains [example.com] ->"
          + " [])").contains("restart postseal (systemctl restart postseal) to apply it")
          .contains("The reload would have changed: signing.domains: removed [example.com]");

      Files.writeString(file, config("\"example.com\"", dir.resolve("elsewhere").toString(), "200ms"));
      assertThat(reload(serve, "reload: refused")).contains("it changes state-dir from " + dir + " to "
          + dir.resolve("elsewhere"));

      Files.writeString(file, config("\"example.com\", \"example.org\"", dir.toString(), "300ms"));
      assertThat(reload(serve, "settings changed")).contains("INFO").contains("reload: " + file + ": 2 settings changed:"
          + " dns.timeout: 200ms -> 300ms; signing.domains: added [example.org] (now [example.com, example.org])");
      assertThat(serve.stop()).isZero();
    }
  }

  /** Sends SIGHUP and returns the first new output line containing {@code expected}. */
  private static String reload(ServeProcessTest.ServeProcess serve, String expected) throws Exception {
    int seen = serve.output.size();
    assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(serve.process.pid())).start().waitFor()).isZero();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      List<String> lines = serve.output.subList(seen, serve.output.size());
      for (String line : List.copyOf(lines)) {
        if (line.contains(expected)) {
          return line;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no line with \"" + expected + "\" after SIGHUP; output: " + serve.output);
  }
}
