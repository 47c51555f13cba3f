package org.postseal.cli;

import org.postseal.config.Release;
import picocli.CommandLine;

/** {@code postseal --version}: the Maven project version ({@link Release}). */
public final class VersionProvider implements CommandLine.IVersionProvider {

  @Override
  public String[] getVersion() {
    return new String[] {"postseal " + version()};
  }

  public static String version() {
    return Release.version();
  }
}
