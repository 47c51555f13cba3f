package org.postseal.testdata;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The public test suites copied into test resources, one folder each with its SOURCE.txt and licence beside
 * the data (dkim-rfc-vectors here; the SPF, DMARC and ARC suites in dmarc). Read from the classpath, so the
 * modules above dkim read its folders through its test-jar. A missing resource throws, naming it: a suite
 * whose data is gone fails instead of running fewer tests.
 */
public final class TestData {

  private TestData() {
  }

  /** The bytes of {@code resource}, a classpath path such as {@code "dkim-rfc-vectors/rfc8463-appendix-a/dns.txt"}. */
  public static byte[] bytes(String resource) {
    try (InputStream in = open(resource)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read test resource " + resource, e);
    }
  }

  public static String text(String resource) {
    return new String(bytes(resource), StandardCharsets.UTF_8);
  }

  /** The lines of {@code resource} without their line ends, as {@code Files.readAllLines} returns them. */
  public static List<String> lines(String resource) {
    return text(resource).lines().toList();
  }

  public static BufferedReader reader(String resource) {
    return new BufferedReader(new InputStreamReader(open(resource), StandardCharsets.UTF_8));
  }

  private static InputStream open(String resource) {
    InputStream in = TestData.class.getClassLoader().getResourceAsStream(resource);
    if (in == null) {
      throw new IllegalStateException("test resource " + resource + " is not on the classpath (the test data"
          + " lives in src/test/resources of dkim or dmarc; dkim's reach the other modules through its test-jar)");
    }
    return in;
  }
}
