package org.postseal.spf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An SPF macro-string (RFC 7208 section 7): parsed once, checked, then expanded against one evaluation's
 * values. A string that does not parse carries its {@link #error()} instead of parts; callers turn that into
 * a permerror (record terms) or ignore it (explanation text, section 6.2).
 */
final class MacroString {

  /** Where a macro-string stands decides which letters and characters it may hold. */
  enum Syntax {
    /** domain-spec of a mechanism, redirect= or exp=: letters s l o d i p h v, no spaces. */
    DOMAIN_SPEC("slodiphv", false),
    /** The TXT record an exp= points at (explain-string): c r t too, and spaces. */
    EXPLANATION("slodiphvcrt", true),
    /** The value of a modifier we do not know: checked for syntax only, never expanded. */
    UNKNOWN_MODIFIER("slodiphvcrt", false);

    private final String letters;
    private final boolean allowsSpace;

    Syntax(String letters, boolean allowsSpace) {
      this.letters = letters;
      this.allowsSpace = allowsSpace;
    }
  }

  /** The values the letters expand to, for one check_host() call (RFC 7208 section 7.3). */
  record Values(String sender, String localPart, String senderDomain, String domain, byte[] ip, String helo,
                String validatedName, String receivingHost, long timestamp) {
  }

  private sealed interface Part permits Literal, Macro {
  }

  /** {@code escape} marks "%%", "%_" and "%-", which are macro-expands in the grammar (domain-end). */
  private record Literal(String text, boolean escape) implements Part {
  }

  private record Macro(char letter, boolean urlEscape, int rightParts, boolean reverse, String delimiters)
      implements Part {
  }

  /** toplabel of RFC 7208 section 7.1, matched against the whole last label. */
  private static final Pattern TOPLABEL =
      Pattern.compile("[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9]");
  private static final String DELIMITERS = ".-+,/_=";
  /** A transformer asks for at most this many parts; more than any name has (a name has at most 127 labels). */
  private static final int MAX_PARTS = 128;
  private static final String UNRESERVED_PUNCTUATION = "-._~";
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private final List<Part> parts;
  private final String error;

  private MacroString(List<Part> parts, String error) {
    this.parts = parts;
    this.error = error;
  }

  static MacroString parse(String text, Syntax syntax) {
    List<Part> parts = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c != '%') {
        boolean allowed = (c >= 0x21 && c <= 0x7E) || (c == ' ' && syntax.allowsSpace);
        if (!allowed) {
          return invalid(String.format("character 0x%02X is not allowed in \"%s\"", (int) c, text));
        }
        literal.append(c);
        i++;
        continue;
      }
      if (i + 1 >= text.length()) {
        return invalid("\"" + text + "\" ends with a lone '%'");
      }
      char next = text.charAt(i + 1);
      String escaped = switch (next) {
        case '%' -> "%";
        case '_' -> " ";
        case '-' -> "%20";
        default -> null;
      };
      flush(literal, parts);
      if (escaped != null) {
        parts.add(new Literal(escaped, true));
        i += 2;
        continue;
      }
      if (next != '{') {
        // section 7.1: '%' not followed by '{', '%', '-' or '_' is a syntax error
        return invalid("'%" + next + "' in \"" + text + "\" is not a macro (use %{...}, %%, %_ or %-)");
      }
      int close = text.indexOf('}', i + 2);
      if (close < 0) {
        return invalid("macro in \"" + text + "\" has no closing '}'");
      }
      Macro macro = macro(text.substring(i + 2, close), syntax);
      if (macro == null) {
        return invalid("\"%{" + text.substring(i + 2, close) + "}\" is not a valid macro here");
      }
      parts.add(macro);
      i = close + 1;
    }
    flush(literal, parts);
    return new MacroString(Collections.unmodifiableList(parts), null);
  }

  /** macro-letter transformers *delimiter (section 7.1); null when malformed or a letter not allowed here. */
  private static Macro macro(String body, Syntax syntax) {
    if (body.isEmpty()) {
      return null;
    }
    char letter = body.charAt(0);
    char lower = Character.toLowerCase(letter);
    if (letter > 0x7F || syntax.letters.indexOf(lower) < 0) {
      // c, r and t only in explanation text (section 7.3)
      return null;
    }
    int j = 1;
    int rightParts = 0;
    boolean hasDigits = false;
    while (j < body.length() && body.charAt(j) >= '0' && body.charAt(j) <= '9') {
      hasDigits = true;
      rightParts = Math.min(MAX_PARTS, rightParts * 10 + (body.charAt(j) - '0'));
      j++;
    }
    if (hasDigits && rightParts == 0) {
      // section 7.3: "If a DIGIT is specified, the value MUST be nonzero"
      return null;
    }
    boolean reverse = false;
    if (j < body.length() && (body.charAt(j) == 'r' || body.charAt(j) == 'R')) {
      reverse = true;
      j++;
    }
    String delimiters = body.substring(j);
    for (int k = 0; k < delimiters.length(); k++) {
      if (DELIMITERS.indexOf(delimiters.charAt(k)) < 0) {
        return null;
      }
    }
    return new Macro(lower, Character.isUpperCase(letter), rightParts, reverse, delimiters);
  }

  private static void flush(StringBuilder literal, List<Part> parts) {
    if (literal.length() > 0) {
      parts.add(new Literal(literal.toString(), false));
      literal.setLength(0);
    }
  }

  private static MacroString invalid(String error) {
    return new MacroString(List.of(), error);
  }

  /**
   * Why {@code text} is not a domain-spec (macro-string domain-end, section 7.1), or empty when it is one.
   * The check is on the unexpanded text: what a macro expands to is never checked (section 7.1 leaves it to
   * the DNS).
   */
  static Optional<String> domainSpecError(String text) {
    if (text.isEmpty()) {
      return Optional.of("empty domain-spec");
    }
    MacroString parsed = parse(text, Syntax.DOMAIN_SPEC);
    if (parsed.error != null) {
      return Optional.of(parsed.error);
    }
    // domain-end = ( "." toplabel [ "." ] ) / macro-expand
    StringBuilder tail = new StringBuilder();
    for (int k = parsed.parts.size() - 1; k >= 0; k--) {
      Part part = parsed.parts.get(k);
      if (part instanceof Literal l && !l.escape()) {
        tail.insert(0, l.text());
        continue;
      }
      if (k == parsed.parts.size() - 1) {
        return Optional.empty();
      }
      break;
    }
    String end = tail.toString();
    if (end.endsWith(".")) {
      end = end.substring(0, end.length() - 1);
    }
    int dot = end.lastIndexOf('.');
    if (dot < 0 || !TOPLABEL.matcher(end.substring(dot + 1)).matches()) {
      return Optional.of("\"" + text + "\" does not end in a macro or in '.' and a top-level label"
          + " (letters, digits and inner '-', not all digits)");
    }
    return Optional.empty();
  }

  /** Why this string did not parse, or empty when it did. */
  Optional<String> error() {
    return Optional.ofNullable(error);
  }

  /** True when expanding needs %{p}, the validated reverse name, which costs DNS lookups. */
  boolean usesValidatedName() {
    for (Part part : parts) {
      if (part instanceof Macro m && m.letter() == 'p') {
        return true;
      }
    }
    return false;
  }

  /** The expansion, cut at {@code maxLength} characters (section 7.3 then cuts a domain name to 253). */
  String expand(Values values, int maxLength) {
    if (error != null) {
      throw new IllegalStateException("expanding a macro-string that did not parse: " + error);
    }
    StringBuilder out = new StringBuilder();
    for (Part part : parts) {
      if (out.length() >= maxLength) {
        break;
      }
      if (part instanceof Literal l) {
        out.append(l.text());
        continue;
      }
      Macro m = (Macro) part;
      String value = transformed(valueOf(m.letter(), values), m);
      out.append(m.urlEscape() ? urlEscaped(value) : value);
    }
    return out.length() > maxLength ? out.substring(0, maxLength) : out.toString();
  }

  private static String valueOf(char letter, Values v) {
    return switch (letter) {
      case 's' -> v.sender();
      case 'l' -> v.localPart();
      case 'o' -> v.senderDomain();
      case 'd' -> v.domain();
      case 'i' -> dotFormat(v.ip());
      case 'p' -> v.validatedName();
      case 'v' -> v.ip().length == 4 ? "in-addr" : "ip6";
      case 'h' -> v.helo();
      case 'c' -> IpNetwork.text(v.ip());
      case 'r' -> v.receivingHost();
      case 't' -> Long.toString(v.timestamp());
      default -> throw new IllegalStateException("letter checked when parsing: " + letter);
    };
  }

  /**
   * Section 7.3: split on the delimiters ("." when none), reverse when asked, keep the right-most parts,
   * join with ".". Empty parts are kept, as a plain split gives them.
   */
  private static String transformed(String value, Macro m) {
    if (m.rightParts() == 0 && !m.reverse() && m.delimiters().isEmpty()) {
      return value;
    }
    String delimiters = m.delimiters().isEmpty() ? "." : m.delimiters();
    List<String> pieces = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < value.length(); i++) {
      if (delimiters.indexOf(value.charAt(i)) >= 0) {
        pieces.add(value.substring(start, i));
        start = i + 1;
      }
    }
    pieces.add(value.substring(start));
    if (m.reverse()) {
      Collections.reverse(pieces);
    }
    if (m.rightParts() > 0 && m.rightParts() < pieces.size()) {
      pieces = pieces.subList(pieces.size() - m.rightParts(), pieces.size());
    }
    return String.join(".", pieces);
  }

  /**
   * Section 7.3 "i": dotted decimal for IPv4; for IPv6 the 32 nibbles, dot-separated, in lower case as the
   * section 7.4 example writes them ("1.0.b.c.0.0...").
   */
  static String dotFormat(byte[] ip) {
    if (ip.length == 4) {
      return IpNetwork.text(ip);
    }
    StringBuilder out = new StringBuilder(63);
    for (byte b : ip) {
      if (out.length() > 0) {
        out.append('.');
      }
      out.append(Character.forDigit((b >> 4) & 0xF, 16)).append('.').append(Character.forDigit(b & 0xF, 16));
    }
    return out.toString();
  }

  /** Section 7.3: an upper-case letter's value is URL-escaped: every byte outside RFC 3986 "unreserved". */
  private static String urlEscaped(String value) {
    StringBuilder out = new StringBuilder(value.length());
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xFF);
      boolean unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || UNRESERVED_PUNCTUATION.indexOf(c) >= 0;
      if (unreserved) {
        out.append(c);
      } else {
        out.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
      }
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return error != null ? "MacroString[invalid: " + error + "]" : "MacroString" + parts;
  }
}
