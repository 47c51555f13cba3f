package org.postseal.spf;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an SPF record (RFC 7208 sections 4.5-4.6, 5, 6 and 7.1). The whole record is checked before anything
 * is evaluated, so a syntax error anywhere is a permerror even behind a matching "all" (section 4.6). The
 * outcome is a value: {@link Valid} or {@link Invalid} with the reason. Stateless and thread-safe.
 */
final class SpfRecordParser {

  /** What {@link #parse} concluded. */
  public sealed interface Parsed permits Valid, Invalid {
  }

  /** The record is valid SPF. */
  public record Valid(SpfRecord record) implements Parsed {
    public Valid {
      Objects.requireNonNull(record, "record");
    }
  }

  /** The record is not valid SPF: check_host() returns permerror with this reason. */
  public record Invalid(String reason) implements Parsed {
    public Invalid {
      Objects.requireNonNull(reason, "reason");
    }
  }

  private static final String VERSION = "v=spf1";
  /** name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) "=" (section 6 and Appendix A). */
  private static final Pattern MODIFIER = Pattern.compile("([A-Za-z][A-Za-z0-9_.-]*)=(.*)");
  private static final Pattern DIRECTIVE = Pattern.compile("([+~?-]?)([A-Za-z][A-Za-z0-9]*)(.*)");
  /**
   * [ ":" domain-spec ] [ dual-cidr-length ] of a and mx: ip4-cidr-length = "/" ("0" / %x31-39 0*1DIGIT),
   * ip6-cidr-length = "/" ("0" / %x31-39 0*2DIGIT); the ranges (32, 128) are checked after.
   */
  private static final Pattern DUAL_CIDR =
      Pattern.compile("(.*?)(?:/(0|[1-9][0-9]?))?(?://(0|[1-9][0-9]{0,2}))?");
  private static final Pattern IP4_ARGUMENT = Pattern.compile(":([0-9.]+)(?:/(0|[1-9][0-9]?))?");
  private static final Pattern IP6_ARGUMENT = Pattern.compile(":([0-9A-Fa-f:.]+)(?:/(0|[1-9][0-9]{0,2}))?");

  private SpfRecordParser() {
  }

  /**
   * True when a TXT record is an SPF record: it starts with "v=spf1" (any case) followed by a space or the
   * end (section 4.5). Other TXT records at the same name are none of SPF's business.
   */
  public static boolean isSpfRecord(String txt) {
    Objects.requireNonNull(txt, "txt");
    return txt.regionMatches(true, 0, VERSION, 0, VERSION.length())
        && (txt.length() == VERSION.length() || txt.charAt(VERSION.length()) == ' ');
  }

  public static Parsed parse(String text) {
    Objects.requireNonNull(text, "text");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c > 0x7E) {
        // section 3.1: records are 7-bit ASCII; section 4.6.1: terms are separated by spaces only
        return new Invalid(String.format("character 0x%02X at position %d is not printable US-ASCII", (int) c, i));
      }
    }
    if (!isSpfRecord(text)) {
      return new Invalid("record does not start with \"v=spf1\"");
    }
    List<SpfMechanism> mechanisms = new ArrayList<>();
    String redirect = null;
    String explanation = null;
    List<String> unknownModifiers = new ArrayList<>();
    for (String term : text.substring(VERSION.length()).split(" ")) {
      if (term.isEmpty()) {
        // terms = *( 1*SP ( directive / modifier ) ), record = version terms *SP
        continue;
      }
      Matcher modifier = MODIFIER.matcher(term);
      if (modifier.matches()) {
        String name = modifier.group(1).toLowerCase(Locale.ROOT);
        String value = modifier.group(2);
        if (name.equals("redirect") || name.equals("exp")) {
          // section 6: each at most once; their value is a domain-spec, not any macro-string
          if ((name.equals("redirect") ? redirect : explanation) != null) {
            return new Invalid("\"" + name + "=\" appears more than once");
          }
          Optional<String> error = MacroString.domainSpecError(value);
          if (error.isPresent()) {
            return new Invalid("\"" + term + "\": " + error.get());
          }
          if (name.equals("redirect")) {
            redirect = value;
          } else {
            explanation = value;
          }
          continue;
        }
        Optional<String> error = MacroString.parse(value, MacroString.Syntax.UNKNOWN_MODIFIER).error();
        if (error.isPresent()) {
          // Appendix A: unknown-modifier = name "=" macro-string; its value must still parse
          return new Invalid("\"" + term + "\": " + error.get());
        }
        unknownModifiers.add(term);
        continue;
      }
      Matcher directive = DIRECTIVE.matcher(term);
      if (!directive.matches()) {
        return new Invalid("\"" + term + "\" is neither a mechanism nor a modifier");
      }
      SpfQualifier qualifier = SpfQualifier.of(directive.group(1));
      String name = directive.group(2).toLowerCase(Locale.ROOT);
      String argument = directive.group(3);
      Term parsed = mechanism(qualifier, name, argument);
      if (parsed.error() != null) {
        return new Invalid("\"" + term + "\": " + parsed.error());
      }
      mechanisms.add(parsed.mechanism());
    }
    return new Valid(new SpfRecord(mechanisms, Optional.ofNullable(redirect), Optional.ofNullable(explanation),
        unknownModifiers));
  }

  /** One directive read: the mechanism, or why the text is not one. */
  private record Term(SpfMechanism mechanism, String error) {
    static Term of(SpfMechanism mechanism) {
      return new Term(mechanism, null);
    }

    static Term invalid(String error) {
      return new Term(null, error);
    }
  }

  private static Term mechanism(SpfQualifier qualifier, String name, String argument) {
    switch (name) {
      case "all":
        return argument.isEmpty() ? Term.of(new SpfMechanism.All(qualifier))
            : Term.invalid("\"all\" takes no argument");
      case "include":
      case "exists": {
        if (!argument.startsWith(":")) {
          return Term.invalid("\"" + name + "\" needs \":domain\"");
        }
        String spec = argument.substring(1);
        Optional<String> error = MacroString.domainSpecError(spec);
        if (error.isPresent()) {
          return Term.invalid(error.get());
        }
        return Term.of(name.equals("include") ? new SpfMechanism.Include(qualifier, spec)
            : new SpfMechanism.Exists(qualifier, spec));
      }
      case "ptr": {
        if (argument.isEmpty()) {
          return Term.of(new SpfMechanism.Ptr(qualifier, ""));
        }
        if (!argument.startsWith(":")) {
          return Term.invalid("\"ptr\" takes only \":domain\"");
        }
        Optional<String> error = MacroString.domainSpecError(argument.substring(1));
        return error.isPresent() ? Term.invalid(error.get())
            : Term.of(new SpfMechanism.Ptr(qualifier, argument.substring(1)));
      }
      case "a":
      case "mx":
        return addressMechanism(qualifier, name, argument);
      case "ip4": {
        Matcher m = IP4_ARGUMENT.matcher(argument);
        if (!m.matches()) {
          return Term.invalid("\"ip4\" needs \":a.b.c.d\" and an optional \"/length\"");
        }
        Optional<byte[]> address = IpNetwork.parseIpv4(m.group(1));
        if (address.isEmpty()) {
          return Term.invalid("\"" + m.group(1)
              + "\" is not an IPv4 address (four decimal octets, no leading zeros)");
        }
        int prefix = m.group(2) == null ? 32 : Integer.parseInt(m.group(2));
        if (prefix > 32) {
          return Term.invalid("IPv4 prefix length " + prefix + " is more than 32");
        }
        return Term.of(new SpfMechanism.Ip4(qualifier, IpNetwork.of(address.get(), prefix)));
      }
      case "ip6": {
        Matcher m = IP6_ARGUMENT.matcher(argument);
        if (!m.matches()) {
          return Term.invalid("\"ip6\" needs \":address\" and an optional \"/length\"");
        }
        Optional<byte[]> address = IpNetwork.parseIpv6(m.group(1));
        if (address.isEmpty()) {
          return Term.invalid("\"" + m.group(1) + "\" is not an IPv6 address");
        }
        int prefix = m.group(2) == null ? 128 : Integer.parseInt(m.group(2));
        if (prefix > 128) {
          return Term.invalid("IPv6 prefix length " + prefix + " is more than 128");
        }
        return Term.of(new SpfMechanism.Ip6(qualifier, IpNetwork.of(address.get(), prefix)));
      }
      default:
        return Term.invalid("unknown mechanism \"" + name + "\"");
    }
  }

  /** a and mx: [ ":" domain-spec ] [ ip4-cidr-length ] [ "//" ip6-cidr-length ] (sections 5.3, 5.4). */
  private static Term addressMechanism(SpfQualifier qualifier, String name, String argument) {
    Matcher m = DUAL_CIDR.matcher(argument);
    if (!m.matches()) {
      return Term.invalid("\"" + name + "\" has a malformed argument");
    }
    String target = m.group(1);
    String spec = "";
    if (!target.isEmpty()) {
      if (!target.startsWith(":")) {
        return Term.invalid("\"" + name + "\" takes \":domain\", \"/ip4-length\" and \"//ip6-length\" only");
      }
      spec = target.substring(1);
      Optional<String> error = MacroString.domainSpecError(spec);
      if (error.isPresent()) {
        return Term.invalid(error.get());
      }
    }
    int ip4 = m.group(2) == null ? SpfMechanism.FULL_IPV4 : Integer.parseInt(m.group(2));
    int ip6 = m.group(3) == null ? SpfMechanism.FULL_IPV6 : Integer.parseInt(m.group(3));
    if (ip4 > 32) {
      return Term.invalid("IPv4 prefix length " + ip4 + " is more than 32");
    }
    if (ip6 > 128) {
      return Term.invalid("IPv6 prefix length " + ip6 + " is more than 128");
    }
    return Term.of(name.equals("a") ? new SpfMechanism.A(qualifier, spec, ip4, ip6)
        : new SpfMechanism.Mx(qualifier, spec, ip4, ip6));
  }
}
