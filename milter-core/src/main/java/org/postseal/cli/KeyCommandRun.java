package org.postseal.cli;

import ch.qos.logback.classic.Level;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.postseal.config.ConfigLoader;
import org.postseal.config.PostsealConfig;
import org.postseal.dns.DnsResolver;
import org.postseal.dns.DnsSource;
import org.postseal.keys.KeyAlgorithmChoice;
import org.postseal.keys.SigningKeyStore;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What every key command does around its one key operation: load the configuration (errors: exit 1), open the key
 * store on state-dir/keys with DNS per [dns], run the operation, render its result ({@link KeyOutput}) and print
 * it to stdout (exit 0) or stderr (exit 1 or 2). Keeps each command class a list of options.
 */
final class KeyCommandRun {

  private KeyCommandRun() {
  }

  /**
   * Runs {@code operation} against the configured key store and prints what {@code render} makes of its result.
   *
   * @return the exit code
   */
  static <T> int run(CommandSpec spec, CommonOptions common, BiFunction<SigningKeyStore, DnsSource, T> operation,
                     Function<T, KeyOutput> render) {
    return runConfigured(spec, common, (config, store, dns) -> operation.apply(store, dns), render);
  }

  /** A key operation that also reads the configuration (keys list: the signing domains). */
  @FunctionalInterface
  interface ConfiguredOperation<T> {
    T apply(PostsealConfig config, SigningKeyStore store, DnsSource dns);
  }

  /** As {@link #run(CommandSpec, CommonOptions, BiFunction, Function)}, with the configuration given to the operation. */
  static <T> int runConfigured(CommandSpec spec, CommonOptions common, ConfiguredOperation<T> operation,
                               Function<T, KeyOutput> render) {
    PrintWriter err = spec.commandLine().getErr();
    if (!common.applyLogLevel(Level.ERROR)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "unknown --log-level " + common.logLevel);
    }
    Optional<PostsealConfig> config = common.validConfig(new ConfigLoader(), err);
    if (config.isEmpty()) {
      return Main.EXIT_FAILURE;
    }
    Clock clock = Clock.systemUTC();
    DnsResolver dns = DnsResolver.create(config.get().dns().servers(), config.get().dns().timeout(), clock);
    KeyOutput output = render.apply(operation.apply(config.get(), store(config.get(), clock), dns));
    (output.exitCode() == Main.EXIT_OK ? spec.commandLine().getOut() : err).print(output.text());
    return output.exitCode();
  }

  /** The key store of {@code config}: state-dir/keys, [keys] retire-after, signing.algorithms. */
  static SigningKeyStore store(PostsealConfig config, Clock clock) {
    return new SigningKeyStore(config.keysDir(), clock, config.keys().retireAfter(),
        Set.copyOf(config.signing().algorithms()));
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
