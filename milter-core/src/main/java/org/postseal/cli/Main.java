package org.postseal.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code postseal}: the entry point the launchers call. Each command is a subcommand class, listed in
 * {@link #COMMANDS}.
 */
@Command(name = "postseal", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "DKIM, SPF and DMARC milter for Postfix.")
public final class Main implements Callable<Integer> {

  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILURE = 1;
  public static final int EXIT_USAGE = 2;

  /**
   * The commands, in the order help lists them. A command line that names one of them gets a tree with that one only
   * ({@link #commandLine}): picocli builds the model of every command it is given, from their annotations, and for all
   * of them that was most of what {@code postseal --version} and {@code keys list} did (2,657 classes loaded to print
   * the version, measured with -Xlog:class+load).
   */
  static final List<Class<?>> COMMANDS = List.of(ServeCommand.class, ConfigCommand.class, CheckCommand.class,
      KeygenCommand.class, KeysCommand.class, ReportCommand.class, DoctorCommand.class,
      org.postseal.bench.BenchCommand.class, CommandLine.HelpCommand.class);

  @Spec
  CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true, StandardCharsets.UTF_8),
        new PrintWriter(System.err, true, StandardCharsets.UTF_8)));
  }

  /** Runs one command line; {@code out} and {@code err} receive the command's output. Returns the exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
      // what scripts ask most often, answered before logging and the command tree are set up
      out.println(new VersionProvider().getVersion()[0]);
      out.flush();
      return EXIT_OK;
    }
    routeJulToSlf4j();
    CommandLine commandLine = commandLine(args)
        .setOut(out)
        .setErr(err)
        .setExecutionExceptionHandler((e, cmd, parseResult) -> {
          // a bug, not a described failure: say so briefly, the stack trace goes to the log
          org.slf4j.LoggerFactory.getLogger(Main.class).error("unexpected error in {}", cmd.getCommandName(), e);
          cmd.getErr().println("postseal: unexpected error: " + e);
          return EXIT_FAILURE;
        });
    int code = commandLine.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /**
   * The command tree for {@code args}: the root with the one command {@code args} starts with, or with every command
   * when it starts with none (help, an option, a mistyped name: the usage lists them all).
   */
  static CommandLine commandLine(String... args) {
    CommandLine root = new CommandLine(new Main());
    String first = args.length == 0 ? "" : args[0];
    List<Class<?>> named = COMMANDS.stream()
        .filter(c -> c != CommandLine.HelpCommand.class && c.getAnnotation(Command.class).name().equals(first))
        .toList();
    for (Class<?> command : named.isEmpty() ? COMMANDS : named) {
      root.addSubcommand(command);
    }
    return root;
  }

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required, e.g. postseal serve");
  }

  /** Libraries logging through java.util.logging end up in Logback with everything else. */
  private static void routeJulToSlf4j() {
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
  }
}
