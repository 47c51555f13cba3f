package org.postseal.keys;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Master-file text of one TXT record (RFC 1035 section 5.1) to its character-strings and joined value: the
 * inverse of {@link DkimTxtRecord#zoneText()}, and a check for records split by hand or by other tools
 * ({@code opendkim-genkey} writes {@code sel._domainkey IN TXT ( "v=DKIM1; k=rsa; " "p=..." ) ; comment}).
 *
 * <p>Understood: an optional owner name, TTL and class before {@code TXT}; quoted strings with {@code \X} and
 * {@code \DDD} escapes; unquoted words; parentheses spanning lines; {@code ;} comments. Text that is only
 * quoted strings (what a DNS hosting panel asks for) is accepted too, without owner. Results are values.
 */
final class ZoneTxtParser {

  private static final Set<String> CLASSES = Set.of("IN", "CH", "HS", "CS");
  /** A TTL: seconds, or BIND's units (1h30m, 1w). */
  private static final Pattern TTL = Pattern.compile("[0-9]+|([0-9]+[smhdwSMHDW])+");

  private ZoneTxtParser() {
  }

  /** What the text held. */
  public sealed interface Parsed {
  }

  /**
   * One TXT record: the owner name as written (absent for bare strings) and its character-strings in order.
   */
  public record Txt(Optional<String> owner, List<String> strings) implements Parsed {
    public Txt {
      strings = List.copyOf(strings);
    }

    /** The strings joined without separator, as DKIM verifiers read a key record (RFC 6376 section 3.6.2.2). */
    public String joined() {
      return String.join("", strings);
    }
  }

  /** Why the text is not one TXT record. */
  public record Invalid(String reason) implements Parsed {
  }

  private record Token(String text, boolean quoted, int line) {
  }

  public static Parsed parse(String text) {
    List<List<Token>> records = new ArrayList<>();
    String problem = tokenize(text, records);
    if (problem != null) {
      return new Invalid(problem);
    }
    if (records.isEmpty()) {
      return new Invalid("no record in the text; expected e.g. NAME IN TXT ( \"v=DKIM1; ...\" \"...\" )");
    }
    if (records.size() > 1) {
      return new Invalid("more than one record (line " + records.get(1).get(0).line() + " starts another);"
          + " give one TXT record");
    }
    List<Token> tokens = records.get(0);
    int txt = -1;
    for (int i = 0; i < tokens.size(); i++) {
      if (!tokens.get(i).quoted() && tokens.get(i).text().equalsIgnoreCase("TXT")) {
        txt = i;
        break;
      }
    }
    List<Token> values;
    Optional<String> owner = Optional.empty();
    if (txt < 0) {
      if (!tokens.stream().allMatch(Token::quoted)) {
        return new Invalid("no TXT type in the record; expected e.g. NAME IN TXT ( \"v=DKIM1; ...\" \"...\" )");
      }
      values = tokens;
    } else {
      values = tokens.subList(txt + 1, tokens.size());
      for (int i = 0; i < txt; i++) {
        Token t = tokens.get(i);
        String upper = t.text().toUpperCase(Locale.ROOT);
        if (t.quoted()) {
          return new Invalid("quoted text \"" + t.text() + "\" before TXT; the strings come after the type");
        } else if (CLASSES.contains(upper) || TTL.matcher(t.text()).matches()) {
          continue;
        } else if (i == 0) {
          owner = Optional.of(t.text());
        } else {
          return new Invalid("unexpected \"" + t.text() + "\" before TXT; expected NAME [TTL] [IN] TXT \"...\"");
        }
      }
    }
    if (values.isEmpty()) {
      return new Invalid("the TXT record has no strings");
    }
    List<String> strings = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      String s = values.get(i).text();
      int bytes = s.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > DkimTxtRecord.MAX_STRING_LENGTH) {
        return new Invalid("string " + (i + 1) + " has " + bytes + " bytes; a TXT character-string holds at most "
            + DkimTxtRecord.MAX_STRING_LENGTH + " (RFC 1035 section 3.3.14): split it into several quoted strings");
      }
      strings.add(s);
    }
    return new Txt(owner, strings);
  }

  /** Splits the text into records (a line break outside parentheses ends one); null or the problem. */
  private static String tokenize(String text, List<List<Token>> records) {
    List<Token> current = new ArrayList<>();
    int depth = 0;
    int line = 1;
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '\n') {
        if (depth == 0 && !current.isEmpty()) {
          records.add(current);
          current = new ArrayList<>();
        }
        line++;
        i++;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        i++;
      } else if (c == ';') {
        while (i < text.length() && text.charAt(i) != '\n') {
          i++;
        }
      } else if (c == '(') {
        depth++;
        i++;
      } else if (c == ')') {
        if (depth == 0) {
          return "line " + line + ": ')' without '('";
        }
        depth--;
        i++;
      } else if (c == '"') {
        StringBuilder s = new StringBuilder();
        int start = line;
        i++;
        while (true) {
          if (i >= text.length()) {
            return "line " + start + ": a quoted string is not closed (missing '\"')";
          }
          char q = text.charAt(i);
          if (q == '"') {
            i++;
            break;
          }
          if (q == '\\') {
            int consumed = unescape(text, i, s);
            if (consumed < 0) {
              return "line " + line + ": bad escape at the end of a quoted string";
            }
            i += consumed;
            continue;
          }
          if (q == '\n') {
            line++;
          }
          s.append(q);
          i++;
        }
        current.add(new Token(s.toString(), true, start));
      } else {
        StringBuilder word = new StringBuilder();
        while (i < text.length() && " \t\r\n;()\"".indexOf(text.charAt(i)) < 0) {
          if (text.charAt(i) == '\\') {
            int consumed = unescape(text, i, word);
            if (consumed < 0) {
              return "line " + line + ": bad escape at the end of the text";
            }
            i += consumed;
          } else {
            word.append(text.charAt(i));
            i++;
          }
        }
        current.add(new Token(word.toString(), false, line));
      }
    }
    if (depth > 0) {
      return "'(' without ')': the record is cut short";
    }
    if (!current.isEmpty()) {
      records.add(current);
    }
    return null;
  }

  /** Appends the character escaped at {@code text[i]} ('\'); returns the characters consumed, or -1. */
  private static int unescape(String text, int i, StringBuilder out) {
    if (i + 1 >= text.length()) {
      return -1;
    }
    if (i + 3 < text.length() && Character.isDigit(text.charAt(i + 1)) && Character.isDigit(text.charAt(i + 2))
        && Character.isDigit(text.charAt(i + 3))) {
      out.append((char) Integer.parseInt(text.substring(i + 1, i + 4)));
      return 4;
    }
    out.append(text.charAt(i + 1));
    return 2;
  }
}
