package org.postseal.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import org.postseal.config.ConfigError;
import org.postseal.config.ConfigLoader;
import org.postseal.config.ConfigResult;
import org.postseal.config.PostsealConfig;
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

  /**
   * The configuration, or empty after printing every error to {@code err} (the caller exits 1): what the
   * one-shot commands (keygen, keys, doctor) do first.
   */
  Optional<PostsealConfig> validConfig(ConfigLoader loader, PrintWriter err) {
    ConfigResult result = loadConfig(loader);
    if (result instanceof ConfigResult.Invalid invalid) {
      for (ConfigError error : invalid.errors()) {
        err.println(error);
      }
      err.println("postseal: " + invalid.source() + " has " + invalid.errors().size() + " error"
          + (invalid.errors().size() == 1 ? "" : "s") + " (check with: postseal config check)");
      return Optional.empty();
    }
    return Optional.of(((ConfigResult.Valid) result).config());
  }

  /** Applies --log-level to the root logger; an unknown level name is a usage error reported by the caller. */
  boolean applyLogLevel() {
    return applyLogLevel(null);
  }

  /**
   * As {@link #applyLogLevel()}, with the level to use when neither --log-level nor POSTSEAL_LOG_LEVEL says one:
   * one-shot commands print their own report on stdout, which log lines (also on stdout) would clutter.
   */
  boolean applyLogLevel(Level quietDefault) {
    if (logLevel == null) {
      if (quietDefault != null && System.getenv("POSTSEAL_LOG_LEVEL") == null
          && LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof Logger root) {
        root.setLevel(quietDefault);
      }
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
