package org.postseal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.postseal.server.RunningPostseal.AUTHSERV_ID;
import static org.postseal.server.RunningPostseal.CLOCK;
import static org.postseal.server.RunningPostseal.INTERNAL_IP;
import static org.postseal.server.RunningPostseal.OUTSIDE_IP;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.config.ConfigLoader;
import org.postseal.config.ConfigResult;
import org.postseal.config.PostsealConfig;
import org.postseal.dns.FakeDnsServer;
import org.postseal.milter.FakeMta;
import org.postseal.milter.FakeMta.MilterOutcome;

/**
 * {@code listen = "unix:/path"}: how Postfix reaches a milter inside its chroot'ed spool directory.
 * The same pipeline as on TCP, a socket only the owner and its group may use, and the socket file's
 * life handled like a daemon should: stale files replaced, live ones left alone, removed on stop.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnixSocketListenerTest {

  @TempDir
  Path dir;
  FakeDnsServer dns;

  @BeforeEach
  void startDns() {
    dns = FakeDnsServer.start();
    TestKeys.writePrivateKey(dir, "example.com", "unix", TestKeys.RSA.getPrivate());
    dns.load(TestKeys.txtRecord("example.com", "unix", TestKeys.RSA.getPublic()));
  }

  @AfterEach
  void stopDns() {
    dns.close();
  }

  private PostsealServer start(Path socket) throws IOException {
    String toml = "listen = \"unix:" + socket + "\"\n"
        + "authserv-id = \"" + AUTHSERV_ID + "\"\n"
        + "state-dir = \"" + dir + "\"\n"
        + "[dns]\nservers = [\"" + dns.address() + "\"]\ntimeout = \"500ms\"\n"
        + "[signing]\ndomains = [\"example.com\"]\ninternal-networks = [\"10.0.0.0/8\"]\n";
    ConfigResult result = new ConfigLoader(Path.of("/nonexistent"), () -> "unused").parse(toml, "unix.toml");
    PostsealConfig config = ((ConfigResult.Valid) result).config();
    return PostsealServer.builder(config).sourceName("unix.toml").clock(CLOCK)
        .drainTime(java.time.Duration.ofSeconds(1)).start();
  }

  @Test
  void signsAndVerifiesOverAUnixSocketWithOwnerAndGroupOnlyAccess() throws IOException {
    // like /var/spool/postfix/postseal made with Postfix's group; as root (CI) the group differs from ours
    Path spool = Files.createDirectory(dir.resolve("spool"));
    try {
      Files.setAttribute(spool, "posix:group",
          spool.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName("nogroup"));
    } catch (IOException | UnsupportedOperationException e) {
      // not root: the directory keeps our group, and the socket must still carry it
    }
    Path socket = spool.resolve("postseal.sock");
    try (PostsealServer server = start(socket)) {
      assertThat(server.listenAddress()).hasToString("unix:" + socket);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-rw----");
      assertThat(Files.readAttributes(socket, java.nio.file.attribute.PosixFileAttributes.class).group())
          .as("the directory's group, so that Postfix's group can connect")
          .isEqualTo(Files.readAttributes(spool, java.nio.file.attribute.PosixFileAttributes.class).group());

      byte[] raw = Messages.from("Alice <alice@example.com>");
      MilterOutcome outbound;
      try (FakeMta mta = FakeMta.connect(socket)) {
        outbound = mta.send(FakeMta.envelope(INTERNAL_IP), raw);
      }
      assertThat(outbound.reply().isContinue()).isTrue();
      assertThat(outbound.inserted("DKIM-Signature")).singleElement().asString().contains("d=example.com; s=unix;");

      MilterOutcome inbound;
      try (FakeMta mta = FakeMta.connect(socket)) {
        inbound = mta.send(FakeMta.envelope(OUTSIDE_IP), outbound.applyTo(raw));
      }
      assertThat(inbound.insertedValue("Authentication-Results")).contains("dkim=pass").contains("header.s=unix");
    }
    assertThat(socket).as("removed on stop").doesNotExist();
  }

  @Test
  void aStaleSocketFileLeftByACrashIsReplaced() throws IOException {
    Path socket = dir.resolve("stale.sock");
    try (ServerSocketChannel crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      crashed.bind(UnixDomainSocketAddress.of(socket));
    }
    assertThat(socket).as("closing a unix server channel leaves its file behind, like a crash").exists();
    try (PostsealServer server = start(socket)) {
      try (FakeMta mta = FakeMta.connect(socket)) {
        assertThat(mta.send(FakeMta.envelope(OUTSIDE_IP), Messages.from("bob@example.org")).reply().isContinue()).isTrue();
      }
    }
  }

  @Test
  void aSocketSomebodyAnswersOnIsNotStolen() throws IOException {
    Path socket = dir.resolve("busy.sock");
    try (PostsealServer first = start(socket)) {
      assertThatThrownBy(() -> start(socket)).isInstanceOf(IOException.class)
          .hasMessage("cannot listen on unix:" + socket + ": another process is listening on it (is postseal already running?)");
      try (FakeMta mta = FakeMta.connect(socket)) {
        assertThat(mta.send(FakeMta.envelope(OUTSIDE_IP), Messages.from("bob@example.org")).reply().isContinue())
            .as("the first server still serves").isTrue();
      }
    }
  }

  @Test
  void aMissingSocketDirectoryNamesTheFix() {
    Path socket = dir.resolve("missing").resolve("postseal.sock");
    assertThatThrownBy(() -> start(socket)).isInstanceOf(IOException.class)
        .hasMessageContaining("directory " + socket.getParent() + " does not exist; create it")
        .hasMessageContaining("install -d");
  }
}
