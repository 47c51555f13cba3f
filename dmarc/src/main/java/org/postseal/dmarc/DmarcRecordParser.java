package org.postseal.dmarc;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a DMARC policy record (RFC 9989 sections 4.7-4.8). A TXT record is a DMARC record when its first
 * tag is "v=DMARC1" (value case-sensitive); anything else is {@link NotDmarc} and is discarded by the tree
 * walk. Past the version, the parser is lenient as section 4.8 asks: unknown tags are ignored, and a tag with
 * a bad value falls back to its default with a note in {@link DmarcRecord#problems()}. One error is not
 * forgiven: a tag that appears twice makes the whole record {@link Invalid}, since DMARC records use RFC
 * 6376's tag-list (section 4.7), where "tags with duplicate names MUST NOT occur" and such a list is invalid
 * (RFC 6376 section 3.2); an invalid record is discarded like any text that is not DMARC. The tags RFC 9989
 * removed (pct, rf, ri of RFC 7489) are still read. Public for the report outbox, which reads the records that
 * verify external report destinations (RFC 9990 section 4) and our own rua addresses. Stateless and thread-safe.
 */
public final class DmarcRecordParser {

  /** What {@link #parse} concluded. */
  public sealed interface Parsed permits Valid, NotDmarc, Invalid {
  }

  /** A DMARC record (possibly with problems noted in it). */
  public record Valid(DmarcRecord record) implements Parsed {
    public Valid {
      Objects.requireNonNull(record, "record");
    }
  }

  /** Not a DMARC record: it must be ignored (section 4.7, tag v). */
  public record NotDmarc(String reason) implements Parsed {
    public NotDmarc {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** A DMARC record (it starts v=DMARC1) whose tag-list is invalid as a whole: ignored like one that is not DMARC. */
  public record Invalid(String reason) implements Parsed {
    public Invalid {
      Objects.requireNonNull(reason, "reason");
    }
  }

  private static final Pattern TAG_NAME = Pattern.compile("[A-Za-z]+");
  /** dmarc-value: printing characters but ';' (the splitting already removed ';'). */
  private static final Pattern TAG_VALUE = Pattern.compile("[\\x20-\\x3A\\x3C-\\x7E]+");
  /** obs-dmarc-report-size = "!" 1*DIGIT [ "k" / "m" / "g" / "t" ], which reporters ignore. */
  private static final Pattern REPORT_SIZE = Pattern.compile("!\\d+[kmgtKMGT]?$");
  private static final String VERSION = "DMARC1";

  private DmarcRecordParser() {
  }

  public static Parsed parse(String text) {
    Objects.requireNonNull(text, "text");
    String[] tags = text.split(";", -1);
    String[] first = splitTag(tags[0]);
    if (first == null || !first[0].equalsIgnoreCase("v")) {
      return new NotDmarc("the first tag is not v=");
    }
    if (!first[1].equals(VERSION)) {
      // section 4.7: "The tag value is case sensitive, and the only possible value is DMARC1"
      return new NotDmarc("v=" + first[1] + " is not v=DMARC1");
    }
    List<String> problems = new ArrayList<>();
    Set<String> seen = new HashSet<>(Set.of("v"));
    DmarcPolicy policy = DmarcPolicy.NONE;
    boolean validPolicy = true;
    DmarcPolicy subdomain = null;
    DmarcPolicy nonExistent = null;
    DmarcRecord.Psd psd = DmarcRecord.Psd.U;
    boolean testing = false;
    DmarcAlignmentMode adkim = DmarcAlignmentMode.RELAXED;
    DmarcAlignmentMode aspf = DmarcAlignmentMode.RELAXED;
    List<String> rua = List.of();
    List<String> ruf = List.of();
    String fo = "0";
    OptionalInt pct = OptionalInt.empty();
    String rf = null;
    OptionalLong ri = OptionalLong.empty();
    for (int i = 1; i < tags.length; i++) {
      String raw = tags[i];
      if (raw.isBlank()) {
        // dmarc-record = dmarc-version *(dmarc-sep dmarc-tag) [dmarc-sep]: a trailing or doubled ';'
        continue;
      }
      String[] tag = splitTag(raw);
      if (tag == null || !TAG_NAME.matcher(tag[0]).matches() || !TAG_VALUE.matcher(tag[1]).matches()) {
        problems.add("ignored malformed tag \"" + raw.strip() + "\"");
        continue;
      }
      String name = tag[0].toLowerCase(Locale.ROOT);
      String value = tag[1];
      if (!seen.add(name)) {
        return new Invalid("the tag " + name + "= appears twice, which makes the whole record invalid (RFC 9989"
            + " section 4.7, RFC 6376 section 3.2)");
      }
      switch (name) {
        case "p" -> {
          Optional<DmarcPolicy> p = DmarcPolicy.fromKeyword(value);
          if (p.isPresent()) {
            policy = p.get();
          } else {
            validPolicy = false;
            problems.add("p=" + value + " is not none, quarantine or reject");
          }
        }
        case "sp", "np" -> {
          Optional<DmarcPolicy> p = DmarcPolicy.fromKeyword(value);
          if (p.isEmpty()) {
            validPolicy = false;
            problems.add(name + "=" + value + " is not none, quarantine or reject");
          } else if (name.equals("sp")) {
            subdomain = p.get();
          } else {
            nonExistent = p.get();
          }
        }
        case "psd" -> {
          switch (value.toLowerCase(Locale.ROOT)) {
            case "y" -> psd = DmarcRecord.Psd.Y;
            case "n" -> psd = DmarcRecord.Psd.N;
            case "u" -> psd = DmarcRecord.Psd.U;
            default -> problems.add("psd=" + value + " is not y, n or u; using u");
          }
        }
        case "t" -> {
          switch (value.toLowerCase(Locale.ROOT)) {
            case "y" -> testing = true;
            case "n" -> testing = false;
            default -> problems.add("t=" + value + " is not y or n; using n");
          }
        }
        case "adkim", "aspf" -> {
          DmarcAlignmentMode mode = switch (value.toLowerCase(Locale.ROOT)) {
            case "r" -> DmarcAlignmentMode.RELAXED;
            case "s" -> DmarcAlignmentMode.STRICT;
            default -> null;
          };
          if (mode == null) {
            problems.add(name + "=" + value + " is not r or s; using r");
          } else if (name.equals("adkim")) {
            adkim = mode;
          } else {
            aspf = mode;
          }
        }
        case "rua" -> rua = uris(name, value, problems);
        case "ruf" -> ruf = uris(name, value, problems);
        case "fo" -> {
          if (isFailureOptions(value)) {
            fo = value.toLowerCase(Locale.ROOT);
          } else {
            problems.add("fo=" + value + " is not a list of 0, 1, d, s; using 0");
          }
        }
        case "pct" -> {
          if (value.matches("\\d{1,3}") && Integer.parseInt(value) <= 100) {
            pct = OptionalInt.of(Integer.parseInt(value));
          } else {
            problems.add("pct=" + value + " is not 0..100");
          }
        }
        case "rf" -> rf = value;
        case "ri" -> {
          if (value.matches("\\d{1,10}") && Long.parseLong(value) <= 0xFFFF_FFFFL) {
            ri = OptionalLong.of(Long.parseLong(value));
          } else {
            problems.add("ri=" + value + " is not a 32-bit number of seconds");
          }
        }
        default -> {
          // section 4.7: "unknown tags MUST be ignored"
        }
      }
    }
    return new Valid(new DmarcRecord(policy, Optional.ofNullable(subdomain), Optional.ofNullable(nonExistent), psd,
        testing, adkim, aspf, rua, ruf, fo, pct, Optional.ofNullable(rf), ri, validPolicy, problems, text));
  }

  /** {name, value} of "name = value" (equals = *WSP "=" *WSP; dmarc-sep allows WSP around ';'), or null. */
  private static String[] splitTag(String raw) {
    int equals = raw.indexOf('=');
    if (equals < 0) {
      return null;
    }
    String name = raw.substring(0, equals).strip();
    String value = raw.substring(equals + 1).strip();
    if (name.isEmpty() || value.isEmpty()) {
      return null;
    }
    return new String[] {name, value};
  }

  /**
   * dmarc-urilist (section 4.8): comma-separated URIs with a scheme; an obsolete "!size" suffix is dropped.
   * Invalid entries are left out with a note.
   */
  private static List<String> uris(String name, String value, List<String> problems) {
    List<String> out = new ArrayList<>();
    for (String item : value.split(",")) {
      String uri = REPORT_SIZE.matcher(item.strip()).replaceFirst("");
      if (isUri(uri)) {
        out.add(uri);
      } else {
        problems.add(name + " entry \"" + item.strip() + "\" is not a URI");
      }
    }
    return List.copyOf(out);
  }

  private static boolean isUri(String text) {
    if (text.isEmpty()) {
      return false;
    }
    try {
      URI uri = new URI(text);
      return uri.getScheme() != null && uri.getSchemeSpecificPart() != null
          && !uri.getSchemeSpecificPart().isEmpty();
    } catch (URISyntaxException e) {
      return false;
    }
  }

  /** dmarc-fo: colon-separated 0, 1, d, s; each once; 0 and 1 not together. */
  private static boolean isFailureOptions(String value) {
    Set<String> options = new HashSet<>();
    for (String option : value.toLowerCase(Locale.ROOT).split(":", -1)) {
      String o = option.strip();
      if (!o.matches("[01ds]") || !options.add(o)) {
        return false;
      }
    }
    return !(options.contains("0") && options.contains("1"));
  }
}
