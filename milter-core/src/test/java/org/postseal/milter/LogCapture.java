package org.postseal.milter;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/**
 * Every log event at INFO and above while open, from every logger (ours, jmilter's, Netty's), as the
 * production configuration would write it: for tests that count log lines or look for forged ones.
 */
final class LogCapture implements AutoCloseable {

  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final Logger postseal = (Logger) LoggerFactory.getLogger("org.postseal");
  private final Logger jmilter = (Logger) LoggerFactory.getLogger("org.nightcode");
  private final Level savedPostseal = postseal.getLevel();
  private final Level savedJmilter = jmilter.getLevel();
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  LogCapture() {
    appender.start();
    root.addAppender(appender);
    postseal.setLevel(Level.INFO);
    jmilter.setLevel(Level.INFO);
  }

  /** The events so far. */
  List<ILoggingEvent> events() {
    return List.copyOf(appender.list);
  }

  /** The formatted messages so far. */
  List<String> lines() {
    return events().stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  /** Waits up to 5 s for a line matching {@code wanted}; returns it. */
  String await(Predicate<String> wanted) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (System.nanoTime() < deadline) {
      for (String line : lines()) {
        if (wanted.test(line)) {
          return line;
        }
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no such log line in " + lines());
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    postseal.setLevel(savedPostseal);
    jmilter.setLevel(savedJmilter);
  }
}
