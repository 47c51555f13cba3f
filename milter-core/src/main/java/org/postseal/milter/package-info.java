/**
 * The milter protocol adapter: the only package that imports jmilter (and Netty). It owns the server
 * socket, turns callbacks into {@link org.postseal.pipeline.MessagePipeline} calls, and applies the
 * verdicts as header edits and one final reply.
 */
package org.postseal.milter;
