package org.postseal.spf;

/** The prefix of a directive (RFC 7208 section 4.6.2) and the result it gives when its mechanism matches. */
public enum SpfQualifier {
  PASS('+', SpfOutcome.PASS),
  FAIL('-', SpfOutcome.FAIL),
  SOFTFAIL('~', SpfOutcome.SOFTFAIL),
  NEUTRAL('?', SpfOutcome.NEUTRAL);

  private final char symbol;
  private final SpfOutcome outcome;

  SpfQualifier(char symbol, SpfOutcome outcome) {
    this.symbol = symbol;
    this.outcome = outcome;
  }

  public char symbol() {
    return symbol;
  }

  public SpfOutcome outcome() {
    return outcome;
  }

  /** The qualifier for a symbol; no symbol means "+" (RFC 7208 section 4.6.2). */
  static SpfQualifier of(String symbol) {
    if (symbol.isEmpty()) {
      return PASS;
    }
    for (SpfQualifier q : values()) {
      if (q.symbol == symbol.charAt(0)) {
        return q;
      }
    }
    throw new IllegalArgumentException("not an SPF qualifier: " + symbol);
  }

  /** "+" is written only when asked: it is the default. */
  String prefix() {
    return this == PASS ? "" : String.valueOf(symbol);
  }
}
