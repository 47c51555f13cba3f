package org.postseal.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalLayoutTest {

  @TempDir
  Path dir;

  private static String layout(boolean journal, Level level, String message, Throwable error) {
    LoggerContext context = new LoggerContext();
    Logger logger = context.getLogger("org.postseal.message");
    JournalLayout layout = new JournalLayout(journal);
    layout.setContext(context);
    layout.start();
    return layout.doLayout(new LoggingEvent(Logger.class.getName(), logger, level, message, error, null));
  }

  @Test
  void inTheJournalEveryLineCarriesItsPriorityAndNoTimeStamp() {
    String text = layout(true, Level.ERROR, "keys: cannot list the directory", new IllegalStateException("boom"));
    String[] lines = text.split("\n");
    assertThat(lines[0]).isEqualTo("<3>ERROR message: keys: cannot list the directory");
    assertThat(lines.length).isGreaterThan(2);
    // the stack trace too, so that journalctl -p err shows all of it
    assertThat(lines).allMatch(l -> l.startsWith("<3>"));
    assertThat(text).contains("<3>java.lang.IllegalStateException: boom");

    assertThat(layout(true, Level.WARN, "w", null)).isEqualTo("<4>WARN  message: w\n");
    assertThat(layout(true, Level.INFO, "i", null)).isEqualTo("<6>INFO  message: i\n");
    assertThat(layout(true, Level.DEBUG, "d", null)).isEqualTo("<7>DEBUG message: d\n");
  }

  @Test
  void elsewhereLinesKeepTheirTimeStampAndNoPrefix() {
    assertThat(layout(false, Level.ERROR, "e", null))
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) ERROR message: e\n");
  }

  /** Issue 11: a CR or LF from the wire (a queue id) that a log line did not escape cannot start a forged line. */
  @Test
  void aLineBreakInAMessageStaysInItsLine() {
    assertThat(layout(true, Level.INFO, "queue=Q1\r\n<3>ERROR message: forged", null))
        .isEqualTo("<6>INFO  message: queue=Q1\\r\\n<3>ERROR message: forged\n");
    assertThat(layout(false, Level.INFO, "a\nb", null)).endsWith(" INFO  message: a\\nb\n");
  }

  @Test
  void journalStreamCountsOnlyWhenStdoutIsThatStream() throws IOException {
    Path stdout = dir.resolve("fd1");
    Files.createSymbolicLink(stdout, Path.of("socket:[4242]"));
    assertThat(JournalLayout.isJournal(Map.of("JOURNAL_STREAM", "8:4242"), stdout)).isTrue();
    // a child of a unit whose output was redirected to a file inherits the variable, not the stream
    assertThat(JournalLayout.isJournal(Map.of("JOURNAL_STREAM", "8:9999"), stdout)).isFalse();
    assertThat(JournalLayout.isJournal(Map.of(), stdout)).isFalse();
    // where the link cannot be read, the variable alone decides
    assertThat(JournalLayout.isJournal(Map.of("JOURNAL_STREAM", "8:4242"), dir.resolve("missing"))).isTrue();
  }
}
