package org.postseal.pipeline;

import java.util.Locale;

/** Which way a message travels: decided once per message, at MAIL FROM. */
public enum Direction {
  /** From outside: verified, gets our Authentication-Results, never signed. */
  INBOUND,
  /** From an internal network or an authenticated client: signed when its From: domain has a key. */
  OUTBOUND;

  public String logName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
