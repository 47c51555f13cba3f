/**
 * DKIM signing and verification (RFC 6376, RFC 8463 Ed25519, RFC 8301 policy), streaming: headers first,
 * then body chunks, then a result. jDKIM is used only behind {@code internal}.
 */
package org.postseal.dkim;
