package org.postseal.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the line of every table header and key in TOML text, so that errors can name their line.
 *
 * <p>Jackson's TOML "streaming" parser builds the whole tree first and then walks it, so its token
 * locations carry no line numbers; this scanner recovers them. It understands just enough TOML to
 * stay in step: comments, the four string forms (multi-line ones included), dotted and quoted keys,
 * and arrays or inline tables that span lines. Keys inside inline tables get their table's line.
 */
final class TomlKeyLocator {

  /** A key or table written twice: TOML forbids it, and Jackson's parser names neither the key nor the first line. */
  record Duplicate(String name, boolean isTable, int firstLine, int line) {
  }

  private final Map<String, Integer> lines = new HashMap<>();
  private final List<Duplicate> duplicates = new ArrayList<>();

  private TomlKeyLocator() {
  }

  static TomlKeyLocator index(String text) {
    TomlKeyLocator locator = new TomlKeyLocator();
    locator.scan(text);
    return locator;
  }

  /** Every key and table header written a second time in the same table, in file order. */
  List<Duplicate> duplicates() {
    return List.copyOf(duplicates);
  }

  /** The 1-based line of {@code dottedKey}, else of its nearest enclosing table or key, else 0. */
  int lineOf(String dottedKey) {
    String key = dottedKey;
    while (true) {
      Integer line = lines.get(key);
      if (line != null) {
        return line;
      }
      int dot = key.lastIndexOf('.');
      if (dot < 0) {
        return 0;
      }
      key = key.substring(0, dot);
    }
  }

  private void scan(String text) {
    int n = text.length();
    int i = 0;
    int line = 1;
    int depth = 0;
    boolean atLineStart = true;
    String table = "";
    while (i < n) {
      char c = text.charAt(i);
      if (c == '\n') {
        line++;
        i++;
        if (depth == 0) {
          atLineStart = true;
        }
        continue;
      }
      if (atLineStart) {
        if (c == ' ' || c == '\t' || c == '\r') {
          i++;
          continue;
        }
        atLineStart = false;
        if (c == '[') {
          boolean arrayTable = i + 1 < n && text.charAt(i + 1) == '[';
          int start = i + (arrayTable ? 2 : 1);
          int end = indexOutsideQuotes(text, start, ']');
          if (end < 0) {
            return;
          }
          table = normalizeKey(text.substring(start, end));
          Integer first = lines.putIfAbsent(table, line);
          if (first != null && !arrayTable) {
            duplicates.add(new Duplicate(table, true, first, line));
          }
          i = end + (arrayTable ? 2 : 1);
          continue;
        }
        if (c != '#') {
          int eq = indexOutsideQuotes(text, i, '=');
          if (eq > 0) {
            String key = normalizeKey(text.substring(i, eq));
            String dotted = table.isEmpty() ? key : table + "." + key;
            Integer first = lines.putIfAbsent(dotted, line);
            if (first != null) {
              duplicates.add(new Duplicate(dotted, false, first, line));
            }
            i = eq + 1;
            continue;
          }
        }
      }
      if (c == '#') {
        while (i < n && text.charAt(i) != '\n') {
          i++;
        }
        continue;
      }
      if (text.startsWith("\"\"\"", i) || text.startsWith("'''", i)) {
        String delimiter = text.substring(i, i + 3);
        int end = text.indexOf(delimiter, i + 3);
        if (end < 0) {
          return;
        }
        // a closing delimiter may be followed by up to two more quotes that belong to the content
        while (end + 3 < n && text.charAt(end + 3) == delimiter.charAt(0)) {
          end++;
        }
        line += count(text, i, end, '\n');
        i = end + 3;
        continue;
      }
      if (c == '"' || c == '\'') {
        i = skipString(text, i, c);
        continue;
      }
      if (c == '[' || c == '{') {
        depth++;
      } else if ((c == ']' || c == '}') && depth > 0) {
        depth--;
      }
      i++;
    }
  }

  /** Index just past a one-line string that starts at {@code start}, or at the end of the line. */
  private static int skipString(String text, int start, char quote) {
    int i = start + 1;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '\n') {
        return i;
      }
      if (quote == '"' && c == '\\') {
        i += 2;
        continue;
      }
      if (c == quote) {
        return i + 1;
      }
      i++;
    }
    return i;
  }

  /** First {@code wanted} on the same line outside quotes, or -1. */
  private static int indexOutsideQuotes(String text, int from, char wanted) {
    int i = from;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '\n' || c == '#') {
        return -1;
      }
      if (c == '"' || c == '\'') {
        i = skipString(text, i, c);
        continue;
      }
      if (c == wanted) {
        return i;
      }
      i++;
    }
    return -1;
  }

  /** {@code a . "b.c" . d} becomes {@code a.b.c.d}: the form of the names in Jackson's tree, joined by dots. */
  static String normalizeKey(String raw) {
    List<String> parts = new ArrayList<>();
    StringBuilder part = new StringBuilder();
    int i = 0;
    while (i < raw.length()) {
      char c = raw.charAt(i);
      if (c == '"' || c == '\'') {
        int end = skipString(raw, i, c);
        String inner = raw.substring(i + 1, Math.max(i + 1, end - 1));
        part.append(c == '"' ? inner.replace("\\\"", "\"").replace("\\\\", "\\") : inner);
        i = end;
        continue;
      }
      if (c == '.') {
        parts.add(part.toString().trim());
        part.setLength(0);
      } else {
        part.append(c);
      }
      i++;
    }
    parts.add(part.toString().trim());
    return String.join(".", parts);
  }

  private static int count(String text, int from, int to, char wanted) {
    int count = 0;
    for (int i = from; i < to; i++) {
      if (text.charAt(i) == wanted) {
        count++;
      }
    }
    return count;
  }
}
