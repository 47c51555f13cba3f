package org.postseal.cli;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.postseal.keys.DomainKeyCheck;
import org.postseal.keys.KeyActivation;
import org.postseal.keys.KeyDeletion;
import org.postseal.keys.KeyImport;
import org.postseal.keys.KeyInventory;
import org.postseal.keys.KeyRevocation;
import org.postseal.server.DomainsQuery;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code postseal keys ...}: the key store's commands, each a thin wrapper over one operation of
 * {@code org.postseal.keys} that prints its result (see {@link KeyCommandRun}).
 */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Signing keys: list, check, activate, import.",
    subcommands = {KeysCommand.ListKeys.class, KeysCommand.Check.class, KeysCommand.Activate.class,
        KeysCommand.Import.class, KeysCommand.Revoke.class, KeysCommand.Delete.class})
final class KeysCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required, e.g. postseal keys list");
  }

  /** {@code postseal keys list [--json]}. */
  @Command(name = "list", mixinStandardHelpOptions = true,
      description = {"Every key: domain, selector, algorithm, bits, state, dates, and what DNS serves for it;",
          "then the signing domains (signing.domains and domains-query) that have no active key yet."})
  static final class ListKeys implements Callable<Integer> {
    @Mixin
    CommonOptions common;
    @Spec
    CommandSpec spec;
    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    @Override
    public Integer call() {
      return KeyCommandRun.runConfigured(spec, common, (config, store, dns) -> new KeyListingOutput.Listed(
              new KeyInventory(store, dns).list(), DomainsQuery.once(config, java.time.Clock.systemUTC())),
          listed -> new KeyOutput(Main.EXIT_OK, json ? KeyListingOutput.json(listed) : KeyListingOutput.table(listed)));
    }
  }

  /** {@code postseal keys check DOMAIN}. */
  @Command(name = "check", mixinStandardHelpOptions = true,
      description = {"Per selector: does DNS serve the record that matches the private key?",
          "Exit 0 only when every active and pending key is published correctly."})
  static final class Check implements Callable<Integer> {
    @Mixin
    CommonOptions common;
    @Spec
    CommandSpec spec;
    @Parameters(index = "0", paramLabel = "DOMAIN")
    String domain;

    @Override
    public Integer call() {
      return KeyCommandRun.run(spec, common, (store, dns) -> new DomainKeyCheck(store, dns).check(domain),
          KeyOutput::of);
    }
  }

  /** {@code postseal keys activate DOMAIN [SELECTOR] [--force]}. */
  @Command(name = "activate", mixinStandardHelpOptions = true,
      description = {"Make the pending key active once DNS serves it; the previous key is retired.",
          "--force activates a key DNS does not serve (receivers then fail DKIM until it is published)."})
  static final class Activate implements Callable<Integer> {
    @Mixin
    CommonOptions common;
    @Spec
    CommandSpec spec;
    @Parameters(index = "0", paramLabel = "DOMAIN")
    String domain;
    @Parameters(index = "1", arity = "0..1", paramLabel = "SELECTOR",
        description = "Only this pending key (default: every pending key of the domain).")
    String selector;
    @Option(names = "--force", description = "Activate even though DNS does not serve the key.")
    boolean force;

    @Override
    public Integer call() {
      return KeyCommandRun.run(spec, common,
          (store, dns) -> new KeyActivation(store, dns).activate(domain, Optional.ofNullable(selector), force),
          KeyOutput::of);
    }
  }

  /** {@code postseal keys import DOMAIN SELECTOR FILE}. */
  @Command(name = "import", mixinStandardHelpOptions = true,
      description = {"Adopt an existing private key (PKCS#1 or PKCS#8 PEM, e.g. from OpenDKIM's KeyTable).",
          "It is copied with mode 600; active at once when DNS already serves its public key, else pending."})
  static final class Import implements Callable<Integer> {
    @Mixin
    CommonOptions common;
    @Spec
    CommandSpec spec;
    @Parameters(index = "0", paramLabel = "DOMAIN")
    String domain;
    @Parameters(index = "1", paramLabel = "SELECTOR")
    String selector;
    @Parameters(index = "2", paramLabel = "FILE")
    Path file;

    @Override
    public Integer call() {
      return KeyCommandRun.run(spec, common,
          (store, dns) -> new KeyImport(store, dns).importKey(domain, selector, file), KeyOutput::of);
    }
  }

  /** {@code postseal keys revoke DOMAIN SELECTOR [--force]}. */
  @Command(name = "revoke", mixinStandardHelpOptions = true,
      description = "Mark a retired key revoked (after retire-after) and print the empty-p= record to publish.")
  static final class Revoke implements Callable<Integer> {
    @Mixin
    CommonOptions common;
    @Spec
    CommandSpec spec;
    @Parameters(index = "0", paramLabel = "DOMAIN")
    String domain;
    @Parameters(index = "1", paramLabel = "SELECTOR")
    String selector;
    @Option(names = "--force", description = "Revoke before retire-after has passed.")
    boolean force;

    @Override
    public Integer call() {
      return KeyCommandRun.run(spec, common, (store, dns) -> new KeyRevocation(store).revoke(domain, selector, force),
          KeyOutput::of);
    }
  }

  /** {@code postseal keys delete DOMAIN SELECTOR}. */
  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Remove the private key of a revoked (or unwanted pending) key; the selector is never reused.")
  static final class Delete implements Callable<Integer> {
    @Mixin
    CommonOptions common;
    @Spec
    CommandSpec spec;
    @Parameters(index = "0", paramLabel = "DOMAIN")
    String domain;
    @Parameters(index = "1", paramLabel = "SELECTOR")
    String selector;

    @Override
    public Integer call() {
      return KeyCommandRun.run(spec, common, (store, dns) -> new KeyDeletion(store).delete(domain, selector),
          KeyOutput::of);
    }
  }
}
