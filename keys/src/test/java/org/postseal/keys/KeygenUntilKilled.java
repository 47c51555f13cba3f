package org.postseal.keys;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * A {@code postseal keygen} that stops where a kill -9 does the most harm, for {@link KeyStoreRecoveryTest}: the
 * pending entry is in keys.state and the private key is complete in its temporary file, but the key file has no name
 * yet. It then writes a marker file and waits to be killed.
 *
 * <p>Arguments: KEYS_DIR DOMAIN MARKER_FILE.
 */
public final class KeygenUntilKilled {

  private KeygenUntilKilled() {
  }

  public static void main(String[] args) throws Exception {
    SigningKeyStore store = new SigningKeyStore(Path.of(args[0]), Clock.systemUTC(), Duration.ofDays(7));
    Path marker = Path.of(args[2]);
    store.beforeKeyFileLinked(temporary -> {
      Files.writeString(marker, temporary.toString());
      try {
        Thread.sleep(Long.MAX_VALUE);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    new Keygen(store).generate(args[1], Optional.of("killed"), KeyAlgorithmChoice.RSA_2048);
  }
}
