package org.postseal.keys;

import java.util.Objects;

/**
 * Why a key operation did nothing. A value, not an exception: bad input and a store that forbids the change
 * are normal outcomes of a command. The message names the thing, what is wrong and the fix.
 */
public record KeyRefusal(Kind kind, String message)
    implements KeygenResult, ActivationResult, KeyCheckResult, KeyUpdateResult {

  /** The classes of refusal, each with its exit code. */
  public enum Kind {
    /** Bad input: invalid domain or selector, unknown algorithm, a choice the command needs. Exit 2. */
    USAGE(2),
    /** The store's state forbids it: the selector exists, a key is already pending, nothing to activate. Exit 1. */
    CONFLICT(1),
    /** The keys directory or a file in it cannot be read or written. Exit 1. */
    IO(1);

    private final int exitCode;

    Kind(int exitCode) {
      this.exitCode = exitCode;
    }

    public int exitCode() {
      return exitCode;
    }
  }

  public KeyRefusal {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(message, "message");
  }

  static KeyRefusal usage(String message) {
    return new KeyRefusal(Kind.USAGE, message);
  }

  static KeyRefusal conflict(String message) {
    return new KeyRefusal(Kind.CONFLICT, message);
  }

  static KeyRefusal io(String message) {
    return new KeyRefusal(Kind.IO, message);
  }

  @Override
  public int exitCode() {
    return kind.exitCode();
  }

  @Override
  public String text() {
    return message + "\n";
  }
}
