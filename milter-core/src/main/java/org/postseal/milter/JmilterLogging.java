package org.postseal.milter;

import java.util.function.Supplier;
import org.nightcode.milter.util.Log;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes jmilter's own logging through SLF4J. Out of the box jmilter prints to stdout and stderr with
 * DEBUG on (docs/library-notes.md); this sends each level to the SLF4J logger of the jmilter class, so
 * Logback's levels apply (logback.xml keeps org.nightcode at INFO).
 *
 * <p>An exception jmilter logs becomes one line (its class and message, escaped), with the stack trace only
 * when DEBUG is on for that class: jmilter logs a client's malformed packet with a 24-37 line stack trace,
 * which a client could repeat at will. Our own checks keep such packets from jmilter; this is the backstop.
 */
public final class JmilterLogging {

  private JmilterLogging() {
  }

  /** Idempotent; call before the first milter connection. */
  public static void routeToSlf4j() {
    Log.setLoggingHandler(new Bridge(Level.DEBUG), new Bridge(Level.INFO), new Bridge(Level.WARN),
        new Bridge(Level.ERROR), new Bridge(Level.ERROR));
  }

  private enum Level { DEBUG, INFO, WARN, ERROR }

  private record Bridge(Level level) implements Log.LoggingHandler {

    @Override
    public void log(Class<?> clazz, String message) {
      log(clazz, () -> message, null);
    }

    @Override
    public void log(Class<?> clazz, String message, Object... params) {
      Logger logger = LoggerFactory.getLogger(clazz);
      switch (level) {
        case DEBUG -> logger.debug(message, params);
        case INFO -> logger.info(message, params);
        case WARN -> logger.warn(message, params);
        default -> logger.error(message, params);
      }
    }

    @Override
    public void log(Class<?> clazz, String message, Throwable thrown) {
      log(clazz, () -> message, thrown);
    }

    @Override
    public void log(Class<?> clazz, Supplier<String> supplier, Throwable thrown) {
      Logger logger = LoggerFactory.getLogger(clazz);
      boolean enabled = switch (level) {
        case DEBUG -> logger.isDebugEnabled();
        case INFO -> logger.isInfoEnabled();
        case WARN -> logger.isWarnEnabled();
        default -> logger.isErrorEnabled();
      };
      if (!enabled) {
        return;
      }
      if (thrown != null && !logger.isDebugEnabled()) {
        String line = LogText.of(supplier.get()) + ": " + LogText.of(thrown.toString());
        switch (level) {
          case INFO -> logger.info(line);
          case WARN -> logger.warn(line);
          default -> logger.error(line);
        }
        return;
      }
      switch (level) {
        case DEBUG -> logger.debug(supplier.get(), thrown);
        case INFO -> logger.info(supplier.get(), thrown);
        case WARN -> logger.warn(supplier.get(), thrown);
        default -> logger.error(supplier.get(), thrown);
      }
    }
  }
}
