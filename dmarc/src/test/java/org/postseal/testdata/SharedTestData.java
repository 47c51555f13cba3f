package org.postseal.testdata;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The public test vectors under {@code shared/testdata} (see its README.md): found from the module directory
 * (where surefire runs) or from the repository root. A missing file fails the test that needs it.
 */
public final class SharedTestData {

  private static final Path[] ROOTS = {Path.of("../../shared/testdata"), Path.of("../shared/testdata")};

  private SharedTestData() {
  }

  public static Path path(String relative) {
    for (Path root : ROOTS) {
      Path candidate = root.resolve(relative);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("test data " + relative + " not found under ../../shared/testdata or"
        + " ../shared/testdata (working directory " + Path.of("").toAbsolutePath() + ")");
  }
}
