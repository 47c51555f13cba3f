package org.postseal.mail;

import java.util.Objects;

/**
 * An SMTP reply of our own for a message we refuse: 4xx tells the sending server to retry later, 5xx rejects.
 * The mechanisms decide it as a value; the milter adapter sends it.
 *
 * @param code         three digits, 400..599
 * @param enhancedCode RFC 3463 status code whose class matches {@code code} ("5.7.1")
 * @param text         one line of human-readable text, which the sender sees in its bounce
 */
public record SmtpReply(int code, String enhancedCode, String text) {

  public SmtpReply {
    if (code < 400 || code > 599) {
      throw new IllegalArgumentException("reply code must be 400..599, was " + code);
    }
    Objects.requireNonNull(enhancedCode, "enhancedCode");
    Objects.requireNonNull(text, "text");
    if (!enhancedCode.matches("[45]\\.[0-9]{1,3}\\.[0-9]{1,3}") || enhancedCode.charAt(0) != Integer.toString(code).charAt(0)) {
      throw new IllegalArgumentException("enhanced code " + enhancedCode + " does not match reply code " + code);
    }
    if (text.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
      throw new IllegalArgumentException("reply text must be one line without control characters, was \"" + text + "\"");
    }
  }

  /** True for 4xx: the sender should retry later. */
  public boolean isTemporary() {
    return code < 500;
  }

  @Override
  public String toString() {
    return code + " " + enhancedCode + " " + text;
  }
}
