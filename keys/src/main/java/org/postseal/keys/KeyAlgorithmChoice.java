package org.postseal.keys;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.postseal.dkim.DkimAlgorithm;

/**
 * The kinds of key {@code postseal keygen --algorithm} makes. RSA sizes below 2048 are not offered: RFC 8301
 * allows 1024 bits but large receivers already treat them as weak; above 4096 bits most DNS hosting panels and
 * some verifiers give up on the record.
 */
public enum KeyAlgorithmChoice {
  RSA_2048("rsa-2048", DkimAlgorithm.RSA_SHA256, 2048),
  RSA_3072("rsa-3072", DkimAlgorithm.RSA_SHA256, 3072),
  RSA_4096("rsa-4096", DkimAlgorithm.RSA_SHA256, 4096),
  /** RFC 8463; 256 is the size of the public key, for listings. */
  ED25519("ed25519", DkimAlgorithm.ED25519_SHA256, 256);

  /** What keygen makes when not told: every verifier understands it, unlike Ed25519 (RFC 8463 is young). */
  public static final KeyAlgorithmChoice DEFAULT = RSA_2048;

  private final String label;
  private final DkimAlgorithm algorithm;
  private final int bits;

  KeyAlgorithmChoice(String label, DkimAlgorithm algorithm, int bits) {
    this.label = label;
    this.algorithm = algorithm;
    this.bits = bits;
  }

  /** The command-line spelling: "rsa-2048", "rsa-3072", "rsa-4096", "ed25519". */
  public String label() {
    return label;
  }

  public DkimAlgorithm algorithm() {
    return algorithm;
  }

  public int bits() {
    return bits;
  }

  /** The labels, comma-separated, for usage messages. */
  static String labels() {
    return Arrays.stream(values()).map(KeyAlgorithmChoice::label).collect(Collectors.joining(", "));
  }

  /** The choice spelled {@code text} (case-insensitive, surrounding blanks ignored), if any. */
  static Optional<KeyAlgorithmChoice> find(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String wanted = text.strip().toLowerCase(Locale.ROOT);
    for (KeyAlgorithmChoice choice : values()) {
      if (choice.label.equals(wanted)) {
        return Optional.of(choice);
      }
    }
    return Optional.empty();
  }

  /**
   * {@link #find} for a command-line option: usable as a picocli type converter, which turns the exception into
   * a usage error (exit 2) with this message.
   *
   * @throws IllegalArgumentException naming the value and the allowed ones
   */
  public static KeyAlgorithmChoice parse(String text) {
    return find(text).orElseThrow(() -> new IllegalArgumentException("unknown key algorithm \"" + text
        + "\"; use one of " + labels()));
  }

  /**
   * The choice for the successor of a key of this algorithm and size: the same size, rounded up to one we
   * offer (a 1024-bit key imported from an old setup is succeeded by an RSA-2048 key).
   */
  static KeyAlgorithmChoice successorOf(DkimAlgorithm algorithm, int bits) {
    if (algorithm == DkimAlgorithm.ED25519_SHA256) {
      return ED25519;
    }
    if (bits <= 2048) {
      return RSA_2048;
    }
    return bits <= 3072 ? RSA_3072 : RSA_4096;
  }

  /** A fresh key pair; RSA with the usual public exponent 65537. */
  KeyPair generate(SecureRandom random) {
    try {
      if (algorithm == DkimAlgorithm.ED25519_SHA256) {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
        generator.initialize(255, random);
        return generator.generateKeyPair();
      }
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(bits, random);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      // every Java 17 runtime has RSA and Ed25519 (JEP 339)
      throw new IllegalStateException("this Java runtime cannot generate " + label + " keys", e);
    }
  }

  @Override
  public String toString() {
    return label;
  }
}
