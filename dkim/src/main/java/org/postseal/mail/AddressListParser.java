package org.postseal.mail;

import java.util.ArrayList;
import java.util.List;

/**
 * RFC 5322 section 3.4 address-list, including the obsolete forms of section 4.4, as a tokenizer
 * (comments and folding white space dropped) and a recursive-descent parser over the tokens. One
 * instance per header value; not thread-safe.
 */
final class AddressListParser {

  /** Thrown inside the parser only; {@link #parse()} turns it into an empty list. */
  private static final class SyntaxError extends Exception {
    SyntaxError() {
      super(null, null, false, false);
    }
  }

  private static final SyntaxError SYNTAX_ERROR = new SyntaxError();

  private enum Kind { ATOM, QUOTED, LITERAL, SPECIAL }

  private record Token(Kind kind, String text) {
    boolean is(char special) {
      return kind == Kind.SPECIAL && text.charAt(0) == special;
    }

    boolean isWord() {
      return kind == Kind.ATOM || kind == Kind.QUOTED;
    }
  }

  private final String input;
  private final List<Token> tokens = new ArrayList<>();
  private int pos;

  AddressListParser(String input) {
    this.input = input;
  }

  List<Mailbox> parse() {
    try {
      tokenize();
      List<Mailbox> out = new ArrayList<>();
      while (pos < tokens.size()) {
        // obs-addr-list: empty elements between commas are allowed
        if (peek().is(',')) {
          pos++;
          continue;
        }
        parseAddress(out, true);
        if (pos < tokens.size()) {
          expect(',');
        }
      }
      return List.copyOf(out);
    } catch (SyntaxError e) {
      return List.of();
    }
  }

  private void parseAddress(List<Mailbox> out, boolean groupAllowed) throws SyntaxError {
    int start = pos;
    // display-name = phrase; obs-phrase also allows "." after the first word ("John Q. Public")
    if (pos < tokens.size() && peek().isWord()) {
      pos++;
      while (pos < tokens.size() && (peek().isWord() || peek().is('.'))) {
        pos++;
      }
    }
    boolean hasPhrase = pos > start;
    if (pos < tokens.size() && peek().is('<')) {
      pos++;
      out.add(parseAngleAddrTail());
    } else if (hasPhrase && groupAllowed && pos < tokens.size() && peek().is(':')) {
      pos++;
      parseGroupTail(out);
    } else {
      pos = start;
      out.add(parseAddrSpec());
    }
  }

  private void parseGroupTail(List<Mailbox> out) throws SyntaxError {
    while (pos < tokens.size()) {
      Token t = peek();
      if (t.is(';')) {
        pos++;
        return;
      }
      if (t.is(',')) {
        pos++;
        continue;
      }
      parseAddress(out, false);
      if (pos < tokens.size() && !peek().is(',') && !peek().is(';')) {
        throw SYNTAX_ERROR;
      }
    }
    // a group that runs to the end without ";" ("undisclosed-recipients:") is common: tolerated
  }

  private Mailbox parseAngleAddrTail() throws SyntaxError {
    // obs-route: "<@relay1,@relay2:user@domain>" (RFC 5322 section 4.4); the route is dropped
    if (pos < tokens.size() && (peek().is('@') || peek().is(','))) {
      while (true) {
        while (pos < tokens.size() && peek().is(',')) {
          pos++;
        }
        expect('@');
        parseDomain();
        if (pos < tokens.size() && peek().is(',')) {
          continue;
        }
        break;
      }
      expect(':');
    }
    Mailbox mailbox = parseAddrSpec();
    expect('>');
    return mailbox;
  }

  private Mailbox parseAddrSpec() throws SyntaxError {
    StringBuilder local = new StringBuilder(parseWord());
    while (pos < tokens.size() && peek().is('.')) {
      pos++;
      local.append('.').append(parseWord());
    }
    expect('@');
    return new Mailbox(local.toString(), parseDomain());
  }

  private String parseDomain() throws SyntaxError {
    Token first = next();
    if (first.kind == Kind.LITERAL) {
      return "[" + first.text + "]";
    }
    if (first.kind != Kind.ATOM) {
      throw SYNTAX_ERROR;
    }
    StringBuilder domain = new StringBuilder(first.text);
    while (pos < tokens.size() && peek().is('.')) {
      pos++;
      Token label = next();
      if (label.kind != Kind.ATOM) {
        throw SYNTAX_ERROR;
      }
      domain.append('.').append(label.text);
    }
    return domain.toString();
  }

  private String parseWord() throws SyntaxError {
    Token t = next();
    if (!t.isWord()) {
      throw SYNTAX_ERROR;
    }
    return t.text;
  }

  private Token peek() {
    return tokens.get(pos);
  }

  private Token next() throws SyntaxError {
    if (pos >= tokens.size()) {
      throw SYNTAX_ERROR;
    }
    return tokens.get(pos++);
  }

  private void expect(char special) throws SyntaxError {
    if (!next().is(special)) {
      throw SYNTAX_ERROR;
    }
  }

  private void tokenize() throws SyntaxError {
    int i = 0;
    int n = input.length();
    while (i < n) {
      char c = input.charAt(i);
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        i++;
      } else if (c == '(') {
        i = skipComment(i);
      } else if (c == '"') {
        i = readQuoted(i);
      } else if (c == '[') {
        i = readLiteral(i);
      } else if (c == '<' || c == '>' || c == ':' || c == ';' || c == '@' || c == ',' || c == '.') {
        tokens.add(new Token(Kind.SPECIAL, String.valueOf(c)));
        i++;
      } else if (isAtext(c)) {
        int start = i;
        while (i < n && isAtext(input.charAt(i))) {
          i++;
        }
        tokens.add(new Token(Kind.ATOM, input.substring(start, i)));
      } else {
        // ")", "]", "\" outside their context, or a control character
        throw SYNTAX_ERROR;
      }
    }
  }

  /** Skips a (possibly nested) comment starting at {@code start}; returns the index after it. */
  private int skipComment(int start) throws SyntaxError {
    int depth = 0;
    int i = start;
    while (i < input.length()) {
      char c = input.charAt(i);
      if (c == '\\') {
        i += 2;
        continue;
      }
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
        if (depth == 0) {
          return i + 1;
        }
      }
      i++;
    }
    throw SYNTAX_ERROR;
  }

  private int readQuoted(int start) throws SyntaxError {
    StringBuilder text = new StringBuilder();
    int i = start + 1;
    while (i < input.length()) {
      char c = input.charAt(i);
      if (c == '\\' && i + 1 < input.length()) {
        char escaped = input.charAt(i + 1);
        // an escaped CR or LF (obs-qp) is dropped like the folds around it: no local part holds a line break
        if (escaped != '\r' && escaped != '\n') {
          text.append(escaped);
        }
        i += 2;
      } else if (c == '"') {
        tokens.add(new Token(Kind.QUOTED, text.toString()));
        return i + 1;
      } else if (c == '\r' || c == '\n') {
        // folding inside a quoted string is FWS: the CRLF is not part of the content
        i++;
      } else {
        text.append(c);
        i++;
      }
    }
    throw SYNTAX_ERROR;
  }

  private int readLiteral(int start) throws SyntaxError {
    StringBuilder text = new StringBuilder();
    int i = start + 1;
    while (i < input.length()) {
      char c = input.charAt(i);
      if (c == '\\') {
        // dtext has no quoted-pair (RFC 5322 section 3.4.1; only obs-dtext has one). A literal is no domain name
        // for DMARC either way, and one read with its escapes dropped did not read back the same when written
        // out (a fuzzing finding, FromFuzzTest: a literal holding an escaped ']')
        throw SYNTAX_ERROR;
      } else if (c == ']') {
        tokens.add(new Token(Kind.LITERAL, text.toString().strip()));
        return i + 1;
      } else if (c == '[') {
        throw SYNTAX_ERROR;
      } else {
        if (c != '\r' && c != '\n') {
          text.append(c);
        }
        i++;
      }
    }
    throw SYNTAX_ERROR;
  }

  /** RFC 5322 atext, widened to non-ASCII characters as RFC 6532 allows. */
  static boolean isAtext(char c) {
    if (c >= 0x80) {
      return true;
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      return true;
    }
    return "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0;
  }

  static String quoteLocalPartIfNeeded(String localPart) {
    if (isDotAtom(localPart)) {
      return localPart;
    }
    StringBuilder quoted = new StringBuilder(localPart.length() + 2).append('"');
    for (int i = 0; i < localPart.length(); i++) {
      char c = localPart.charAt(i);
      if (c == '"' || c == '\\') {
        quoted.append('\\');
      }
      quoted.append(c);
    }
    return quoted.append('"').toString();
  }

  private static boolean isDotAtom(String s) {
    if (s.isEmpty() || s.startsWith(".") || s.endsWith(".") || s.contains("..")) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '.' && !isAtext(c)) {
        return false;
      }
    }
    return true;
  }
}
