package org.postseal.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * CPU time a process has used so far (user + system), from {@code /proc/PID/stat} fields 14 and 15:
 * what {@code --cpu-pid} reads at the start and end of the measured window to report CPU per message
 * of the milter under test. Linux only; clock ticks are taken as USER_HZ = 100, the value on every Linux
 * architecture Postseal runs on.
 */
final class ProcessCpu {

  private static final long MILLIS_PER_TICK = 10;

  private ProcessCpu() {
  }

  /** Milliseconds of CPU used by {@code pid}, or empty when it cannot be read (no such process, not Linux). */
  static OptionalLong millis(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // the command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long utime = Long.parseLong(fields[11]);
      long stime = Long.parseLong(fields[12]);
      return OptionalLong.of((utime + stime) * MILLIS_PER_TICK);
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }
}
