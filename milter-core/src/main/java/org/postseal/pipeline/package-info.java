/**
 * What happens to one message, without a socket: connection and message state, the direction, the
 * DKIM work (signing outbound, verifying inbound), and the verdict (header edits and one reply). The
 * milter adapter feeds it and applies its verdicts.
 */
package org.postseal.pipeline;
