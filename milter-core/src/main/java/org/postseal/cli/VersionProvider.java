package org.postseal.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/** {@code postseal --version}: the Maven project version, written into version.properties at build time. */
public final class VersionProvider implements CommandLine.IVersionProvider {

  /** Used only when the resource is missing (classes run outside a Maven build). */
  static final String FALLBACK_VERSION = "0.1.0-SNAPSHOT";

  @Override
  public String[] getVersion() {
    return new String[] {"postseal " + version()};
  }

  public static String version() {
    try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String v = p.getProperty("version", "");
        if (!v.isBlank() && !v.startsWith("${")) {
          return v;
        }
      }
    } catch (IOException e) {
      // fall through to the manifest and the fallback
    }
    String fromManifest = VersionProvider.class.getPackage().getImplementationVersion();
    return fromManifest != null ? fromManifest : FALLBACK_VERSION;
  }
}
