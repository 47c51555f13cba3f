/**
 * The Authentication-Results header field (RFC 8601): written from the mechanisms' results, and read only
 * far enough to recognise forged fields that claim our authserv-id.
 */
package org.postseal.authres;
