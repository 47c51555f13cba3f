/**
 * Signing keys on disk and their life: the key store ({@link org.postseal.keys.SigningKeyStore}: per domain a lock,
 * the state file and the key files), one class per operation on it (keygen, rotation, import, activation, check,
 * list, revocation, deletion), each returning a value the command line renders, and the {@link
 * org.postseal.keys.KeyDirectory} snapshot {@code serve} signs from.
 */
package org.postseal.keys;
