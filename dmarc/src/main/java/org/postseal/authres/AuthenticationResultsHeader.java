package org.postseal.authres;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.postseal.dkim.DkimResult;
import org.postseal.dmarc.DmarcDisposition;
import org.postseal.dmarc.DmarcOutcome;
import org.postseal.dmarc.DmarcRecord;
import org.postseal.dmarc.DmarcResult;
import org.postseal.mail.DomainName;
import org.postseal.mail.HeaderField;
import org.postseal.spf.SpfResult;

/**
 * Writes the Authentication-Results header field (RFC 8601); the only code that does. Also recognises the
 * fields that claim our authserv-id, so forged ones can be removed before ours is added (RFC 8601 section 5).
 *
 * <p>Layout: the value starts with a space, then {@code authserv-id;} and each resinfo on its own line,
 * folded with CRLF TAB and separated by ";" ({@code authserv-id; none} when there is none):
 * <pre>
 * Authentication-Results: mx.example.org;
 * 	dkim=pass header.d=example.com header.s=sel header.a=rsa-sha256 header.b="dGhpcyBp";
 * 	spf=pass smtp.mailfrom=alice@example.com;
 * 	dmarc=pass (p=reject sp=none dis=none) header.from=example.com policy.dmarc=reject
 * </pre>
 * Much of what goes in comes from the message, so everything is made inert: control characters (CR and
 * LF could start a header field of their own) become spaces, property values that are not an RFC 8601
 * value token or address are quoted with '"' and '\' escaped, comments have '(', ')' and '\' escaped, and
 * over-long comments and values are cut so that no line passes the 998-octet limit of RFC 5322 section 2.1.1.
 */
public final class AuthenticationResultsHeader {

  /** The header field name. */
  public static final String NAME = "Authentication-Results";
  /** RFC 6008 section 4: header.b carries at least this many characters of the signature. */
  public static final int HEADER_B_MIN_LENGTH = 8;

  static final int MAX_COMMENT_LENGTH = 256;
  static final int MAX_VALUE_LENGTH = 512;
  private static final int MAX_LINE_LENGTH = 998;
  private static final String FOLD = "\r\n\t";
  /** method and result names: RFC 8601 section 2.2 Keyword (RFC 5321 Ldh-str), plus '_' seen in the registry. */
  private static final Pattern KEYWORD = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?");
  /**
   * ptype "." property, e.g. "smtp.mailfrom", "header.d", "policy.dmarc" (RFC 8601 section 2.2), and the
   * dotted properties in use beside them, such as "policy.dmarc.domain".
   */
  private static final Pattern PROPERTY_NAME = Pattern.compile("[A-Za-z0-9-]+(?:\\.[A-Za-z0-9_-]+)+");
  /** RFC 5322 atext, for the local-part of an unquoted address value. */
  private static final String ATEXT_SPECIALS = "!#$%&'*+-/=?^_`{|}~";
  /** RFC 2045 tspecials: not allowed in a token. */
  private static final String TSPECIALS = "()<>@,;:\\\"/[]?=";

  private AuthenticationResultsHeader() {
  }

  /** One property of a resinfo: {@code name} is "ptype.property" ("smtp.mailfrom"), {@code value} any text. */
  public record Property(String name, String value) {
    public Property {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      if (!PROPERTY_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("A-R property name must be ptype.property (e.g. smtp.mailfrom), was \""
            + name + "\"");
      }
    }
  }

  /** @param authservId our identity (config {@code authserv-id}), written as the field's first element */
  public static Builder builder(String authservId) {
    return new Builder(authservId);
  }

  /** Collects resinfos in the order added; build it once per message. Not thread-safe. */
  public static final class Builder {

    private final String authservId;
    private final List<String> resinfos = new ArrayList<>();

    private Builder(String authservId) {
      Objects.requireNonNull(authservId, "authservId");
      if (inert(authservId).isBlank()) {
        throw new IllegalArgumentException("authserv-id must not be empty");
      }
      this.authservId = authservId;
    }

    /**
     * One {@code dkim=} resinfo per result, in the given order, its cause and detail as the comment
     * ({@link DkimResult#reason()}: "body hash did not verify"); {@code dkim=none} when the list is empty
     * (no signature). Pass every signature of the message in one call: header.b is the shortest prefix
     * (at least {@value AuthenticationResultsHeader#HEADER_B_MIN_LENGTH} characters) that tells the signatures apart (RFC 6008 section 4).
     */
    public Builder dkim(List<DkimResult> results) {
      Objects.requireNonNull(results, "results");
      if (results.isEmpty()) {
        return method("dkim", "none", "", List.of());
      }
      List<String> signatures = new ArrayList<>();
      for (DkimResult r : results) {
        signatures.add(withoutWhiteSpace(r.signature()));
      }
      for (int i = 0; i < results.size(); i++) {
        DkimResult r = results.get(i);
        List<String> properties = new ArrayList<>();
        addIfPresent(properties, "header.d", r.domain());
        addIfPresent(properties, "header.s", r.selector());
        addIfPresent(properties, "header.a", r.algorithm());
        String signature = signatures.get(i);
        if (!signature.isEmpty()) {
          // always quoted: base64 has '/', '+' and '=', which a token may not contain
          properties.add("header.b=" + quoted(signaturePrefix(signature, signatures)));
        }
        resinfos.add(resinfo("dkim", r.outcome().keyword(), r.reason(), properties));
      }
      return this;
    }

    /**
     * The {@code spf=} resinfo (RFC 8601 section 2.7.2): {@code spf=pass smtp.mailfrom=example.com}, or
     * {@code smtp.helo=} when the null sender made the HELO name the identity. Results other than pass carry
     * their cause and detail as a comment ({@link SpfResult#reason()}).
     */
    public Builder spf(SpfResult result) {
      Objects.requireNonNull(result, "result");
      return method("spf", result.outcome().keyword(), result.isPass() ? "" : result.reason(),
          List.of(new Property(result.identity().property(), result.domain())));
    }

    /**
     * The {@code dmarc=} resinfo (RFC 9989 section 9.1): with a policy record,
     * {@code dmarc=fail (p=reject sp=none dis=reject) header.from=example.com policy.dmarc=reject}, where the
     * comment repeats the published p= and sp= (sp= defaulting to p=) and what was done, in the form common
     * parsers read, and {@code policy.dmarc.domain=} is added when the record was found on a parent of the
     * From domain. Without a record the comment is the reason.
     */
    public Builder dmarc(DmarcResult result, DmarcDisposition disposition) {
      Objects.requireNonNull(result, "result");
      Objects.requireNonNull(disposition, "disposition");
      List<Property> properties = new ArrayList<>();
      if (!result.headerFrom().isEmpty()) {
        properties.add(new Property("header.from", result.headerFrom()));
      }
      boolean judged = result.outcome() == DmarcOutcome.PASS || result.outcome() == DmarcOutcome.FAIL;
      if (!judged || result.record().isEmpty()) {
        return method("dmarc", result.outcome().keyword(), result.reason(), properties);
      }
      DmarcRecord record = result.record().get();
      String comment = "p=" + record.policy().keyword() + " sp=" + record.subdomainPolicyOrDefault().keyword()
          + " dis=" + disposition.keyword();
      result.appliedPolicy().ifPresent(policy -> properties.add(new Property("policy.dmarc", policy.keyword())));
      if (result.isPolicyFromParent()) {
        properties.add(new Property("policy.dmarc.domain", result.policyDomain()));
      }
      return method("dmarc", result.outcome().keyword(), comment, properties);
    }

    /**
     * A resinfo for any method: {@code method=result (comment) ptype.property=value ...}.
     *
     * @param method     registered method name ("spf", "dmarc", "iprev")
     * @param result     its result keyword ("pass", "fail", "temperror")
     * @param comment    free text, may come from the message; null or empty for none
     * @param properties in the order to write them
     * @throws IllegalArgumentException when method or result is not a keyword (a programming error)
     */
    public Builder method(String method, String result, String comment, List<Property> properties) {
      requireKeyword("method", method);
      requireKeyword("result", result);
      Objects.requireNonNull(properties, "properties");
      List<String> written = new ArrayList<>();
      for (Property p : properties) {
        written.add(p.name() + "=" + value(p.value()));
      }
      resinfos.add(resinfo(method, result, comment, written));
      return this;
    }

    public HeaderField build() {
      StringBuilder out = new StringBuilder(128).append(' ').append(value(authservId)).append(';');
      if (resinfos.isEmpty()) {
        // RFC 8601 section 2.2 no-result
        return new HeaderField(NAME, out.append(" none").toString());
      }
      for (int i = 0; i < resinfos.size(); i++) {
        out.append(FOLD).append(resinfos.get(i));
        if (i < resinfos.size() - 1) {
          out.append(';');
        }
      }
      return new HeaderField(NAME, out.toString());
    }

    private static void addIfPresent(List<String> properties, String name, String value) {
      if (!value.isEmpty()) {
        properties.add(name + "=" + value(value));
      }
    }

    private static void requireKeyword(String what, String keyword) {
      Objects.requireNonNull(keyword, what);
      if (!KEYWORD.matcher(keyword).matches()) {
        throw new IllegalArgumentException("A-R " + what + " must be a keyword (letters, digits, '-'), was \""
            + keyword + "\"");
      }
    }
  }

  /**
   * {@code method=result}, the comment and the properties on one line; should the line pass 998 octets,
   * it is folded before the element that would cross it (CFWS may sit between any two, RFC 8601 section 2.2).
   */
  private static String resinfo(String method, String result, String comment, List<String> properties) {
    List<String> elements = new ArrayList<>();
    elements.add(method.toLowerCase(Locale.ROOT) + "=" + result.toLowerCase(Locale.ROOT));
    if (comment != null && !inert(comment).isBlank()) {
      elements.add(comment(comment));
    }
    elements.addAll(properties);
    StringBuilder out = new StringBuilder();
    int lineLength = 1; // the TAB of the fold that starts the resinfo
    for (String element : elements) {
      if (out.length() > 0) {
        if (lineLength + 1 + element.length() + 1 > MAX_LINE_LENGTH) {
          out.append(FOLD);
          lineLength = 1;
        } else {
          out.append(' ');
          lineLength++;
        }
      }
      out.append(element);
      lineLength += element.length();
    }
    return out.toString();
  }

  /**
   * RFC 6008 section 4: the first characters of b=, at least {@value #HEADER_B_MIN_LENGTH}, and as many
   * more as needed to differ from every other signature of the message.
   */
  static String signaturePrefix(String signature, List<String> allSignatures) {
    int length = HEADER_B_MIN_LENGTH;
    for (String other : allSignatures) {
      if (other.equals(signature)) {
        continue;
      }
      int common = 0;
      int max = Math.min(signature.length(), other.length());
      while (common < max && signature.charAt(common) == other.charAt(common)) {
        common++;
      }
      length = Math.max(length, common + 1);
    }
    return signature.substring(0, Math.min(length, signature.length()));
  }

  private static String withoutWhiteSpace(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** A property value: as is when it is a token or an address/domain (RFC 8601 pvalue), else quoted. */
  static String value(String raw) {
    String v = cut(inert(raw), MAX_VALUE_LENGTH);
    if (isToken(v) || isAddressOrDomain(v)) {
      return v;
    }
    return quoted(v);
  }

  /** RFC 5322 quoted-string with '"' and '\' as quoted-pairs. */
  static String quoted(String raw) {
    String v = cut(inert(raw), MAX_VALUE_LENGTH);
    StringBuilder out = new StringBuilder(v.length() + 2).append('"');
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\');
      }
      out.append(c);
    }
    return out.append('"').toString();
  }

  /** RFC 5322 comment with '(', ')' and '\' as quoted-pairs, so no text can close it or nest another. */
  static String comment(String raw) {
    String v = cut(inert(raw).strip(), MAX_COMMENT_LENGTH);
    StringBuilder out = new StringBuilder(v.length() + 2).append('(');
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '(' || c == ')' || c == '\\') {
        out.append('\\');
      }
      out.append(c);
    }
    return out.append(')').toString();
  }

  /** Each run of control characters (CR, LF, TAB, NUL, DEL, ...) becomes one space. */
  static String inert(String raw) {
    StringBuilder out = new StringBuilder(raw.length());
    boolean inRun = false;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      boolean control = c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || c == '\u2028' || c == '\u2029';
      if (control) {
        if (!inRun) {
          out.append(' ');
        }
        inRun = true;
      } else {
        out.append(c);
        inRun = false;
      }
    }
    return out.toString();
  }

  private static String cut(String v, int max) {
    if (v.length() <= max) {
      return v;
    }
    int end = max - 3;
    if (Character.isHighSurrogate(v.charAt(end - 1))) {
      end--;
    }
    return v.substring(0, end) + "...";
  }

  /** RFC 2045 token: one or more US-ASCII printable characters, no space, no tspecial. */
  static boolean isToken(String v) {
    if (v.isEmpty()) {
      return false;
    }
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c <= 0x20 || c >= 0x7F || TSPECIALS.indexOf(c) >= 0) {
        return false;
      }
    }
    return true;
  }

  /** RFC 8601 pvalue's other forms: {@code [[local-part] "@"] domain-name}, local-part a dot-atom. */
  static boolean isAddressOrDomain(String v) {
    int at = v.lastIndexOf('@');
    String local = at < 0 ? "" : v.substring(0, at);
    String domain = at < 0 ? v : v.substring(at + 1);
    if (!local.isEmpty() && !isDotAtom(local)) {
      return false;
    }
    return isDomainName(domain);
  }

  private static boolean isDotAtom(String s) {
    if (s.startsWith(".") || s.endsWith(".") || s.contains("..")) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean atext = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || ATEXT_SPECIALS.indexOf(c) >= 0;
      if (!atext && c != '.') {
        return false;
      }
    }
    return true;
  }

  /** A domain name as written: labels of letters, digits, '-' and '_' (as in _dmarc), no trailing dot. */
  private static boolean isDomainName(String s) {
    return DomainName.Syntax.WITH_UNDERSCORE.matches(s);
  }

  /**
   * The authserv-id of an existing Authentication-Results value: the first token or quoted-string after
   * any white space, folds and comments. Lenient on purpose, since this finds forgeries: what follows
   * (a version number as in "example.com 1;", ";", "none" without ";", or garbage) is not checked.
   *
   * @return empty when the value has no authserv-id at all
   */
  public static Optional<String> authservIdOf(String headerValue) {
    Objects.requireNonNull(headerValue, "headerValue");
    int i = skipCfws(headerValue, 0);
    if (i >= headerValue.length()) {
      return Optional.empty();
    }
    if (headerValue.charAt(i) == '"') {
      StringBuilder id = new StringBuilder();
      for (i++; i < headerValue.length(); i++) {
        char c = headerValue.charAt(i);
        if (c == '\\' && i + 1 < headerValue.length()) {
          id.append(headerValue.charAt(++i));
        } else if (c == '"') {
          break;
        } else if (c != '\r' && c != '\n') {
          id.append(c);
        }
      }
      String unquoted = id.toString().strip();
      return unquoted.isEmpty() ? Optional.empty() : Optional.of(unquoted);
    }
    int start = i;
    while (i < headerValue.length()) {
      char c = headerValue.charAt(i);
      if (c <= 0x20 || c == 0x7F || TSPECIALS.indexOf(c) >= 0) {
        break;
      }
      i++;
    }
    return i == start ? Optional.empty() : Optional.of(headerValue.substring(start, i));
  }

  /**
   * True when the value's authserv-id is {@code authservId}: compared case-insensitively and without a
   * trailing dot, since a receiver would read "MX.Example.ORG." as the same host. milter-core removes such
   * fields from inbound mail: only we may speak for our authserv-id (RFC 8601 section 5).
   */
  public static boolean claims(String headerValue, String authservId) {
    Objects.requireNonNull(authservId, "authservId");
    return authservIdOf(headerValue).filter(id -> isSameId(id, authservId)).isPresent();
  }

  /** As host names when both are domain names, else as text ignoring case. */
  private static boolean isSameId(String a, String b) {
    Optional<DomainName> x = DomainName.parse(a, DomainName.Syntax.WITH_UNDERSCORE).toOptional();
    Optional<DomainName> y = DomainName.parse(b, DomainName.Syntax.WITH_UNDERSCORE).toOptional();
    return x.isPresent() && y.isPresent() ? x.equals(y) : a.strip().equalsIgnoreCase(b.strip());
  }

  /** Skips white space, folds and (nested) comments; returns the index of the first other character. */
  private static int skipCfws(String s, int from) {
    int i = from;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        i++;
      } else if (c == '(') {
        int depth = 0;
        while (i < s.length()) {
          char d = s.charAt(i);
          if (d == '\\') {
            i += 2;
            continue;
          }
          if (d == '(') {
            depth++;
          } else if (d == ')') {
            depth--;
          }
          i++;
          if (depth == 0) {
            break;
          }
        }
      } else {
        break;
      }
    }
    return i;
  }
}
