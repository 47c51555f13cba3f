package org.postseal.dkim.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The digest buffers short pieces and passes long runs straight through: whatever the mix, the bytes
 * digested are the bytes written, in order, cut at the l= limit, and the length counts all of them.
 */
class CanonicalBodyDigestTest {

  private static final long SEED = 6376_3_5L;

  /** Writes a random mix of single bytes, short and long runs (around DIRECT_MIN) and CRLF runs. */
  private static byte[] writeRandomly(CanonicalBodyDigest digest, Random random) {
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    for (int n = 0; n < 60; n++) {
      switch (random.nextInt(4)) {
        case 0 -> {
          byte b = (byte) random.nextInt(256);
          digest.write(b);
          written.write(b);
        }
        case 1 -> {
          int len = random.nextInt(3) == 0 ? random.nextInt(20_000) : CanonicalBodyDigest.DIRECT_MIN - 2 + random.nextInt(4);
          byte[] run = new byte[len + 8];
          random.nextBytes(run);
          digest.write(run, 4, len);
          written.write(run, 4, len);
          // the caller may reuse its array at once
          Arrays.fill(run, (byte) 0);
        }
        case 2 -> {
          int count = random.nextInt(3) == 0 ? random.nextInt(10_000) : random.nextInt(3);
          digest.writeCrlf(count);
          for (int i = 0; i < count; i++) {
            written.write('\r');
            written.write('\n');
          }
        }
        default -> {
          byte[] run = new byte[1 + random.nextInt(40)];
          random.nextBytes(run);
          digest.write(run, 0, run.length);
          written.writeBytes(run);
        }
      }
    }
    return written.toByteArray();
  }

  private static byte[] sha256(byte[] data, int len) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    sha.update(data, 0, len);
    return sha.digest();
  }

  @Test
  void anyMixOfWritesDigestsTheBytesWritten() throws Exception {
    Random random = new Random(SEED);
    for (int run = 0; run < 50; run++) {
      CanonicalBodyDigest digest = new CanonicalBodyDigest(MessageDigest.getInstance("SHA-256"), -1);
      byte[] written = writeRandomly(digest, random);
      assertThat(digest.length()).isEqualTo(written.length);
      assertThat(digest.digest()).isEqualTo(sha256(written, written.length));
    }
  }

  @Test
  void limitCutsTheDigestButNotTheLength() throws Exception {
    Random random = new Random(SEED);
    for (int run = 0; run < 50; run++) {
      long seed = random.nextLong();
      int total = writeRandomly(new CanonicalBodyDigest(MessageDigest.getInstance("SHA-256"), -1), new Random(seed)).length;
      // limits at and around the edges, and random ones inside
      long[] limits = {0, 1, total - 1L, total, total + 1L, random.nextInt(total + 1), random.nextInt(total + 1)};
      for (long limit : limits) {
        if (limit < 0) {
          continue;
        }
        CanonicalBodyDigest digest = new CanonicalBodyDigest(MessageDigest.getInstance("SHA-256"), limit);
        byte[] written = writeRandomly(digest, new Random(seed));
        assertThat(digest.length()).isEqualTo(written.length);
        assertThat(digest.digest()).as("l=%d of %d", limit, written.length)
            .isEqualTo(sha256(written, (int) Math.min(limit, written.length)));
      }
    }
  }

  @Test
  void relaxedBodyWithLimitAtEveryOffsetDigestsThatPrefix() throws Exception {
    byte[] body = "a  b\t\r\n\r\n c \r\nlonger line with words in it\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] canonical = RelaxedBodyFilterTest.reference(body);
    for (int limit = 0; limit <= canonical.length + 1; limit++) {
      for (int cut = 0; cut <= body.length; cut += 5) {
        BodyHash hash = BodyHash.start(Canonicalization.RELAXED, "SHA-256", limit);
        hash.update(body, 0, cut);
        hash.update(body, cut, body.length - cut);
        BodyHash.Value value = hash.finish();
        assertThat(value.canonicalLength()).isEqualTo(canonical.length);
        assertThat(value.digest()).as("l=%d, cut at %d", limit, cut).isEqualTo(sha256(canonical, Math.min(limit, canonical.length)));
      }
    }
  }
}
