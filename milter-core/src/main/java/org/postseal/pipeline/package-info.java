/**
 * What happens to one message, without a socket: connection and message state, the direction, the
 * DKIM work (signing outbound, verifying inbound), SPF, DMARC and its disposition (inbound), and the
 * verdict (header edits and one reply). The milter adapter and {@code postseal check} feed it.
 */
package org.postseal.pipeline;
