package org.postseal.cli;

import java.util.List;

/** A plain-text table: columns padded to their widest cell and two spaces apart, no trailing spaces, one row a line. */
final class TextTable {

  private TextTable() {
  }

  /** {@code rows} (the first is the header) as lines ending in "\n". */
  static String render(List<String[]> rows) {
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder text = new StringBuilder();
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(row[i]);
        if (i + 1 < row.length) {
          line.append(" ".repeat(widths[i] - row[i].length() + 2));
        }
      }
      text.append(line.toString().stripTrailing()).append('\n');
    }
    return text.toString();
  }
}
