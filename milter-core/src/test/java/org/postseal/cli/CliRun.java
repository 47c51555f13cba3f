package org.postseal.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One {@code postseal} command line run in this JVM through {@link Main#run}: its exit code and what it printed. */
record CliRun(int exitCode, String out, String err) {

  /** Runs {@code args} as the launcher would, capturing standard output and standard error. */
  static CliRun run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new CliRun(code, out.toString(), err.toString());
  }
}
