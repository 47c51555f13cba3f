package org.postseal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {

  @TempDir
  Path dir;

  private long filesIn() throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.count();
    }
  }

  @Test
  void createNew_writesAnOwnerOnlyFileAndLeavesNoTemporary() throws Exception {
    Path key = dir.resolve("s1.pem");

    AtomicFile.createNew(key, "secret".getBytes(StandardCharsets.US_ASCII), AtomicFile.OWNER_ONLY);

    assertThat(Files.readString(key)).isEqualTo("secret");
    assertThat(Files.getPosixFilePermissions(key)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(filesIn()).isEqualTo(1);
  }

  @Test
  void createNew_neverReplacesAnExistingFile() throws Exception {
    Path key = Files.writeString(dir.resolve("s1.pem"), "the old key");

    assertThatThrownBy(() -> AtomicFile.createNew(key, "new".getBytes(StandardCharsets.US_ASCII),
        AtomicFile.OWNER_ONLY)).isInstanceOf(FileAlreadyExistsException.class);

    assertThat(Files.readString(key)).isEqualTo("the old key");
    assertThat(filesIn()).isEqualTo(1);
  }

  @Test
  void replace_swapsTheWholeContentWithTheRequestedMode() throws Exception {
    Path record = Files.writeString(dir.resolve("s1.txt"), "old record, longer than the new one");

    AtomicFile.replace(record, "new".getBytes(StandardCharsets.US_ASCII), AtomicFile.WORLD_READABLE);

    assertThat(Files.readString(record)).isEqualTo("new");
    assertThat(Files.getPosixFilePermissions(record)).isEqualTo(PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(filesIn()).isEqualTo(1);
  }
}
