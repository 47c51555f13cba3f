package org.postseal.keys;

/**
 * What a key command prints and how it ends, so that a command-line wrapper stays a few lines: print
 * {@link #text()} to standard output when {@link #exitCode()} is 0, else to standard error, and exit with the
 * code (ARCHITECTURE.md: 0 ok, 1 failure described, 2 usage error). The text ends with a newline.
 */
public interface KeyCommandOutput {

  int exitCode();

  String text();
}
