package org.postseal.dkim;

import java.util.Optional;

/** Signing algorithms we sign and verify with (RFC 6376 section 3.3, RFC 8463). rsa-sha1 is parsed elsewhere, never a pass (RFC 8301). */
public enum DkimAlgorithm {
  RSA_SHA256("rsa-sha256"),
  ED25519_SHA256("ed25519-sha256");

  private final String tagValue;

  DkimAlgorithm(String tagValue) {
    this.tagValue = tagValue;
  }

  /** The value of the a= tag and of the signing.algorithms config entry. */
  public String tagValue() {
    return tagValue;
  }

  public static Optional<DkimAlgorithm> fromTagValue(String value) {
    for (DkimAlgorithm a : values()) {
      if (a.tagValue.equalsIgnoreCase(value)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }
}
