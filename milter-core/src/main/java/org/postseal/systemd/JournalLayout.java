package org.postseal.systemd;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.LayoutBase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The log line layout of {@code logback.xml}. On a terminal or in a file: a time stamp, the level, the logger
 * and the message, as always. When standard output is systemd's journal ({@code JOURNAL_STREAM} names it):
 * no time stamp (the journal stamps every line itself) and a syslog priority prefix on every line, stack
 * trace lines included ({@code <3>} error, {@code <4>} warning, {@code <6>} info, {@code <7>} debug), which
 * journald reads ({@code SyslogLevelPrefix=}, on by default) so that {@code journalctl -p err} shows errors.
 */
public final class JournalLayout extends LayoutBase<ILoggingEvent> {

  /** systemd sets it to "DEVICE:INODE" of the stream it connected to stdout and stderr (systemd.exec(5)). */
  public static final String JOURNAL_STREAM = "JOURNAL_STREAM";
  /**
   * The message with each CR and LF written as \r and \n: one event is one line, whatever a value from the wire
   * held (a queue id, a HELO name) that its log line did not escape. Stack traces keep their lines.
   */
  static final String MESSAGE = "%replace(%replace(%msg){'\\r', '\\\\r'}){'\\n', '\\\\n'}";
  static final String TERMINAL_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{0}: " + MESSAGE + "%n";
  static final String JOURNAL_PATTERN = "%-5level %logger{0}: " + MESSAGE + "%n";

  private final boolean journal;
  private PatternLayout pattern;

  /** What logback instantiates: decides from this process's environment and standard output. */
  public JournalLayout() {
    this(isJournal(System.getenv(), Path.of("/proc/self/fd/1")));
  }

  JournalLayout(boolean journal) {
    this.journal = journal;
  }

  /**
   * True when {@code JOURNAL_STREAM} is set and standard output is that stream. A child whose output was
   * redirected (a script under a unit writing {@code postseal ... > file}) inherits the variable but not the
   * stream: the inode of {@code stdoutLink}'s target ({@code socket:[INODE]}) tells them apart. Where that
   * link cannot be read, the variable alone decides.
   */
  static boolean isJournal(Map<String, String> environment, Path stdoutLink) {
    String stream = environment.getOrDefault(JOURNAL_STREAM, "");
    int colon = stream.indexOf(':');
    if (colon < 0) {
      return false;
    }
    String inode = stream.substring(colon + 1);
    try {
      String target = Files.readSymbolicLink(stdoutLink).toString();
      return target.equals("socket:[" + inode + "]");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return true;
    }
  }

  public boolean isJournal() {
    return journal;
  }

  @Override
  public void start() {
    pattern = new PatternLayout();
    pattern.setContext(getContext());
    pattern.setPattern(journal ? JOURNAL_PATTERN : TERMINAL_PATTERN);
    pattern.start();
    super.start();
  }

  @Override
  public void stop() {
    if (pattern != null) {
      pattern.stop();
    }
    super.stop();
  }

  @Override
  public String doLayout(ILoggingEvent event) {
    String text = pattern.doLayout(event);
    if (!journal) {
      return text;
    }
    String prefix = "<" + priority(event.getLevel()) + ">";
    StringBuilder out = new StringBuilder(text.length() + 16);
    int start = 0;
    while (start < text.length()) {
      int end = text.indexOf('\n', start);
      int next = end < 0 ? text.length() : end + 1;
      out.append(prefix).append(text, start, next);
      start = next;
    }
    return out.toString();
  }

  /** The syslog priority of a level (RFC 5424 section 6.2.1). */
  static int priority(Level level) {
    if (level.isGreaterOrEqual(Level.ERROR)) {
      return 3;
    }
    if (level.isGreaterOrEqual(Level.WARN)) {
      return 4;
    }
    if (level.isGreaterOrEqual(Level.INFO)) {
      return 6;
    }
    return 7;
  }
}
