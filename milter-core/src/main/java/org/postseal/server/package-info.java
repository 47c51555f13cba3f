/**
 * The running service: builds the resolver, key directory, pipeline and milter server from one
 * configuration, reloads them on SIGHUP and drains them on shutdown. What {@code postseal serve} and the
 * end-to-end tests start.
 */
package org.postseal.server;
