package org.postseal.dkim.internal;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;

/**
 * A "digest" that keeps every byte it is fed, so that body filter tests compare the canonical bytes
 * themselves rather than hashes; also counts update calls.
 */
final class RecordingDigest extends MessageDigest {

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  RecordingDigest() {
    super("recording");
  }

  /**
   * The canonical form of {@code body} when it arrives in chunks cut at {@code cuts} (ascending; equal
   * cuts give empty chunks). Each chunk is copied into a larger array at an offset and the array is
   * scribbled over after the write, as a milter reuses its buffer.
   */
  static byte[] canonicalBody(Canonicalization c, byte[] body, int... cuts) {
    RecordingDigest recording = new RecordingDigest();
    CanonicalBodyDigest digest = new CanonicalBodyDigest(recording, -1);
    BodyFilter filter = c.newBodyFilter(digest);
    int from = 0;
    for (int i = 0; i <= cuts.length; i++) {
      int to = i < cuts.length ? cuts[i] : body.length;
      byte[] buffer = new byte[to - from + 6];
      System.arraycopy(body, from, buffer, 3, to - from);
      filter.write(buffer, 3, to - from);
      java.util.Arrays.fill(buffer, (byte) 'Z');
      from = to;
    }
    filter.close();
    digest.digest();
    byte[] out = recording.bytes.toByteArray();
    if (digest.length() != out.length) {
      throw new AssertionError("length " + digest.length() + " but " + out.length + " bytes digested");
    }
    return out;
  }

  @Override
  protected void engineUpdate(byte input) {
    bytes.write(input);
  }

  @Override
  protected void engineUpdate(byte[] input, int offset, int len) {
    bytes.write(input, offset, len);
  }

  @Override
  protected byte[] engineDigest() {
    return bytes.toByteArray();
  }

  @Override
  protected void engineReset() {
    bytes.reset();
  }
}
