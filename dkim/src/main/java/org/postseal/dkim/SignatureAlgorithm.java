package org.postseal.dkim;

import java.util.Optional;

/**
 * Every a= value we recognise when verifying, including rsa-sha1, which is parsed only so that RFC 8301
 * can turn it into a policy result rather than "unknown algorithm". {@link DkimAlgorithm} is the public
 * subset we sign with.
 */
enum SignatureAlgorithm {
  RSA_SHA1("rsa-sha1", "rsa", "sha1", "SHA-1"),
  RSA_SHA256("rsa-sha256", "rsa", "sha256", "SHA-256"),
  ED25519_SHA256("ed25519-sha256", "ed25519", "sha256", "SHA-256");

  private final String tagValue;
  private final String keyType;
  private final String hashName;
  private final String digestAlgorithm;

  SignatureAlgorithm(String tagValue, String keyType, String hashName, String digestAlgorithm) {
    this.tagValue = tagValue;
    this.keyType = keyType;
    this.hashName = hashName;
    this.digestAlgorithm = digestAlgorithm;
  }

  /** a= values are compared case-insensitively, as deployed verifiers do. */
  static Optional<SignatureAlgorithm> fromTagValue(String value) {
    for (SignatureAlgorithm a : values()) {
      if (a.tagValue.equalsIgnoreCase(value)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }

  static SignatureAlgorithm of(DkimAlgorithm algorithm) {
    return switch (algorithm) {
      case RSA_SHA256 -> RSA_SHA256;
      case ED25519_SHA256 -> ED25519_SHA256;
    };
  }

  String tagValue() {
    return tagValue;
  }

  /** The k= value of a key record this algorithm needs. */
  String keyType() {
    return keyType;
  }

  /** The name in a key record's h= list. */
  String hashName() {
    return hashName;
  }

  /** The JCA digest name, for the body hash and the Ed25519 header hash. */
  String digestAlgorithm() {
    return digestAlgorithm;
  }

  /** The JCA signature name for RSA; Ed25519 goes through BouncyCastle. */
  String jcaRsaSignature() {
    return this == RSA_SHA1 ? "SHA1withRSA" : "SHA256withRSA";
  }
}
