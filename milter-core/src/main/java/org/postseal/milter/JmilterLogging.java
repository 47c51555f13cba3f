package org.postseal.milter;

import java.util.function.Supplier;
import org.nightcode.milter.util.Log;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes jmilter's own logging through SLF4J. Out of the box jmilter prints to stdout and stderr with
 * DEBUG on (docs/library-notes.md); this sends each level to the SLF4J logger of the jmilter class, so
 * Logback's levels apply (logback.xml keeps org.nightcode at INFO).
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
      switch (level) {
        case DEBUG -> {
          if (logger.isDebugEnabled()) {
            logger.debug(supplier.get(), thrown);
          }
        }
        case INFO -> {
          if (logger.isInfoEnabled()) {
            logger.info(supplier.get(), thrown);
          }
        }
        case WARN -> logger.warn(supplier.get(), thrown);
        default -> logger.error(supplier.get(), thrown);
      }
    }
  }
}
