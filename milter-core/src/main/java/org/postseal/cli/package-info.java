/**
 * The {@code postseal} command line (picocli): one class per command, all sharing {@code --config} and
 * {@code --log-level}. Exit codes: 0 ok, 1 failure described on stderr, 2 usage error.
 */
package org.postseal.cli;
