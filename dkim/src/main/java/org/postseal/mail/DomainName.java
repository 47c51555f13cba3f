package org.postseal.mail;

import java.net.IDN;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A domain name in the one form Postseal compares, stores, looks up and writes: lower case, A-labels
 * (RFC 5890), no trailing dot. Two names are equal when they name the same node, so {@code "Example.COM."},
 * {@code "example.com"} and {@code "EXAMPLE.com"} are one value, as are {@code "bücher.example"} and
 * {@code "xn--bcher-kva.example"}. Immutable and thread-safe.
 *
 * <p>There is one syntax: dot-separated labels of 1 to 63 octets, at most 253 octets in all (RFC 1035 section
 * 2.3.4, without the final dot), each label letters, digits and '-' not at either end (RFC 1123 section 2.1,
 * RFC 5321 section 4.1.2). A place that must also take '_' says so by asking for
 * {@link Syntax#WITH_UNDERSCORE}. A single label is a valid name: a caller that needs a registered domain
 * (DMARC, SPF, keygen) checks {@link #labels()} itself.
 *
 * <p>Text that is not a domain name is a value too ({@link Invalid}), never an exception: it comes from
 * mail, DNS and command lines.
 */
public final class DomainName {

  /** RFC 1035 section 2.3.4: 255 octets on the wire are 253 characters written without the final dot. */
  public static final int MAX_LENGTH = 253;
  /** RFC 1035 section 2.3.4. */
  public static final int MAX_LABEL_LENGTH = 63;

  /** Which characters a label may hold besides letters, digits and inner '-'. */
  public enum Syntax {
    /**
     * Host names (RFC 1123 section 2.1, RFC 5321 section 4.1.2 "Domain"): mail domains, From domains, DKIM
     * signing domains and selectors we create, configured domains. The default.
     */
    HOST_NAME,
    /**
     * Host-name labels in which '_' may also stand anywhere: DNS owner names that are not host names (RFC 8552
     * underscored names such as {@code _dmarc}, {@code _domainkey}, {@code _spf.example.net}), names SPF's
     * check_host() is given (RFC 7208 section 4.3 refuses only names the DNS cannot carry), selectors and key
     * directories placed by hand, and values another system wrote (an existing DKIM-Signature's d= and s=).
     */
    WITH_UNDERSCORE;

    /**
     * True when {@code text} is already written as a name of this syntax: ASCII labels, no trailing dot and
     * no surrounding space; only case may differ from {@link DomainName#value()}. For checks of text that is
     * copied, not normalised: a header value written unquoted, a file name.
     */
    public boolean matches(String text) {
      return parse(text, this) instanceof Valid valid && valid.domain().value.equalsIgnoreCase(text);
    }
  }

  /** The outcome of {@link #parse(String, Syntax)}. */
  public sealed interface Parse permits Valid, Invalid {

    /** The name, or empty when the text is not one. */
    Optional<DomainName> toOptional();
  }

  /** The text is a domain name. */
  public record Valid(DomainName domain) implements Parse {

    @Override
    public Optional<DomainName> toOptional() {
      return Optional.of(domain);
    }
  }

  /**
   * The text is not a domain name.
   *
   * @param text    the text as given
   * @param problem why not, a phrase to follow the quoted text: {@code "has an empty label"}
   */
  public record Invalid(String text, String problem) implements Parse {

    @Override
    public Optional<DomainName> toOptional() {
      return Optional.empty();
    }

    /** The text quoted, then the problem: {@code "a..example" has an empty label}. */
    public String describe() {
      return "\"" + text + "\" " + problem;
    }
  }

  private final String value;

  private DomainName(String value) {
    this.value = value;
  }

  /** {@code text} as a host name ({@link Syntax#HOST_NAME}), or empty when it is not one. */
  public static Optional<DomainName> parse(String text) {
    return parse(text, Syntax.HOST_NAME).toOptional();
  }

  /**
   * Reads {@code text} as a domain name of the given syntax. Surrounding white space and one trailing dot are
   * dropped, letters are lower-cased, and a name with non-ASCII characters is converted to A-labels with
   * {@link IDN#toASCII(String, int)} (allowing unassigned code points, as mail from newer systems may use
   * them); the result must then have the syntax. Never throws.
   */
  public static Parse parse(String text, Syntax syntax) {
    Objects.requireNonNull(syntax, "syntax");
    if (text == null) {
      return new Invalid("", "is empty");
    }
    String name = text.strip();
    if (name.isEmpty()) {
      return new Invalid(text, "is empty");
    }
    if (name.charAt(0) == '[') {
      return new Invalid(text, "is an address literal, not a domain");
    }
    if (!isAscii(name)) {
      try {
        name = IDN.toASCII(name, IDN.ALLOW_UNASSIGNED);
      } catch (IllegalArgumentException e) {
        // RFC 3490 refuses it (a prohibited code point, mixed directions, a label too long when encoded)
        return new Invalid(text, "is not a valid internationalized domain name (IDNA refuses it)");
      }
    }
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    name = name.toLowerCase(Locale.ROOT);
    if (name.isEmpty()) {
      return new Invalid(text, "is empty");
    }
    if (name.length() > MAX_LENGTH) {
      return new Invalid(text, "has " + name.length() + " characters, at most " + MAX_LENGTH + " allowed");
    }
    int start = 0;
    while (start <= name.length()) {
      int dot = name.indexOf('.', start);
      int end = dot < 0 ? name.length() : dot;
      String problem = labelProblem(name, start, end, syntax);
      if (problem != null) {
        return new Invalid(text, problem);
      }
      start = end + 1;
    }
    return new Valid(new DomainName(name));
  }

  private static String labelProblem(String name, int start, int end, Syntax syntax) {
    int length = end - start;
    if (length == 0) {
      return "has an empty label (two dots in a row, or a leading dot)";
    }
    String label = name.substring(start, end);
    if (length > MAX_LABEL_LENGTH) {
      return "has a label \"" + label + "\" of " + length + " characters, at most " + MAX_LABEL_LENGTH + " allowed";
    }
    for (int i = start; i < end; i++) {
      char c = name.charAt(i);
      boolean allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
          || (c == '_' && syntax == Syntax.WITH_UNDERSCORE);
      if (!allowed) {
        return "has a label \"" + label + "\" with other characters than letters, digits"
            + (syntax == Syntax.WITH_UNDERSCORE ? ", '-' and '_'" : " and '-'");
      }
    }
    if (name.charAt(start) == '-' || name.charAt(end - 1) == '-') {
      return "has a label \"" + label + "\" that starts or ends with '-' (a label must not start or end with '-')";
    }
    return null;
  }

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) > 0x7F) {
        return false;
      }
    }
    return true;
  }

  /** The name: lower case, A-labels, no trailing dot. */
  public String value() {
    return value;
  }

  /** The labels from left to right: {@code [mail, example, com]}. */
  public List<String> labels() {
    return List.of(value.split("\\.", -1));
  }

  /**
   * True when this name is {@code other} or below it: {@code mail.example.com} is a subdomain of
   * {@code example.com} and of itself, {@code badexample.com} is not.
   */
  public boolean isSubdomainOf(DomainName other) {
    return value.equals(other.value)
        || (value.length() > other.value.length() && value.endsWith(other.value)
            && value.charAt(value.length() - other.value.length() - 1) == '.');
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DomainName other && value.equals(other.value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  /** The same as {@link #value()}. */
  @Override
  public String toString() {
    return value;
  }
}
