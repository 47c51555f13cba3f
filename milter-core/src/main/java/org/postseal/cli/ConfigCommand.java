package org.postseal.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.postseal.config.ConfigError;
import org.postseal.config.ConfigLoader;
import org.postseal.config.FileExposure;
import org.postseal.config.ConfigResult;
import org.postseal.config.ListenAddress;
import org.postseal.config.PostsealConfig;
import org.postseal.keys.KeyDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code postseal config ...}: configuration commands. */
@Command(name = "config", description = "Configuration commands.", subcommands = ConfigCommand.Check.class,
    mixinStandardHelpOptions = true)
final class ConfigCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required, e.g. postseal config check");
  }

  /**
   * {@code postseal config check}: exit 0 and say OK, or print every error with its line and exit 1. Beyond the
   * file itself: state-dir and a unix socket's directory exist and are usable by the user running the check.
   */
  @Command(name = "check", description = "Validate the configuration; print each error with its line and fix.",
      mixinStandardHelpOptions = true)
  static final class Check implements Callable<Integer> {

    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    private final ConfigLoader loader = new ConfigLoader();

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      if (!common.applyLogLevel()) {
        throw new CommandLine.ParameterException(spec.commandLine(), "unknown --log-level " + common.logLevel);
      }
      ConfigResult result = common.loadConfig(loader);
      if (result instanceof ConfigResult.Invalid invalid) {
        for (ConfigError error : invalid.errors()) {
          err.println(error);
        }
        err.println("postseal: " + invalid.source() + ": " + invalid.errors().size() + " error"
            + (invalid.errors().size() == 1 ? "" : "s"));
        return Main.EXIT_FAILURE;
      }
      PostsealConfig config = ((ConfigResult.Valid) result).config();
      // the file is valid; are the places it names usable by this user (run it as the user serve runs as)?
      List<String> unusable = new ArrayList<>();
      stateDirProblem(config.stateDir()).ifPresent(unusable::add);
      if (config.listen() instanceof ListenAddress.Unix socket) {
        socketDirectoryProblem(socket.path()).ifPresent(unusable::add);
      }
      if (!unusable.isEmpty()) {
        unusable.forEach(p -> err.println(result.source() + ": " + p));
        err.println("postseal: " + result.source() + ": " + unusable.size() + " error" + (unusable.size() == 1 ? "" : "s"));
        return Main.EXIT_FAILURE;
      }
      FileExposure.check(result.source(), config.keysDir(), false).forEach(w -> err.println("warning: " + w));
      // keys are not configuration, but a key serve would refuse is worth knowing now
      KeyDirectory keys = KeyDirectory.scan(config.keysDir());
      for (String problem : keys.problems()) {
        err.println("warning: " + problem);
      }
      for (String domain : config.signing().domains()) {
        if (keys.activeKeys(domain).isEmpty()) {
          err.println("warning: signing.domains lists " + domain + " but " + config.keysDir().resolve(domain)
              + " has no usable key: mail From " + domain + " will not be signed until a key is there");
        }
      }
      out.println("postseal: configuration OK (" + result.source() + ")");
      return Main.EXIT_OK;
    }
  }

  /** The user this runs as, for messages: serve must run as the same one for the checks to mean anything. */
  private static String user() {
    return System.getProperty("user.name", "this user");
  }

  /** Why serve could not keep its state in {@code dir}; empty when it can (or can create it). */
  static Optional<String> stateDirProblem(Path dir) {
    Path absolute = dir.toAbsolutePath();
    if (!Files.exists(absolute)) {
      Path parent = absolute.getParent();
      if (parent != null && Files.isDirectory(parent) && Files.isWritable(parent)) {
        return Optional.empty();
      }
      return Optional.of("state-dir: " + absolute + " does not exist and " + user() + " cannot create it; create it:"
          + " install -d -o " + user() + " -m 0750 " + absolute);
    }
    if (!Files.isDirectory(absolute)) {
      return Optional.of("state-dir: " + absolute + " is not a directory");
    }
    if (!Files.isReadable(absolute) || !Files.isWritable(absolute) || !Files.isExecutable(absolute)) {
      return Optional.of("state-dir: " + absolute + " is not readable and writable by " + user() + " (owner "
          + owner(absolute) + "); run postseal as the user that owns it (sudo -u " + owner(absolute)
          + " postseal config check), or give it to " + user() + ": chown -R " + user() + " " + absolute);
    }
    return Optional.empty();
  }

  /** Why serve could not create {@code socket}; empty when it can. */
  static Optional<String> socketDirectoryProblem(Path socket) {
    Path directory = socket.toAbsolutePath().getParent();
    String create = "install -d -o " + user() + " -g postfix -m 2750 " + directory
        + " (setgid: the socket gets the group postfix, so Postfix may connect)";
    if (directory == null || !Files.isDirectory(directory)) {
      return Optional.of("listen: the socket's directory " + directory + " does not exist; create it: " + create);
    }
    if (!Files.isWritable(directory) || !Files.isExecutable(directory)) {
      return Optional.of("listen: " + user() + " cannot create a socket in " + directory + " (owner " + owner(directory)
          + "); " + create);
    }
    return Optional.empty();
  }

  private static String owner(Path path) {
    try {
      return Files.getOwner(path).getName();
    } catch (IOException | UnsupportedOperationException e) {
      return "unknown";
    }
  }
}
