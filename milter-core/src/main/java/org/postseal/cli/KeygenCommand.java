package org.postseal.cli;

import java.util.Optional;
import java.util.concurrent.Callable;
import org.postseal.keys.KeyAlgorithmChoice;
import org.postseal.keys.KeyRotation;
import org.postseal.keys.Keygen;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code postseal keygen DOMAIN [--selector S] [--algorithm A]} and {@code postseal keygen --rotate DOMAIN}: a new
 * pending key in state-dir/keys/DOMAIN, and the DNS record to publish, printed in zone-file form.
 */
@Command(name = "keygen", mixinStandardHelpOptions = true,
    description = {"Create a signing key (pending until DNS serves it) and print its DNS TXT record.",
        "With --rotate: the successor of the domain's active key, same algorithm unless --algorithm says."})
final class KeygenCommand implements Callable<Integer> {

  @Mixin
  CommonOptions common;

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DOMAIN", description = "The signing domain (the From: domain).")
  String domain;

  @Option(names = "--selector", paramLabel = "S",
      description = "Selector (default: a dated one never used in the domain, e.g. s202611).")
  String selector;

  @Option(names = "--algorithm", paramLabel = "A", converter = KeyCommandRun.AlgorithmConverter.class,
      description = "rsa-2048 (default), rsa-3072, rsa-4096 or ed25519; with --rotate: that of the active key.")
  KeyAlgorithmChoice algorithm;

  @Option(names = "--rotate", description = "Make the successor of the domain's active key.")
  boolean rotate;

  @Override
  public Integer call() {
    return KeyCommandRun.run(spec, common, (store, dns) -> rotate
        ? new KeyRotation(store).rotate(domain, Optional.ofNullable(algorithm), Optional.ofNullable(selector))
        : new Keygen(store).generate(domain, Optional.ofNullable(selector),
            algorithm == null ? KeyAlgorithmChoice.DEFAULT : algorithm), KeyOutput::of);
  }

}
