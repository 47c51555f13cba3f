package org.postseal.dkim.internal;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.postseal.mail.HeaderField;

/**
 * The two canonicalization algorithms of RFC 6376 section 3.4, for header fields and for the body.
 *
 * <p>Our own code rather than jDKIM's: jDKIM lower-cases with the default locale and encodes with the
 * platform charset (a Turkish locale breaks "I"), canonicalizes an empty relaxed body to CRLF instead of
 * the empty string (RFC 6376 section 3.4.4), and writes single bytes through a stack of streams. The
 * tests compare both on generated input (CanonicalizationTest). Header values are encoded as UTF-8,
 * the charset jmilter decodes them with, so the bytes hashed are the bytes received.
 */
public enum Canonicalization {
  SIMPLE("simple"),
  RELAXED("relaxed");

  private final String tagValue;

  Canonicalization(String tagValue) {
    this.tagValue = tagValue;
  }

  /** The name used in the c= tag. */
  public String tagValue() {
    return tagValue;
  }

  /** Case-sensitive, as RFC 6376 section 3.2 says tag values are. */
  public static Optional<Canonicalization> fromTagValue(String value) {
    for (Canonicalization c : values()) {
      if (c.tagValue.equals(value)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  /**
   * The canonical form of one header field, without the terminating CRLF (callers add it for signed
   * fields, and leave it off for the DKIM-Signature field itself, RFC 6376 section 3.7).
   */
  public byte[] canonicalizeHeader(String name, String value) {
    if (this == SIMPLE) {
      return (name + ":" + value).getBytes(StandardCharsets.UTF_8);
    }
    StringBuilder out = new StringBuilder(name.length() + value.length() + 1);
    appendLowerCaseName(out, name);
    out.append(':');
    appendRelaxedValue(out, value);
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  public byte[] canonicalizeHeader(HeaderField field) {
    return canonicalizeHeader(field.name(), field.value());
  }

  /** A streaming body canonicalizer feeding {@code digest}; see {@link BodyHash}. */
  BodyFilter newBodyFilter(CanonicalBodyDigest digest) {
    return this == SIMPLE ? new SimpleBodyFilter(digest) : new RelaxedBodyFilter(digest);
  }

  private static void appendLowerCaseName(StringBuilder out, String name) {
    int end = name.length();
    // "Delete any WSP characters remaining before ... the colon" (RFC 6376 section 3.4.2)
    while (end > 0 && isWsp(name.charAt(end - 1))) {
      end--;
    }
    for (int i = 0; i < end; i++) {
      char c = name.charAt(i);
      // ASCII only: header names are printable US-ASCII (RFC 5322 section 2.2); never locale-dependent
      out.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
    }
  }

  private static void appendRelaxedValue(StringBuilder out, String value) {
    boolean pendingWsp = false;
    boolean started = false;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\r' || c == '\n') {
        // unfold: the CRLF of a fold goes, the WSP after it stays (and is compressed below)
        continue;
      }
      if (isWsp(c)) {
        pendingWsp = true;
        continue;
      }
      if (pendingWsp && started) {
        out.append(' ');
      }
      pendingWsp = false;
      started = true;
      out.append(c);
    }
  }

  private static boolean isWsp(char c) {
    return c == ' ' || c == '\t';
  }
}
