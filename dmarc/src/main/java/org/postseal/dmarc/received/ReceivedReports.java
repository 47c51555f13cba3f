package org.postseal.dmarc.received;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The received_report and received_record tables: reports in (once each), reports and rows out. Every method takes
 * the caller's connection and leaves its transaction alone. Stateless.
 */
public final class ReceivedReports {

  private static final String REPORT_COLUMNS = "report_key, format, org_name, email, report_id, period_begin,"
      + " period_end, errors, generator, policy_domain, p, sp, np, adkim, aspf, pct, fo, testing, discovery_method,"
      + " record_count, message_count, imported_at, imported_from";
  private static final String RECORD_COLUMNS = "report_key, position, source_ip, message_count, disposition,"
      + " dkim_evaluated, spf_evaluated, reasons, header_from, envelope_from, envelope_to, dkim, spf";

  private ReceivedReports() {
  }

  /** When and from where a report was first imported. */
  public record Imported(Instant at, String from) {
  }

  /** The first import of the report with this {@link ReceivedReport#identity()}; empty when it is new. */
  public static Optional<Imported> find(Connection c, String identity) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(
        "SELECT imported_at, imported_from FROM received_report WHERE report_key = ?")) {
      select.setString(1, identity);
      try (ResultSet r = select.executeQuery()) {
        return r.next() ? Optional.of(new Imported(Instant.ofEpochSecond(r.getLong(1)), r.getString(2)))
            : Optional.empty();
      }
    }
  }

  /** Adds {@code report} and its records; the caller has checked with {@link #find} that it is new. */
  public static void insert(Connection c, ReceivedReport report, Instant importedAt, String importedFrom)
      throws SQLException {
    String key = report.identity();
    try (PreparedStatement insert = c.prepareStatement("INSERT INTO received_report (" + REPORT_COLUMNS
        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      ReceivedReport.Policy p = report.policy();
      int i = 1;
      insert.setString(i++, key);
      insert.setString(i++, report.format());
      insert.setString(i++, report.orgName());
      insert.setString(i++, report.email());
      insert.setString(i++, report.reportId());
      insert.setLong(i++, report.begin().getEpochSecond());
      insert.setLong(i++, report.end().getEpochSecond());
      insert.setString(i++, report.errors());
      insert.setString(i++, report.generator());
      insert.setString(i++, p.domain());
      insert.setString(i++, p.p());
      insert.setString(i++, p.sp());
      insert.setString(i++, p.np());
      insert.setString(i++, p.adkim());
      insert.setString(i++, p.aspf());
      insert.setString(i++, p.pct());
      insert.setString(i++, p.fo());
      insert.setString(i++, p.testing());
      insert.setString(i++, p.discoveryMethod());
      insert.setInt(i++, report.rows().size());
      insert.setLong(i++, report.messageCount());
      insert.setLong(i++, importedAt.getEpochSecond());
      insert.setString(i, importedFrom);
      insert.executeUpdate();
    }
    try (PreparedStatement insert = c.prepareStatement("INSERT INTO received_record (" + RECORD_COLUMNS
        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      int position = 0;
      int batched = 0;
      for (ReceivedReport.Row row : report.rows()) {
        int i = 1;
        insert.setString(i++, key);
        insert.setInt(i++, ++position);
        insert.setString(i++, row.sourceIp());
        insert.setLong(i++, row.count());
        insert.setString(i++, row.disposition());
        insert.setString(i++, row.dkimEvaluated());
        insert.setString(i++, row.spfEvaluated());
        insert.setString(i++, lines(row.reasons().stream().map(r -> new String[] {r.type(), r.comment()}).toList()));
        insert.setString(i++, row.headerFrom());
        insert.setString(i++, row.envelopeFrom());
        insert.setString(i++, row.envelopeTo());
        insert.setString(i++, lines(row.dkim().stream()
            .map(d -> new String[] {d.domain(), d.selectorOrScope(), d.result()}).toList()));
        insert.setString(i, lines(row.spf().stream()
            .map(s -> new String[] {s.domain(), s.selectorOrScope(), s.result()}).toList()));
        insert.addBatch();
        if (++batched == 1000) {
          insert.executeBatch();
          batched = 0;
        }
      }
      if (batched > 0) {
        insert.executeBatch();
      }
    }
  }

  /** The stored report with this identity, records in their order; empty when there is none. */
  public static Optional<ReceivedReport> read(Connection c, String identity) throws SQLException {
    List<ReceivedReport> found = reports(c, "WHERE report_key = ?", identity);
    return found.stream().findFirst();
  }

  /**
   * Every stored report whose period ends at or after {@code since}, with its records: optionally only those about
   * {@code domain} (the policy domain, or the From domain of a record).
   */
  public static List<ReceivedReport> since(Connection c, Instant since, Optional<String> domain) throws SQLException {
    List<ReceivedReport> all = reports(c, "WHERE period_end >= ?", since.getEpochSecond());
    if (domain.isEmpty()) {
      return all;
    }
    String d = domain.get();
    List<ReceivedReport> out = new ArrayList<>();
    for (ReceivedReport r : all) {
      if (r.policy().domain().equals(d)) {
        out.add(r);
      } else {
        List<ReceivedReport.Row> rows = r.rows().stream().filter(row -> row.headerFrom().equals(d)).toList();
        if (!rows.isEmpty()) {
          out.add(new ReceivedReport(r.format(), r.orgName(), r.email(), r.reportId(), r.begin(), r.end(), r.errors(),
              r.generator(), r.policy(), rows));
        }
      }
    }
    return out;
  }

  /** How many reports are stored (tests and the import summary). */
  public static int count(Connection c) throws SQLException {
    try (PreparedStatement select = c.prepareStatement("SELECT COUNT(*) FROM received_report");
         ResultSet r = select.executeQuery()) {
      r.next();
      return r.getInt(1);
    }
  }

  /** Deletes the reports whose period ended before {@code before}, with their records; returns how many. */
  public static int purge(Connection c, Instant before) throws SQLException {
    try (PreparedStatement records = c.prepareStatement("DELETE FROM received_record WHERE report_key IN"
        + " (SELECT report_key FROM received_report WHERE period_end < ?)");
         PreparedStatement reports = c.prepareStatement("DELETE FROM received_report WHERE period_end < ?")) {
      records.setLong(1, before.getEpochSecond());
      records.executeUpdate();
      reports.setLong(1, before.getEpochSecond());
      return reports.executeUpdate();
    }
  }

  private static List<ReceivedReport> reports(Connection c, String where, Object parameter) throws SQLException {
    Map<String, ReceivedReport> reports = new LinkedHashMap<>();
    Map<String, List<ReceivedReport.Row>> rows = new LinkedHashMap<>();
    try (PreparedStatement select = c.prepareStatement("SELECT " + REPORT_COLUMNS + " FROM received_report " + where
        + " ORDER BY period_begin, org_name, report_id")) {
      select.setObject(1, parameter);
      try (ResultSet r = select.executeQuery()) {
        while (r.next()) {
          String key = r.getString("report_key");
          reports.put(key, new ReceivedReport(r.getString("format"), r.getString("org_name"), r.getString("email"),
              r.getString("report_id"), Instant.ofEpochSecond(r.getLong("period_begin")),
              Instant.ofEpochSecond(r.getLong("period_end")), r.getString("errors"), r.getString("generator"),
              new ReceivedReport.Policy(r.getString("policy_domain"), r.getString("p"), r.getString("sp"),
                  r.getString("np"), r.getString("adkim"), r.getString("aspf"), r.getString("pct"), r.getString("fo"),
                  r.getString("testing"), r.getString("discovery_method")), List.of()));
          rows.put(key, new ArrayList<>());
        }
      }
    }
    if (reports.isEmpty()) {
      return List.of();
    }
    try (PreparedStatement select = c.prepareStatement("SELECT " + RECORD_COLUMNS + " FROM received_record WHERE"
        + " report_key IN (SELECT report_key FROM received_report " + where + ") ORDER BY report_key, position")) {
      select.setObject(1, parameter);
      try (ResultSet r = select.executeQuery()) {
        while (r.next()) {
          List<ReceivedReport.Reason> reasons = new ArrayList<>();
          for (String[] f : fields(r.getString("reasons"), 2)) {
            reasons.add(new ReceivedReport.Reason(f[0], f[1]));
          }
          rows.get(r.getString("report_key")).add(new ReceivedReport.Row(r.getString("source_ip"),
              r.getLong("message_count"), r.getString("disposition"), r.getString("dkim_evaluated"),
              r.getString("spf_evaluated"), reasons, r.getString("header_from"), r.getString("envelope_from"),
              r.getString("envelope_to"), auth(r.getString("dkim")), auth(r.getString("spf"))));
        }
      }
    }
    List<ReceivedReport> out = new ArrayList<>();
    reports.forEach((key, report) -> out.add(new ReceivedReport(report.format(), report.orgName(), report.email(),
        report.reportId(), report.begin(), report.end(), report.errors(), report.generator(), report.policy(),
        rows.get(key))));
    return out;
  }

  private static List<ReceivedReport.AuthResult> auth(String text) {
    List<ReceivedReport.AuthResult> out = new ArrayList<>();
    for (String[] f : fields(text, 3)) {
      out.add(new ReceivedReport.AuthResult(f[0], f[1], f[2]));
    }
    return out;
  }

  /**
   * Lines of tab-separated fields. Tabs and line breaks inside a value (a reporter's comment) become spaces: the
   * reporter's text, not its layout, is what is kept.
   */
  static String lines(List<String[]> entries) {
    StringBuilder out = new StringBuilder();
    for (String[] fields : entries) {
      if (out.length() > 0) {
        out.append('\n');
      }
      for (int i = 0; i < fields.length; i++) {
        out.append(i == 0 ? "" : "\t").append(fields[i].replace('\t', ' ').replace('\n', ' ').replace('\r', ' '));
      }
    }
    return out.toString();
  }

  private static List<String[]> fields(String text, int count) {
    if (text == null || text.isEmpty()) {
      return List.of();
    }
    List<String[]> out = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      String[] f = Arrays.copyOf(line.split("\t", -1), count);
      for (int i = 0; i < count; i++) {
        f[i] = f[i] == null ? "" : f[i];
      }
      out.add(f);
    }
    return out;
  }
}
