package org.postseal.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code postseal}: the entry point the launchers call. Each command is a subcommand class; later ones
 * (keygen, keys, report, check, doctor, bench) are added to {@code subcommands} below.
 */
@Command(name = "postseal", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "DKIM, SPF and DMARC milter for Postfix.",
    subcommands = {ServeCommand.class, ConfigCommand.class, CheckCommand.class, KeygenCommand.class, KeysCommand.class,
        ReportCommand.class, DoctorCommand.class, org.postseal.bench.BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {

  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILURE = 1;
  public static final int EXIT_USAGE = 2;

  @Spec
  CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true, StandardCharsets.UTF_8),
        new PrintWriter(System.err, true, StandardCharsets.UTF_8)));
  }

  /** Runs one command line; {@code out} and {@code err} receive the command's output. Returns the exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    routeJulToSlf4j();
    CommandLine commandLine = new CommandLine(new Main())
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
