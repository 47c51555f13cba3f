package org.postseal.dkim;

import java.security.PrivateKey;
import java.util.Objects;

/**
 * An active private key for one signing domain and selector. {@code privateKey} is an RSA or Ed25519
 * key matching {@code algorithm}. Never logged: {@link #toString()} omits the key.
 */
public record SigningKey(String domain, String selector, DkimAlgorithm algorithm, PrivateKey privateKey) {

  public SigningKey {
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(selector, "selector");
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(privateKey, "privateKey");
  }

  @Override
  public String toString() {
    return "SigningKey[d=" + domain + ", s=" + selector + ", a=" + algorithm.tagValue() + "]";
  }
}
