package org.postseal.dkim.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * docs/conventions.md item 7: the body hash does not depend on how the body is cut into chunks. The
 * body is built to put every awkward boundary somewhere (CR|LF split, WSP runs across chunks, runs of
 * empty lines, long lines, trailing empty lines) and is larger than the biggest chunk.
 */
class BodyHashTest {

  private static final int[] CHUNK_SIZES = {1, 2, 3, 7, 64, 1000, 4096, 65535, 65536};
  private static final long SEED = 6376L;

  private static byte[] awkwardBody() {
    Random random = new Random(SEED);
    String[] pieces = {"word", " ", "   ", "\t", " \t\t ", "\r\n", "\r\n\r\n\r\n", "x", "ünïcödé", ".", "\r\n  \r\n"};
    StringBuilder body = new StringBuilder();
    while (body.length() < 150_000) {
      body.append(pieces[random.nextInt(pieces.length)]);
      if (random.nextInt(500) == 0) {
        body.append("y".repeat(5000));
      }
    }
    body.append("  \r\n\r\n \r\n\r\n");
    return body.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static BodyHash.Value hashInChunks(Canonicalization c, long limit, byte[] body, List<Integer> sizes) {
    BodyHash hash = BodyHash.start(c, "SHA-256", limit);
    int pos = 0;
    int i = 0;
    while (pos < body.length) {
      int size = Math.min(sizes.get(i++ % sizes.size()), body.length - pos);
      // a chunk inside a larger array, as milter buffers are: offsets must be honoured
      byte[] buffer = new byte[size + 10];
      System.arraycopy(body, pos, buffer, 5, size);
      hash.update(buffer, 5, size);
      pos += size;
    }
    return hash.finish();
  }

  @ParameterizedTest
  @EnumSource(Canonicalization.class)
  void everyChunkSizeGivesTheWholeBodyHash(Canonicalization c) {
    byte[] body = awkwardBody();
    BodyHash.Value whole = hashInChunks(c, -1, body, List.of(body.length));
    for (int size : CHUNK_SIZES) {
      BodyHash.Value chunked = hashInChunks(c, -1, body, List.of(size));
      assertThat(chunked.digest()).as("chunk size %d", size).isEqualTo(whole.digest());
      assertThat(chunked.canonicalLength()).isEqualTo(whole.canonicalLength());
    }
  }

  @ParameterizedTest
  @EnumSource(Canonicalization.class)
  void randomSplitsGiveTheWholeBodyHash(Canonicalization c) {
    byte[] body = awkwardBody();
    BodyHash.Value whole = hashInChunks(c, -1, body, List.of(body.length));
    Random random = new Random(SEED);
    for (int run = 0; run < 30; run++) {
      List<Integer> sizes = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        // mostly small, sometimes up to 64 KiB
        sizes.add(random.nextInt(4) == 0 ? 1 + random.nextInt(65536) : 1 + random.nextInt(16));
      }
      assertThat(hashInChunks(c, -1, body, sizes).digest()).as("split %s", sizes).isEqualTo(whole.digest());
    }
  }

  @ParameterizedTest
  @EnumSource(Canonicalization.class)
  void limitedHashDoesNotDependOnChunksEither(Canonicalization c) {
    byte[] body = awkwardBody();
    for (long limit : new long[] {0, 1, 4095, 4096, 100_000}) {
      BodyHash.Value whole = hashInChunks(c, limit, body, List.of(body.length));
      for (int size : CHUNK_SIZES) {
        assertThat(hashInChunks(c, limit, body, List.of(size)).digest())
            .as("l=%d, chunk size %d", limit, size).isEqualTo(whole.digest());
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Canonicalization.class)
  void limitCoveringTheWholeBodyEqualsNoLimit(Canonicalization c) {
    byte[] body = awkwardBody();
    BodyHash.Value unlimited = hashInChunks(c, -1, body, List.of(4096));
    BodyHash.Value limited = hashInChunks(c, unlimited.canonicalLength(), body, List.of(4096));
    assertThat(limited.digest()).isEqualTo(unlimited.digest());
    assertThat(limited.canonicalLength()).isEqualTo(unlimited.canonicalLength());
  }

  @ParameterizedTest
  @EnumSource(Canonicalization.class)
  void jdkimAgreesOnTheAwkwardBody(Canonicalization c) throws Exception {
    byte[] body = awkwardBody();
    byte[] reference = JdkimCanonicalization.body(c == Canonicalization.RELAXED, body);
    BodyHash.Value ours = hashInChunks(c, -1, body, List.of(7));
    assertThat(ours.digest()).isEqualTo(java.security.MessageDigest.getInstance("SHA-256").digest(reference));
    assertThat(ours.canonicalLength()).isEqualTo(reference.length);
  }
}
