/**
 * Signing keys on disk and their life: the key directory (KEYS_DIR/DOMAIN/SELECTOR.pem, mode 600, owned by
 * postseal, plus DOMAIN/keys.state), key generation, the DNS TXT record to publish, the publication check, and
 * the pending/active/retired/revoked/deleted lifecycle that decides which key signs. The CLI and serve call
 * {@link org.postseal.keys.KeyLifecycle} and {@link org.postseal.keys.KeyDirectory}; results print themselves.
 */
package org.postseal.keys;
