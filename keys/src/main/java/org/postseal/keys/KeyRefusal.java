package org.postseal.keys;

import java.util.Objects;

/**
 * Why a key operation did nothing. A value, not an exception: bad input and a store that forbids the change
 * are normal outcomes of a command. The message names the thing, what is wrong and the fix.
 */
public record KeyRefusal(Kind kind, String message)
    implements KeygenResult, ActivationResult, KeyCheckResult, KeyUpdateResult {

  /** The classes of refusal; the command line exits 2 for {@link #USAGE}, else 1. */
  public enum Kind {
    /** Bad input: invalid domain or selector, unknown algorithm, a choice the command needs. */
    USAGE,
    /** The store's state forbids it: the selector exists, a key is already pending, nothing to activate. */
    CONFLICT,
    /** The keys directory or a file in it cannot be read or written. */
    IO
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
}
