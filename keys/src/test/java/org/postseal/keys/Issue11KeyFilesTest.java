package org.postseal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postseal.keys.KeyStoreFixtures.created;
import static org.postseal.keys.KeyStoreFixtures.refused;

import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, what keygen and the key scan say when the disk is the problem: on a read-only disk keygen suggested
 * chown, and a corrupt keys.state suggested chmod/chown. Root cause: every failure that was no other known kind was
 * read as a permission problem; now EROFS, ENOSPC and a damaged state file each say what they are. The real
 * read-only mount and full disk are in bench/disk-faults.sh (root, not in mvn verify).
 */
class Issue11KeyFilesTest {

  private static final Instant NOW = Instant.parse("2026-11-15T10:00:00Z");

  @TempDir
  Path keys;

  private SigningKeyStore store() {
    return new SigningKeyStore(keys, Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofDays(7));
  }

  private static List<String> names(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aFullDiskWhileTheKeyIsWritten_isSaidAsSuch_andLeavesNoPartOfTheKeyNorItsPendingEntry() throws Exception {
    SigningKeyStore store = store();
    created(new Keygen(store).generate("example.com", Optional.of("first"), KeyAlgorithmChoice.ED25519));
    Path dir = keys.resolve("example.com");
    String stateBefore = Files.readString(dir.resolve("keys.state"));
    store.beforeKeyFileLinked(temporary -> {
      throw new FileSystemException(temporary.toString(), null, "No space left on device");
    });

    KeyRefusal refusal = refused(new Keygen(store).generate("example.com", Optional.of("second"),
        KeyAlgorithmChoice.RSA_2048), KeyRefusal.Kind.IO);

    assertThat(refusal.message()).startsWith("cannot write " + dir.resolve("second.pem") + ": the disk holding " + keys
        + " is full (ENOSPC, no space left on device); nothing was kept: no partial key or state file is left. Fix:"
        + " free space (df -h " + keys + ")").doesNotContain("chown").doesNotContain("chmod");
    assertThat(names(dir)).containsExactly(".lock", "first.pem", "first.txt", "keys.state");
    assertThat(Files.readString(dir.resolve("keys.state"))).isEqualTo(stateBefore);
  }

  @Test
  void aReadOnlyFileSystem_isSaidAsSuch_notAsAnOwnerToChange() throws Exception {
    SigningKeyStore store = store();
    store.beforeKeyFileLinked(temporary -> {
      throw new FileSystemException(temporary.toString(), null, "Read-only file system");
    });

    KeyRefusal refusal = refused(new Keygen(store).generate("example.com", Optional.of("s1"),
        KeyAlgorithmChoice.ED25519), KeyRefusal.Kind.IO);

    assertThat(refusal.message()).contains("is on a read-only file system (EROFS); nothing was written. Fix: remount"
        + " it read-write").contains("ReadWritePaths=").doesNotContain("chown").doesNotContain("permission denied");
    assertThat(names(keys.resolve("example.com"))).noneMatch(n -> n.endsWith(".tmp") || n.endsWith(".pem"));
  }

  @Test
  void aStateFileThatIsNotText_isCorrupt_withHowToRecover_andNoChmod() throws Exception {
    created(new Keygen(store()).generate("example.com", Optional.of("s1"), KeyAlgorithmChoice.ED25519));
    Path state = keys.resolve("example.com/keys.state");
    Files.write(state, new byte[] {'s', '1', ' ', (byte) 0xff, (byte) 0xfe, '\n'});

    List<String> problems = KeyDirectory.scan(keys).problems();
    KeyRefusal refusal = refused(new Keygen(store()).generate("example.com", Optional.empty(), KeyAlgorithmChoice.RSA_2048),
        KeyRefusal.Kind.IO);

    assertThat(problems).singleElement().asString()
        .isEqualTo(state + ": is corrupt: it is not text (bytes that are not UTF-8: the file was damaged), so no key of"
            + " example.com signs; " + KeyStateStore.RECOVER);
    assertThat(refusal.message()).contains("is corrupt").contains("restore keys.state from a backup")
        .doesNotContain("chmod").doesNotContain("chown");
  }

  @Test
  void aStateFileOfNulBytes_saysWhichLineIsCorrupt() throws Exception {
    created(new Keygen(store()).generate("example.com", Optional.of("s1"), KeyAlgorithmChoice.ED25519));
    Path state = keys.resolve("example.com/keys.state");
    // what a crash before the data reached the disk leaves on some file systems: the size, but zeros
    Files.write(state, new byte[64]);

    assertThat(KeyDirectory.scan(keys).problems()).filteredOn(p -> p.startsWith(state.toString())).singleElement()
        .asString().startsWith(state + " line 1: is corrupt: it holds NUL bytes").contains("move it away").doesNotContain("chmod");
    assertThat(KeyDirectory.scan(keys).activeKeys("example.com")).isEmpty();
  }

  @Test
  void aStateLineCutShort_namesTheLineAndWhatIsMissing() throws Exception {
    created(new Keygen(store()).generate("example.com", Optional.of("s1"), KeyAlgorithmChoice.ED25519));
    Path state = keys.resolve("example.com/keys.state");
    String text = Files.readString(state);
    Files.writeString(state, text.substring(0, text.length() - 5));

    assertThat(KeyDirectory.scan(keys).problems()).filteredOn(p -> p.startsWith(state.toString())).singleElement()
        .asString().startsWith(state + " line 4: is corrupt: 7 columns, not 9").contains(KeyStateStore.RECOVER);
  }
}
