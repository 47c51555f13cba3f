package org.postseal.config;

/**
 * One thing wrong with a configuration file, printed as {@code FILE:LINE: KEY: what is wrong; what is allowed}.
 *
 * @param source  the file (or "(built-in default)")
 * @param line    1-based line of the key, 0 when unknown
 * @param key     the dotted key ("verify.max-signatures"), empty for a syntax error
 * @param problem what is wrong, naming the value
 * @param allowed what would be accepted, or how to fix it
 */
public record ConfigError(String source, int line, String key, String problem, String allowed) {

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder(source);
    if (line > 0) {
      out.append(':').append(line);
    }
    out.append(": ");
    if (!key.isEmpty()) {
      out.append(key).append(": ");
    }
    out.append(problem);
    if (!allowed.isEmpty()) {
      out.append("; ").append(allowed);
    }
    return out.toString();
  }
}
