/**
 * The only package that imports jDKIM: canonicalization and tag parsing adapted to our types.
 */
package org.postseal.dkim.internal;
