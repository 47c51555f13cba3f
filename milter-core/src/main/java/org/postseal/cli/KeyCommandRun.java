package org.postseal.cli;

import ch.qos.logback.classic.Level;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Function;
import org.postseal.config.ConfigLoader;
import org.postseal.config.PostsealConfig;
import org.postseal.dns.DnsResolver;
import org.postseal.keys.KeyAlgorithmChoice;
import org.postseal.keys.KeyCommandOutput;
import org.postseal.keys.KeyLifecycle;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What every key command does around its one {@link KeyLifecycle} call: load the configuration (errors: exit 1),
 * build the lifecycle on state-dir/keys with DNS per [dns], then print the result to stdout (exit 0) or stderr
 * (exit 1 or 2, as the result says). Keeps each command class a list of options.
 */
final class KeyCommandRun {

  private KeyCommandRun() {
  }

  /** Runs {@code step} against the configured key store and prints what it returns; the exit code. */
  static int run(CommandSpec spec, CommonOptions common, Function<KeyLifecycle, KeyCommandOutput> step) {
    return run(spec, common, step, KeyCommandOutput::text);
  }

  /** As above, with another rendering of the result (e.g. JSON). */
  static <T extends KeyCommandOutput> int run(CommandSpec spec, CommonOptions common, Function<KeyLifecycle, T> step,
                                              Function<T, String> render) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!common.applyLogLevel(Level.ERROR)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "unknown --log-level " + common.logLevel);
    }
    Optional<PostsealConfig> config = common.validConfig(new ConfigLoader(), err);
    if (config.isEmpty()) {
      return Main.EXIT_FAILURE;
    }
    T result = step.apply(lifecycle(config.get()));
    String text = render.apply(result);
    (result.exitCode() == Main.EXIT_OK ? out : err).print(text);
    return result.exitCode();
  }

  /** The key store of {@code config}: state-dir/keys, DNS as [dns] says, [keys] retire-after. */
  static KeyLifecycle lifecycle(PostsealConfig config) {
    Clock clock = Clock.systemUTC();
    DnsResolver dns = DnsResolver.create(config.dns().servers(), config.dns().timeout(), clock);
    return new KeyLifecycle(config.keysDir(), dns, clock, config.keys().retireAfter());
  }

  /** picocli converter for --algorithm: an unknown value is a usage error (exit 2) naming the allowed ones. */
  static final class AlgorithmConverter implements CommandLine.ITypeConverter<KeyAlgorithmChoice> {
    @Override
    public KeyAlgorithmChoice convert(String value) {
      try {
        return KeyAlgorithmChoice.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
