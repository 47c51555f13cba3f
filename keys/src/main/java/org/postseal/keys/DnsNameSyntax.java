package org.postseal.keys;

import java.net.IDN;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The syntax of the names keygen accepts: signing domains (host names of LDH labels, RFC 1035 section 2.3.1,
 * RFC 5321 section 4.1.2) and selectors (RFC 6376 section 3.1). Stricter than what {@link KeyDirectory} reads
 * (which allows '_' and upper case, as hand-placed files may have them): what we create must work everywhere.
 * Each check returns null or a sentence naming the value, the rule and an example.
 */
final class DnsNameSyntax {

  static final int MAX_NAME_LENGTH = 253;
  static final int MAX_LABEL_LENGTH = 63;
  static final String DOMAINKEY = "_domainkey";

  /** Let-dig [Ldh-str] (RFC 5321 section 4.1.2), lower case: names are normalized before the check. */
  private static final Pattern LDH_LABEL = Pattern.compile("[a-z0-9](?:[a-z0-9-]*[a-z0-9])?");
  private static final Pattern DIGITS = Pattern.compile("[0-9]+");

  private DnsNameSyntax() {
  }

  /** Lower case, no surrounding blanks, no trailing dot: the form keys are stored and looked up under. */
  static String normalize(String name) {
    String n = name.strip().toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }

  /** Null when {@code domain} (normalized) can sign mail, else why not and what to give instead. */
  static String domainProblem(String domain) {
    String example = "; give the domain of the From: addresses to sign, e.g. example.com";
    if (domain.isEmpty()) {
      return "a domain is required" + example;
    }
    if (!domain.chars().allMatch(c -> c < 0x80)) {
      String aLabel = toAscii(domain);
      return "invalid domain \"" + domain + "\": DNS names are ASCII; use the A-label form"
          + (aLabel == null ? " (xn--...)" : " " + aLabel);
    }
    if (domain.length() > MAX_NAME_LENGTH) {
      return "invalid domain \"" + domain + "\": " + domain.length() + " characters, at most " + MAX_NAME_LENGTH
          + " allowed" + example;
    }
    String[] labels = domain.split("\\.", -1);
    for (String label : labels) {
      String problem = labelProblem(label);
      if (problem != null) {
        return "invalid domain \"" + domain + "\": " + problem + example;
      }
    }
    if (labels.length < 2) {
      return "invalid domain \"" + domain + "\": a signing domain has at least two labels" + example;
    }
    if (DIGITS.matcher(labels[labels.length - 1]).matches()) {
      return "invalid domain \"" + domain + "\": an IP address is not a signing domain" + example;
    }
    return null;
  }

  /**
   * Null when {@code selector} (normalized) is valid for {@code domain}: RFC 6376 section 3.1 (dot-separated
   * LDH labels) and short enough that SELECTOR._domainkey.DOMAIN fits in a DNS name.
   */
  static String selectorProblem(String selector, String domain) {
    String example = " (RFC 6376 section 3.1: letters, digits and '-', dot-separated), e.g. s202611";
    if (selector.isEmpty()) {
      return "a selector must not be empty" + example;
    }
    for (String label : selector.split("\\.", -1)) {
      String problem = labelProblem(label);
      if (problem != null) {
        return "invalid selector \"" + selector + "\": " + problem + example;
      }
    }
    String name = recordName(selector, domain);
    if (name.length() > MAX_NAME_LENGTH) {
      return "invalid selector \"" + selector + "\": " + name + " is " + name.length() + " characters, longer than"
          + " the " + MAX_NAME_LENGTH + " a DNS name may have; choose a shorter selector";
    }
    return null;
  }

  /** Where verifiers look the key up (RFC 6376 section 3.6.2.1), without the trailing dot. */
  static String recordName(String selector, String domain) {
    return selector + "." + DOMAINKEY + "." + domain;
  }

  private static String labelProblem(String label) {
    if (label.isEmpty()) {
      return "empty label (two dots in a row, or a leading dot)";
    }
    if (label.length() > MAX_LABEL_LENGTH) {
      return "label \"" + label + "\" has " + label.length() + " characters, at most " + MAX_LABEL_LENGTH
          + " allowed";
    }
    if (!LDH_LABEL.matcher(label).matches()) {
      return "label \"" + label + "\" may hold only letters, digits and '-', and must not start or end with '-'";
    }
    return null;
  }

  private static String toAscii(String name) {
    try {
      return IDN.toASCII(name, IDN.USE_STD3_ASCII_RULES);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
