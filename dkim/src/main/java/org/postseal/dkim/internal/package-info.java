/**
 * The only package that imports jDKIM. Tag-list parsing goes through jDKIM's parser; canonicalization
 * and body hashing are our own (jDKIM's depend on the default locale and charset and get the empty
 * relaxed body wrong) and are compared with jDKIM's in the tests.
 */
package org.postseal.dkim.internal;
