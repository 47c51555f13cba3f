package org.postseal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postseal.keys.KeyStoreFixtures.created;
import static org.postseal.keys.KeyStoreFixtures.handPlace;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.dkim.DkimAlgorithm;
import org.slf4j.LoggerFactory;

/**
 * Issue 11, kill -9 during keygen: the private key's temporary file stayed forever and the pending entry without key
 * file stayed until a later keygen of the same domain. Root cause: nothing looked for them at start; now
 * {@link KeyStoreRecovery} removes both (serve at start, keygen for its domain), one INFO line each.
 */
class KeyStoreRecoveryTest {

  private static final Instant NOW = Instant.parse("2026-11-15T10:00:00Z");

  @TempDir
  Path keys;

  private SigningKeyStore store;
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private Logger logger;

  @BeforeEach
  void start() {
    store = new SigningKeyStore(keys, Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofDays(7));
    logger = (Logger) LoggerFactory.getLogger(KeyStoreRecovery.class);
    logger.setLevel(Level.INFO);
    log.start();
    logger.addAppender(log);
  }

  @AfterEach
  void stop() {
    logger.detachAppender(log);
    logger.setLevel(null);
  }

  /** What a keygen killed after recording its pending key leaves, next to a domain's active key. */
  private Path leaveInterruptedKeygen() throws Exception {
    handPlace(keys, "example.com", "s1", KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate());
    Path dir = keys.resolve("example.com");
    KeyStateStore.write(dir, "example.com", List.of(
        KeyEntry.pending("s1", DkimAlgorithm.ED25519_SHA256, 256, NOW).activate(NOW),
        KeyEntry.pending("s2", DkimAlgorithm.RSA_SHA256, 2048, NOW)));
    Files.writeString(dir.resolve(".s2.pem.4242424242424242.tmp"), SigningKeyStore.pem(
        KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate()));
    Files.writeString(dir.resolve(".keys.state.17.tmp"), "# half a state fi");
    return dir;
  }

  private List<String> infoLines() {
    return log.list.stream().filter(e -> e.getLevel() == Level.INFO).map(ILoggingEvent::getFormattedMessage).toList();
  }

  private static List<String> names(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void leftoversOfAKilledKeygen_areRemovedAtTheNextStart_oneInfoLineEach() throws Exception {
    Path dir = leaveInterruptedKeygen();

    List<String> done = new KeyStoreRecovery(store).recover();

    assertThat(names(dir)).containsExactly(".lock", "keys.state", "s1.pem");
    assertThat(KeyStateStore.read(dir).entries()).extracting(KeyEntry::selector).containsExactly("s1");
    assertThat(infoLines()).containsExactlyElementsOf(done.stream().map(d -> "keys: " + d).toList());
    assertThat(done).hasSize(3);
    assertThat(done.get(0)).isEqualTo("removed " + dir.resolve(".keys.state.17.tmp") + ": the temporary file of a key"
        + " write that never finished (a keygen or key change was killed, e.g. kill -9, or the disk filled); nothing"
        + " reads it");
    assertThat(done.get(1)).startsWith("removed " + dir.resolve(".s2.pem.4242424242424242.tmp") + ": the temporary file");
    assertThat(done.get(2)).isEqualTo("removed pending key s2 of example.com from " + dir.resolve("keys.state")
        + ": its key file " + dir.resolve("s2.pem") + " was never written (a keygen killed before it wrote the key,"
        + " e.g. kill -9); run postseal keygen example.com again if a new key is still wanted");
    assertThat(KeyDirectory.scan(keys).problems()).isEmpty();

    assertThat(new KeyStoreRecovery(store).recover()).as("nothing left the second time").isEmpty();
  }

  @Test
  void theNextKeygenCleansTheSameLeftovers() throws Exception {
    Path dir = leaveInterruptedKeygen();

    KeygenResult.Created created = created(new Keygen(store).generate("example.com", Optional.empty(),
        KeyAlgorithmChoice.ED25519));

    assertThat(created.notes()).hasSize(3).anyMatch(n -> n.startsWith("removed pending key s2 of example.com"));
    assertThat(names(dir)).noneMatch(n -> n.endsWith(".tmp"));
    assertThat(infoLines()).hasSize(3);
  }

  /**
   * The real thing once: a keygen process stopped with the key complete in its temporary file and the pending entry
   * written, then killed with SIGKILL; what it left is there, and the next start's recovery removes it.
   */
  @Test
  void aKeygenProcessKilledWithSigkill_leavesWhatTheRecoveryRemoves() throws Exception {
    Path marker = keys.getParent().resolve(keys.getFileName() + ".marker");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>(List.of(java.toString(), "-Dfile.encoding=UTF-8"));
    if (System.getProperty("logback.configurationFile") != null) {
      command.add("-Dlogback.configurationFile=" + System.getProperty("logback.configurationFile"));
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), KeygenUntilKilled.class.getName(),
        keys.toString(), "example.com", marker.toString()));
    Process keygen = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.exists(marker) && keygen.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(marker).as("the keygen reached the point before its key file is named").exists();
      // destroyForcibly is SIGKILL on Linux: no finally block, no shutdown hook runs in the child
      keygen.destroyForcibly();
      assertThat(keygen.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(keygen.exitValue()).as("killed by signal 9").isEqualTo(128 + 9);
    } finally {
      keygen.destroyForcibly();
    }
    String temporaryName = Files.readString(marker);
    Files.delete(marker);
    Path dir = keys.resolve("example.com");
    Path temporary = Path.of(temporaryName);
    assertThat(temporary).exists().hasParent(dir);
    assertThat(Files.readString(temporary)).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(dir.resolve("killed.pem")).doesNotExist();
    assertThat(KeyStateStore.read(dir).entries()).singleElement()
        .satisfies(e -> assertThat(e.state()).isEqualTo(KeyState.PENDING));

    List<String> done = new KeyStoreRecovery(store).recover();

    assertThat(done).hasSize(2);
    assertThat(done.get(0)).startsWith("removed " + temporary + ": the temporary file of a key write that never finished");
    assertThat(done.get(1)).startsWith("removed pending key killed of example.com");
    assertThat(names(dir)).containsExactly(".lock", "keys.state");
    assertThat(KeyStateStore.read(dir).entries()).isEmpty();
  }
}
