package org.postseal.config;

import java.util.List;

/** The outcome of loading a configuration: a valid configuration or every error found in it. */
public sealed interface ConfigResult {

  /** Where the configuration came from: a file path or "(built-in default)". */
  String source();

  /** Every key validated. */
  record Valid(PostsealConfig config, String source) implements ConfigResult {
  }

  /** At least one error; {@code errors} lists all of them in file order. */
  record Invalid(List<ConfigError> errors, String source) implements ConfigResult {
    public Invalid {
      errors = List.copyOf(errors);
    }
  }
}
