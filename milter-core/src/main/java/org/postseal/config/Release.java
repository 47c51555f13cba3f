package org.postseal.config;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version of this build: what {@code postseal --version} prints, and the release that configuration
 * errors name when a key's feature is not built ("not in postseal 0.1.0").
 */
public final class Release {

  /** Used only when the resource is missing (classes run outside a Maven build). */
  static final String FALLBACK_VERSION = "0.1.0-SNAPSHOT";

  private Release() {
  }

  /** The Maven project version, written into version.properties at build time. */
  public static String version() {
    try (InputStream in = Release.class.getResourceAsStream("version.properties")) {
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
    String fromManifest = Release.class.getPackage().getImplementationVersion();
    return fromManifest != null ? fromManifest : FALLBACK_VERSION;
  }
}
