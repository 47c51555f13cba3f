package org.postseal.dkim;

/**
 * Receives the message body chunk by chunk, in order, exactly as the MTA sends it (CRLF line ends).
 * The body is hashed as it arrives and never held whole.
 */
public interface BodySink {

  void body(byte[] chunk, int offset, int length);

  default void body(byte[] chunk) {
    body(chunk, 0, chunk.length);
  }
}
