package org.postseal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.dkim.DkimAlgorithm;

class KeyStateStoreTest {

  private static final Instant T0 = Instant.parse("2026-10-01T09:00:00Z");
  private static final Instant T1 = Instant.parse("2026-10-02T09:00:00Z");
  private static final Instant T2 = Instant.parse("2026-11-02T09:30:15.123Z");

  @TempDir
  Path dir;

  private static List<KeyEntry> sample() {
    KeyEntry old = KeyEntry.pending("s202610", DkimAlgorithm.RSA_SHA256, 2048, T0).activate(T1).retire(T2);
    KeyEntry current = KeyEntry.pending("s202611", DkimAlgorithm.RSA_SHA256, 2048, T1).activate(T2);
    KeyEntry ed = KeyEntry.pending("ed1", DkimAlgorithm.ED25519_SHA256, 256, T2);
    KeyEntry gone = KeyEntry.pending("s202601", DkimAlgorithm.RSA_SHA256, 1024, T0).activate(T0).retire(T0)
        .revoke(T1).delete(T2);
    return List.of(old, current, ed, gone);
  }

  private List<String> dirNames() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void writtenState_readsBackEntryForEntry_sortedBySelector() throws Exception {
    KeyStateStore.write(dir, "example.com", sample());

    KeyStateStore.Contents contents = KeyStateStore.read(dir);

    assertThat(contents.exists()).isTrue();
    assertThat(contents.problems()).isEmpty();
    assertThat(contents.entries()).containsExactlyInAnyOrderElementsOf(sample());
    assertThat(contents.entries()).extracting(KeyEntry::selector)
        .containsExactly("ed1", "s202601", "s202610", "s202611");
    assertThat(contents.entry("s202601").orElseThrow().state()).isEqualTo(KeyState.DELETED);
    assertThat(Files.readString(dir.resolve("keys.state")))
        .contains("version 1\n")
        .contains("s202610 retired rsa-sha256 2048 2026-10-01T09:00:00Z 2026-10-02T09:00:00Z"
            + " 2026-11-02T09:30:15.123Z - -\n");
    assertThat(Files.getPosixFilePermissions(dir.resolve("keys.state")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(dirNames()).containsExactly("keys.state");
  }

  @Test
  void noStateFile_isAnEmptyStateThatDoesNotExist() throws Exception {
    KeyStateStore.Contents contents = KeyStateStore.read(dir);

    assertThat(contents.exists()).isFalse();
    assertThat(contents.entries()).isEmpty();
  }

  @Test
  void crashBeforeTheRename_leavesTheOldStateWhole() throws Exception {
    KeyStateStore.write(dir, "example.com", sample());
    String before = Files.readString(dir.resolve("keys.state"));
    List<KeyEntry> changed = new ArrayList<>(sample());
    changed.add(KeyEntry.pending("s202612", DkimAlgorithm.RSA_SHA256, 2048, T2));
    List<String> seen = new ArrayList<>();

    assertThatThrownBy(() -> KeyStateStore.write(dir, "example.com", changed, temporary -> {
      // the new content is complete and private in the temporary file, while the state file is still the old one
      seen.add(temporary.getFileName().toString());
      assertThat(Files.readString(temporary)).contains("s202612 pending");
      assertThat(Files.getPosixFilePermissions(temporary)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
      assertThat(Files.readString(dir.resolve("keys.state"))).isEqualTo(before);
      throw new IOException("simulated crash before rename");
    })).hasMessage("simulated crash before rename");

    assertThat(seen).singleElement().asString().startsWith(".keys.state.").endsWith(".tmp");
    assertThat(Files.readString(dir.resolve("keys.state"))).isEqualTo(before);
    assertThat(KeyStateStore.read(dir).entries()).containsExactlyInAnyOrderElementsOf(sample());
  }

  @Test
  void temporaryFileLeftByACrashedWriter_isNeverReadAndTheNextWriteRemovesIt() throws Exception {
    KeyStateStore.write(dir, "example.com", sample());
    Path stray = dir.resolve(".keys.state.4711.tmp");
    Files.writeString(stray, "# postseal key state\nversion 1\ns202612 pen", StandardCharsets.UTF_8);

    assertThat(KeyStateStore.read(dir).entries()).containsExactlyInAnyOrderElementsOf(sample());
    assertThat(KeyStateStore.read(dir).problems()).isEmpty();

    KeyStateStore.write(dir, "example.com", sample().subList(0, 2));

    assertThat(Files.exists(stray)).isFalse();
    assertThat(KeyStateStore.read(dir).entries()).hasSize(2);
    assertThat(dirNames()).containsExactly("keys.state");
  }

  @Test
  void damagedLines_areSkippedAndNamedWithTheirLineNumber() throws Exception {
    Files.writeString(dir.resolve("keys.state"), String.join("\n",
        "# comment",
        "version 1",
        "good active rsa-sha256 2048 2026-10-01T09:00:00Z 2026-10-02T09:00:00Z - - -",
        "short active rsa-sha256",
        "badstate sleeping rsa-sha256 2048 2026-10-01T09:00:00Z - - - -",
        "badalgo pending rsa-sha1 2048 2026-10-01T09:00:00Z - - - -",
        "baddate pending rsa-sha256 2048 yesterday - - - -",
        "good retired rsa-sha256 2048 2026-10-01T09:00:00Z - - - -",
        ""));

    KeyStateStore.Contents contents = KeyStateStore.read(dir);

    assertThat(contents.entries()).extracting(KeyEntry::selector, KeyEntry::state)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("good", KeyState.ACTIVE));
    assertThat(contents.problems()).hasSize(5);
    assertThat(contents.problems().get(0)).contains("line 4").contains("3 columns, not 9");
    assertThat(contents.problems().get(1)).contains("line 5").contains("unknown state \"sleeping\"");
    assertThat(contents.problems().get(2)).contains("line 6").contains("unknown algorithm \"rsa-sha1\"");
    assertThat(contents.problems().get(3)).contains("line 7").contains("\"yesterday\" is not a date");
    assertThat(contents.problems().get(4)).contains("line 8").contains("appears twice");
  }

  @Test
  void entries_revocableOnlyWhenRetiredAndRetireAfterHasPassed() {
    KeyEntry retired = sample().get(0);
    java.time.Duration week = java.time.Duration.ofDays(7);

    assertThat(retired.revocableAt(week)).contains(T2.plus(week));
    assertThat(retired.isRevocable(week, T2.plus(week).minusSeconds(1))).isFalse();
    assertThat(retired.isRevocable(week, T2.plus(week))).isTrue();
    assertThat(sample().get(1).revocableAt(week)).isEqualTo(Optional.empty());
    assertThat(sample().get(2).algorithmLabel()).isEqualTo("ed25519");
    assertThat(sample().get(3).algorithmLabel()).isEqualTo("rsa-1024");
  }
}
