package org.postseal.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.postseal.config.ConfigError;
import org.postseal.config.ConfigLoader;
import org.postseal.config.ConfigResult;
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

  /** {@code postseal config check}: exit 0 and say OK, or print every error with its line and exit 1. */
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
}
