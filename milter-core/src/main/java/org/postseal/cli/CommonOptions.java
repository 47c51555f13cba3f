package org.postseal.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.nio.file.Path;
import java.util.Optional;
import org.postseal.config.ConfigLoader;
import org.postseal.config.ConfigResult;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** Options every command takes. */
public final class CommonOptions {

  @Option(names = "--config", paramLabel = "FILE",
      description = "Configuration file (default: /etc/postseal/postseal.toml when it exists, else built-in defaults).")
  Path configFile;

  @Option(names = "--log-level", paramLabel = "LEVEL",
      description = "ERROR, WARN, INFO, DEBUG or TRACE (default: INFO, or POSTSEAL_LOG_LEVEL).")
  String logLevel;

  public Optional<Path> configFile() {
    return Optional.ofNullable(configFile);
  }

  /** Loads the configuration these options point at. */
  public ConfigResult loadConfig(ConfigLoader loader) {
    return loader.load(configFile());
  }

  /** Applies --log-level to the root logger; an unknown level name is a usage error reported by the caller. */
  boolean applyLogLevel() {
    if (logLevel == null) {
      return true;
    }
    Level level = Level.toLevel(logLevel.toUpperCase(java.util.Locale.ROOT), null);
    if (level == null) {
      return false;
    }
    if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof Logger root) {
      root.setLevel(level);
    }
    return true;
  }
}
