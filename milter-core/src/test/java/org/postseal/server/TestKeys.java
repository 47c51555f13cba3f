package org.postseal.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Base64;

/**
 * Keys for end-to-end tests, written in the documented layout (state-dir/keys/DOMAIN/SELECTOR.pem,
 * PKCS#8 PEM, mode 0600) with their DNS records in zone-file form, as an operator would publish them.
 */
public final class TestKeys {

  /** Generated once per JVM: RSA key generation is the slow part of these tests. */
  public static final KeyPair RSA = generate("RSA", 2048);
  public static final KeyPair RSA_OTHER = generate("RSA", 2048);
  public static final KeyPair ED25519 = generate("Ed25519", 0);

  private TestKeys() {
  }

  private static KeyPair generate(String algorithm, int bits) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
      if (bits > 0) {
        generator.initialize(bits);
      }
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes {@code key} as state-dir/keys/DOMAIN/SELECTOR.pem, mode 0600 in a 0700 directory. */
  public static Path writePrivateKey(Path stateDir, String domain, String selector, PrivateKey key) {
    try {
      Path dir = stateDir.resolve("keys").resolve(domain);
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Path file = dir.resolve(selector + ".pem");
      String pem = "-----BEGIN PRIVATE KEY-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
          + "\n-----END PRIVATE KEY-----\n";
      Files.writeString(file, pem, StandardCharsets.US_ASCII);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The DKIM key record (RFC 6376 section 3.6.1; RFC 8463 for Ed25519) in BIND master-file form. */
  public static String txtRecord(String domain, String selector, PublicKey key) {
    String p;
    String k;
    if (key.getAlgorithm().equals("RSA")) {
      k = "rsa";
      p = Base64.getEncoder().encodeToString(key.getEncoded());
    } else {
      k = "ed25519";
      // RFC 8463: the raw 32-byte public key, the tail of the X.509 SubjectPublicKeyInfo
      byte[] spki = key.getEncoded();
      p = Base64.getEncoder().encodeToString(Arrays.copyOfRange(spki, spki.length - 32, spki.length));
    }
    return selector + "._domainkey." + domain + ". 300 IN TXT \"v=DKIM1; k=" + k + "; p=" + p + "\"\n";
  }
}
