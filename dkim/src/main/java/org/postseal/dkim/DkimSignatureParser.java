package org.postseal.dkim;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.OptionalLong;
import org.postseal.dkim.internal.Canonicalization;
import org.postseal.dkim.internal.TagList;
import org.postseal.mail.DomainName;
import org.postseal.mail.HeaderField;

/**
 * DKIM-Signature field text to {@link DkimSignature} (RFC 6376 section 3.5), or a permerror result whose
 * cause names the problem. Only syntax and self-consistency are checked here; time, policy and keys are the
 * verifier's business. Stateless.
 */
final class DkimSignatureParser {

  /** The outcome of parsing one field. */
  sealed interface Parse {
  }

  record Parsed(DkimSignature signature) implements Parse {
  }

  /** The field cannot be verified; {@code result} says why and carries whatever tags could be read. */
  record Unusable(DkimResult result) implements Parse {
  }

  private static final String[] REQUIRED_TAGS = {"v", "a", "b", "bh", "d", "h", "s"};

  private DkimSignatureParser() {
  }

  static Parse parse(HeaderField field) {
    TagList tags = TagList.parse(field.value());
    if (!tags.isValid()) {
      return permerror(lenientResult(field.value()), DkimCause.SIGNATURE_SYNTAX, tags.error().orElse(""));
    }
    // the tags a result can carry; each permerror below sets its own cause
    DkimResult partial = new DkimResult(DkimCause.SIGNATURE_SYNTAX, "", tags.value("d"), tags.value("s"),
        tags.value("a"), withoutWhiteSpace(tags.value("b")), identityForResult(tags.value("i")));
    for (String tag : REQUIRED_TAGS) {
      if (!tags.has(tag)) {
        return permerror(partial, DkimCause.MISSING_TAG, tag + "=");
      }
    }
    if (!"1".equals(tags.value("v"))) {
      return permerror(partial, DkimCause.UNSUPPORTED_VERSION, "v=" + tags.value("v"));
    }
    String algorithmTag = tags.value("a");
    SignatureAlgorithm algorithm = SignatureAlgorithm.fromTagValue(algorithmTag).orElse(null);
    if (algorithm == null) {
      return permerror(partial, DkimCause.UNSUPPORTED_ALGORITHM, "a=" + algorithmTag);
    }

    String c = tags.has("c") ? tags.value("c") : "simple/simple";
    int slash = c.indexOf('/');
    String headerC = slash < 0 ? c : c.substring(0, slash);
    String bodyC = slash < 0 ? "simple" : c.substring(slash + 1);
    Canonicalization headerCanonicalization = Canonicalization.fromTagValue(headerC).orElse(null);
    Canonicalization bodyCanonicalization = Canonicalization.fromTagValue(bodyC).orElse(null);
    if (headerCanonicalization == null || bodyCanonicalization == null) {
      return permerror(partial, DkimCause.UNSUPPORTED_CANONICALIZATION, "c=" + c);
    }

    String domain = tags.value("d");
    if (!isDomainName(domain)) {
      return permerror(partial, DkimCause.MALFORMED_TAG, "d=" + domain + " is not a domain name");
    }
    String selector = tags.value("s");
    if (!isDomainName(selector)) {
      return permerror(partial, DkimCause.MALFORMED_TAG, "s=" + selector + " is not a valid selector");
    }

    List<String> signedHeaders = splitHeaderList(tags.value("h"));
    if (signedHeaders == null) {
      return permerror(partial, DkimCause.MALFORMED_TAG, "h= is not a list of header names: " + tags.value("h"));
    }
    if (signedHeaders.stream().noneMatch(name -> name.equalsIgnoreCase("from"))) {
      return permerror(partial, DkimCause.FROM_NOT_SIGNED, "h=" + tags.value("h"));
    }

    byte[] bodyHash = decodeBase64(tags.value("bh"));
    if (bodyHash == null || bodyHash.length == 0) {
      return permerror(partial, DkimCause.MALFORMED_TAG, "bh= is not valid base64");
    }
    String signatureText = withoutWhiteSpace(tags.value("b"));
    byte[] signatureBytes = decodeBase64(signatureText);
    if (signatureBytes == null || signatureBytes.length == 0) {
      return permerror(partial, DkimCause.MALFORMED_TAG,
          signatureText.isEmpty() ? "b= is empty" : "b= is not valid base64");
    }

    String identity = "";
    if (tags.has("i")) {
      identity = TagList.decodeQuotedPrintable(tags.value("i")).orElse(null);
      if (identity == null || identity.indexOf('@') < 0) {
        return permerror(partial, DkimCause.MALFORMED_TAG,
            "i=" + tags.value("i") + " is not an identity (local@domain)");
      }
      String identityDomain = identity.substring(identity.lastIndexOf('@') + 1);
      DomainName d = DomainName.parse(domain, DomainName.Syntax.WITH_UNDERSCORE).toOptional().orElseThrow();
      boolean inDomain = DomainName.parse(identityDomain, DomainName.Syntax.WITH_UNDERSCORE).toOptional()
          .filter(i -> i.isSubdomainOf(d)).isPresent();
      if (!inDomain) {
        return permerror(partial, DkimCause.IDENTITY_OUTSIDE_DOMAIN,
            "i= domain " + identityDomain + ", d=" + domain);
      }
    }

    long bodyLength = -1;
    if (tags.has("l")) {
      String l = tags.value("l");
      if (!isDigits(l, 76)) {
        return permerror(partial, DkimCause.MALFORMED_TAG, "l=" + l + " is not a decimal number");
      }
      // up to 76 digits are legal; anything beyond a long is longer than any body we will see
      bodyLength = l.length() > 18 ? Long.MAX_VALUE : Long.parseLong(l);
    }

    if (tags.has("q") && !hasDnsTxtMethod(tags.value("q"))) {
      return permerror(partial, DkimCause.UNSUPPORTED_QUERY_METHOD, "q=" + tags.value("q"));
    }

    OptionalLong timestamp = OptionalLong.empty();
    if (tags.has("t")) {
      if (!isDigits(tags.value("t"), 12)) {
        return permerror(partial, DkimCause.MALFORMED_TAG, "t=" + tags.value("t") + " is not a timestamp");
      }
      timestamp = OptionalLong.of(Long.parseLong(tags.value("t")));
    }
    OptionalLong expiration = OptionalLong.empty();
    if (tags.has("x")) {
      if (!isDigits(tags.value("x"), 12)) {
        return permerror(partial, DkimCause.MALFORMED_TAG, "x=" + tags.value("x") + " is not a timestamp");
      }
      expiration = OptionalLong.of(Long.parseLong(tags.value("x")));
      // section 3.5: "the value of the x= tag MUST be greater than the value of the t= tag"
      if (timestamp.isPresent() && expiration.getAsLong() <= timestamp.getAsLong()) {
        String when = expiration.getAsLong() == timestamp.getAsLong() ? " is not after t=" : " is before t=";
        return permerror(partial, DkimCause.MALFORMED_TAG, "x=" + tags.value("x") + when + tags.value("t"));
      }
    }

    return new Parsed(new DkimSignature(field, algorithmTag, algorithm, headerCanonicalization,
        bodyCanonicalization, domain, selector, signedHeaders, bodyHash, signatureBytes, signatureText,
        identity, bodyLength, timestamp, expiration));
  }

  /**
   * The field value with the b= value deleted, white space around it included, everything else byte
   * for byte (RFC 6376 section 3.7). Tags are split on ';', which no tag value may contain.
   */
  static String withoutSignatureData(String value) {
    int start = 0;
    while (start <= value.length()) {
      int end = value.indexOf(';', start);
      if (end < 0) {
        end = value.length();
      }
      int equals = value.indexOf('=', start);
      if (equals >= 0 && equals < end && "b".equals(value.substring(start, equals).strip())) {
        return value.substring(0, equals + 1) + value.substring(end);
      }
      start = end + 1;
    }
    return value;
  }

  private static Unusable permerror(DkimResult partial, DkimCause cause, String detail) {
    return new Unusable(new DkimResult(cause, detail, partial.domain(), partial.selector(),
        partial.algorithm(), partial.signature(), partial.identity()));
  }

  /** Best-effort d=, s=, a=, b=, i= from text that is not a valid tag-list, for the result's properties. */
  private static DkimResult lenientResult(String value) {
    String d = null;
    String s = null;
    String a = null;
    String b = null;
    String i = null;
    for (String part : value.split(";")) {
      int equals = part.indexOf('=');
      if (equals < 0) {
        continue;
      }
      String tag = part.substring(0, equals).strip();
      String tagValue = part.substring(equals + 1).strip();
      switch (tag) {
        case "d" -> d = d == null ? tagValue : d;
        case "s" -> s = s == null ? tagValue : s;
        case "a" -> a = a == null ? tagValue : a;
        case "b" -> b = b == null ? withoutWhiteSpace(tagValue) : b;
        case "i" -> i = i == null ? identityForResult(tagValue) : i;
        default -> { }
      }
    }
    return new DkimResult(DkimCause.SIGNATURE_SYNTAX, "", d, s, a, b, i);
  }

  private static String identityForResult(String i) {
    return i == null ? null : TagList.decodeQuotedPrintable(i).orElse(i);
  }

  /** h= names split at ':', folding white space dropped; null when a name is empty or not a field name. */
  private static List<String> splitHeaderList(String h) {
    List<String> names = new ArrayList<>();
    for (String raw : h.split(":", -1)) {
      String name = withoutWhiteSpace(raw);
      if (name.isEmpty()) {
        return null;
      }
      for (int k = 0; k < name.length(); k++) {
        char ch = name.charAt(k);
        // RFC 5322 ftext: printable US-ASCII except ":"
        if (ch < 33 || ch > 126) {
          return null;
        }
      }
      names.add(name);
    }
    return List.copyOf(names);
  }

  private static boolean hasDnsTxtMethod(String q) {
    for (String method : q.split(":")) {
      if (withoutWhiteSpace(method).equalsIgnoreCase("dns/txt")) {
        return true;
      }
    }
    return false;
  }

  static String withoutWhiteSpace(String s) {
    if (s == null) {
      return null;
    }
    StringBuilder out = new StringBuilder(s.length());
    for (int k = 0; k < s.length(); k++) {
      char ch = s.charAt(k);
      if (ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n') {
        out.append(ch);
      }
    }
    return out.toString();
  }

  /** Base64 with folding white space allowed anywhere (RFC 6376 section 3.5, b= and bh=); null if invalid. */
  static byte[] decodeBase64(String s) {
    try {
      return Base64.getDecoder().decode(withoutWhiteSpace(s));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static boolean isDigits(String s, int maxDigits) {
    if (s.isEmpty() || s.length() > maxDigits) {
      return false;
    }
    for (int k = 0; k < s.length(); k++) {
      if (s.charAt(k) < '0' || s.charAt(k) > '9') {
        return false;
      }
    }
    return true;
  }

  /**
   * A d= or s= value we are willing to look up: a domain name as written, '_' tolerated since signers use it in
   * selectors (RFC 6376 section 3.1 asks for host-name labels; verifiers accept more).
   */
  static boolean isDomainName(String name) {
    return DomainName.Syntax.WITH_UNDERSCORE.matches(name);
  }
}
