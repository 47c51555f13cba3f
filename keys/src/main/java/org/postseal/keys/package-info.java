/**
 * Signing keys on disk: the key directory (KEYS_DIR/DOMAIN/SELECTOR.pem, mode 600, owned by postseal),
 * PEM parsing, and which key signs for a domain. Key generation and the rotation lifecycle build on it.
 */
package org.postseal.keys;
