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
    // Canonicalized as UTF-8 bytes: SP, HT, CR and LF never occur inside a multi-byte sequence, so the
    // rules below see the same characters as on the String, and encoding first is one fast copy.
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    byte[] valueBytes = value.getBytes(StandardCharsets.UTF_8);
    int nameEnd = nameBytes.length;
    // "Delete any WSP characters remaining before ... the colon" (RFC 6376 section 3.4.2)
    while (nameEnd > 0 && isWsp(nameBytes[nameEnd - 1])) {
      nameEnd--;
    }
    int valueLength = compactRelaxedValue(valueBytes);
    byte[] out = new byte[nameEnd + 1 + valueLength];
    for (int i = 0; i < nameEnd; i++) {
      byte c = nameBytes[i];
      // ASCII only: header names are printable US-ASCII (RFC 5322 section 2.2); never locale-dependent
      out[i] = c >= 'A' && c <= 'Z' ? (byte) (c + ('a' - 'A')) : c;
    }
    out[nameEnd] = ':';
    System.arraycopy(valueBytes, 0, out, nameEnd + 1, valueLength);
    return out;
  }

  public byte[] canonicalizeHeader(HeaderField field) {
    return canonicalizeHeader(field.name(), field.value());
  }

  /** A streaming body canonicalizer feeding {@code digest}; see {@link BodyHash}. */
  BodyFilter newBodyFilter(CanonicalBodyDigest digest) {
    return this == SIMPLE ? new SimpleBodyFilter(digest) : new RelaxedBodyFilter(digest);
  }

  /**
   * Rewrites {@code value} in place (writes never overtake reads) to its relaxed form and returns the
   * new length: CR and LF go wherever they are (unfolding: the CRLF of a fold goes, the WSP after it
   * stays), WSP runs become one SP, WSP at the start and the end goes.
   */
  private static int compactRelaxedValue(byte[] value) {
    int length = 0;
    boolean pendingWsp = false;
    for (byte c : value) {
      if (c == '\r' || c == '\n') {
        continue;
      }
      if (isWsp(c)) {
        pendingWsp = true;
        continue;
      }
      if (pendingWsp && length > 0) {
        value[length++] = ' ';
      }
      pendingWsp = false;
      value[length++] = c;
    }
    return length;
  }

  private static boolean isWsp(byte c) {
    return c == ' ' || c == '\t';
  }
}
