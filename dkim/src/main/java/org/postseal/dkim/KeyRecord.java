package org.postseal.dkim;

import java.util.List;

/**
 * A DKIM key record from DNS (RFC 6376 section 3.6.1, RFC 8463 section 4) that parsed as a tag-list
 * with an acceptable v=. Whether it suits a given signature is the verifier's decision.
 *
 * @param keyType        k= (default "rsa"), lower-cased
 * @param hashNames      h= names, lower-cased; empty means any hash is acceptable
 * @param serviceTypes   s= names, lower-cased (default "*")
 * @param isTesting      t= has y
 * @param isStrict       t= has s: i= must be in d= itself, not a subdomain
 * @param isRevoked      p= is empty
 * @param key            the decoded public key, or null when revoked or when {@code keyProblem} is set
 * @param keyProblem     why p= could not be decoded for k= (the detail of {@link DkimCause#KEY_MALFORMED}), or null
 */
record KeyRecord(String keyType, List<String> hashNames, List<String> serviceTypes, boolean isTesting,
                 boolean isStrict, boolean isRevoked, VerificationKey key, String keyProblem) {
}
