package org.postseal.mail;

import java.util.Locale;
import java.util.Objects;

/**
 * One header field exactly as written in the message: {@code name} without the colon, {@code value}
 * everything after the colon (including any leading white space), with folds as CRLF.
 *
 * <p>DKIM hashes these bytes, so nothing may be trimmed or re-folded. Values handed over by the
 * milter protocol arrive with bare LF folds ("folded header values arrive with LF only",
 * docs/library-notes.md): {@link #fromMilter} restores CRLF. A name written with white space before the colon
 * ({@code "From :"}, RFC 5322 section 4.5) is kept without it, as the MTA hands it over ({@link RawMessage}).
 */
public record HeaderField(String name, String value) {

  public HeaderField {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
  }

  /** A field as received through the milter protocol: bare LF folds become CRLF. */
  public static HeaderField fromMilter(String name, String value) {
    return new HeaderField(name, toCrlf(value));
  }

  /** The field as it appears in the message, without the terminating CRLF. */
  public String raw() {
    return name + ":" + value;
  }

  /** True when this field has the given name (header names are case-insensitive, RFC 5322 section 1.2.2). */
  public boolean hasName(String other) {
    return name.equalsIgnoreCase(other);
  }

  public String lowerCaseName() {
    return name.toLowerCase(Locale.ROOT);
  }

  static String toCrlf(String value) {
    if (value.indexOf('\n') < 0) {
      return value;
    }
    StringBuilder out = new StringBuilder(value.length() + 8);
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\n' && (i == 0 || value.charAt(i - 1) != '\r')) {
        out.append('\r');
      }
      out.append(c);
    }
    return out.toString();
  }
}
