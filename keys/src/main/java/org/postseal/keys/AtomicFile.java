package org.postseal.keys;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes that a crash cannot leave half done: the content goes to a temporary file in the same directory
 * (created with its final permissions, so a private key is never readable by others, not even for a moment),
 * is flushed to disk, then takes the target's name in one step and the directory entry is flushed too.
 * After a crash the target holds either the old or the new content, never a part; the temporary file may be
 * left behind. Temporary files are named {@code .NAME.RANDOM.tmp}: the leading dot keeps them out of every
 * scan of the key directory.
 */
final class AtomicFile {

  static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  static final Set<PosixFilePermission> WORLD_READABLE = PosixFilePermissions.fromString("rw-r--r--");
  static final String TEMP_SUFFIX = ".tmp";

  /**
   * Called between the temporary file being complete and its rename (or link); tests throw here to play a crash, or
   * wait here to be killed.
   */
  @FunctionalInterface
  interface BeforeRename {
    void run(Path temporary) throws IOException;
  }

  static final BeforeRename NO_HOOK = temporary -> { };

  private AtomicFile() {
  }

  /**
   * Creates {@code target} with {@code content}, failing if it exists: the name is taken with link(2), which
   * refuses an existing name, so not even a race with another writer can replace a key.
   *
   * @throws FileAlreadyExistsException when the target exists; nothing was changed
   */
  static void createNew(Path target, byte[] content, Set<PosixFilePermission> permissions) throws IOException {
    createNew(target, content, permissions, NO_HOOK);
  }

  static void createNew(Path target, byte[] content, Set<PosixFilePermission> permissions, BeforeRename hook)
      throws IOException {
    Path temporary = writeTemporary(target, content, permissions);
    try {
      hook.run(temporary);
      try {
        Files.createLink(target, temporary);
      } catch (FileAlreadyExistsException e) {
        throw e;
      } catch (IOException | UnsupportedOperationException e) {
        // a file system without hard links: a move without REPLACE_EXISTING still refuses an existing target
        Files.move(temporary, target);
      }
    } finally {
      Files.deleteIfExists(temporary);
    }
    syncDirectory(target.getParent());
  }

  /** Replaces {@code target} (or creates it) with {@code content} in one rename. */
  static void replace(Path target, byte[] content, Set<PosixFilePermission> permissions) throws IOException {
    replace(target, content, permissions, NO_HOOK);
  }

  static void replace(Path target, byte[] content, Set<PosixFilePermission> permissions, BeforeRename hook)
      throws IOException {
    Path temporary = writeTemporary(target, content, permissions);
    boolean renamed = false;
    try {
      hook.run(temporary);
      // rename(2): atomic on POSIX file systems, the old content stays until the new one is complete
      Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      renamed = true;
    } finally {
      if (!renamed) {
        deleteQuietly(temporary);
      }
    }
    syncDirectory(target.getParent());
  }

  /**
   * Removes temporary files of {@code target} that a crashed writer left. Call only while holding the lock
   * that every writer of {@code target} holds, or a live writer's file could go.
   */
  static void removeLeftovers(Path target) {
    String prefix = "." + target.getFileName() + ".";
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(target.getParent(),
        p -> p.getFileName().toString().startsWith(prefix) && p.getFileName().toString().endsWith(TEMP_SUFFIX))) {
      for (Path leftover : stream) {
        deleteQuietly(leftover);
      }
    } catch (IOException e) {
      // leftovers are harmless: every reader ignores them
    }
  }

  private static Path writeTemporary(Path target, byte[] content, Set<PosixFilePermission> permissions)
      throws IOException {
    Path directory = target.getParent();
    Path temporary = Files.createTempFile(directory, "." + target.getFileName() + ".", TEMP_SUFFIX,
        PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    try {
      try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      if (!permissions.equals(OWNER_ONLY)) {
        // widened only now that the content is complete (and the umask cannot narrow it)
        Files.setPosixFilePermissions(temporary, permissions);
      }
      giveToOwnerOf(directory, temporary);
      return temporary;
    } catch (IOException | RuntimeException e) {
      deleteQuietly(temporary);
      throw e;
    }
  }

  /**
   * Makes {@code created} belong to the owner and group of {@code directory} when they differ and we may change
   * them: {@code sudo postseal keygen} run as root in a keys directory of the postseal user must leave files that
   * {@code serve}, running as postseal, accepts and can rewrite (and that look like the rest: postseal:postseal).
   * Without the right (not root) nothing changes, and the key directory's owner check reports the file.
   */
  static void giveToOwnerOf(Path directory, Path created) {
    try {
      PosixFileAttributes parent = Files.readAttributes(directory, PosixFileAttributes.class);
      PosixFileAttributeView view = Files.getFileAttributeView(created, PosixFileAttributeView.class);
      PosixFileAttributes mine = view.readAttributes();
      if (!parent.owner().equals(mine.owner())) {
        view.setOwner(parent.owner());
      }
      if (!parent.group().equals(mine.group())) {
        view.setGroup(parent.group());
      }
    } catch (IOException | UnsupportedOperationException e) {
      // not root: the file stays ours
    }
  }

  /** Flushes the directory entry, so the rename survives a power cut (fsync on the directory, as on Linux). */
  private static void syncDirectory(Path directory) {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // some file systems cannot open or sync a directory; the rename itself already happened
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a leftover temporary file is harmless: readers ignore it and the next writer removes it
    }
  }
}
