package org.postseal.keys;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serializes changes to one domain's keys: {@code postseal keygen} and {@code keys activate} run as their own
 * processes while {@code serve} auto-activates, and each reads, changes and rewrites the state file. An
 * exclusive lock on {@code DOMAIN/.lock} orders processes; a lock per directory orders threads of one process
 * (a JVM cannot hold two locks on one file).
 */
final class DomainLock implements AutoCloseable {

  static final String FILE_NAME = ".lock";

  private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

  private final ReentrantLock threadLock;
  private final FileChannel channel;
  private final FileLock fileLock;

  private DomainLock(ReentrantLock threadLock, FileChannel channel, FileLock fileLock) {
    this.threadLock = threadLock;
    this.channel = channel;
    this.fileLock = fileLock;
  }

  /** An action on a domain's files, run while holding its lock. */
  @FunctionalInterface
  interface Locked<T> {
    T run() throws IOException;
  }

  /** Runs {@code action} once no other thread or process changes {@code domainDir} (which must exist). */
  static <T> T holding(Path domainDir, Locked<T> action) throws IOException {
    DomainLock lock = acquire(domainDir);
    try {
      return action.run();
    } finally {
      lock.close();
    }
  }

  private static DomainLock acquire(Path domainDir) throws IOException {
    ReentrantLock threadLock = IN_PROCESS.computeIfAbsent(domainDir.toAbsolutePath().normalize(),
        p -> new ReentrantLock());
    threadLock.lock();
    FileChannel channel = null;
    try {
      Path lockFile = domainDir.resolve(FILE_NAME);
      channel = FileChannel.open(lockFile, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
          PosixFilePermissions.asFileAttribute(AtomicFile.OWNER_ONLY));
      AtomicFile.giveToOwnerOf(domainDir, lockFile);
      return new DomainLock(threadLock, channel, channel.lock());
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.close();
      }
      threadLock.unlock();
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      fileLock.release();
      channel.close();
    } finally {
      threadLock.unlock();
    }
  }
}
