package org.postseal.dmarc.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.postseal.dkim.DkimOutcome;
import org.postseal.dmarc.DmarcAlignmentMode;
import org.postseal.dmarc.DmarcOutcome;
import org.postseal.dmarc.DmarcPolicy;
import org.postseal.dmarc.report.DkimAuthResult;
import org.postseal.dmarc.report.OverrideType;
import org.postseal.dmarc.report.PolicyOverride;
import org.postseal.dmarc.report.PolicyPublished;
import org.postseal.dmarc.report.RecordedMessage;
import org.postseal.dmarc.report.ReportDisposition;
import org.postseal.dmarc.report.SpfAuthResult;
import org.postseal.spf.SpfOutcome;

/**
 * The evaluated_message table: {@link RecordedMessage}s in and out, the summary {@code postseal report show}
 * prints, what we decided per policy domain (the report page), and the purge after reports.keep. Every method
 * takes the caller's connection and leaves its transaction alone. Stateless.
 */
public final class RecordedMessages {

  private static final String COLUMNS = "evaluated_at, source_ip, header_from, envelope_from, envelope_to,"
      + " spf_domain, spf_scope, spf_result, dkim, dmarc_result, dkim_aligned, spf_aligned, policy_domain,"
      + " organizational_domain, discovery_method, p, sp, np, fo, adkim, aspf, testing, psd, rua, disposition, reasons";

  private RecordedMessages() {
  }

  /** Adds {@code messages} in one batch. */
  public static void insert(Connection c, List<RecordedMessage> messages) throws SQLException {
    try (PreparedStatement insert = c.prepareStatement("INSERT INTO evaluated_message (" + COLUMNS
        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (RecordedMessage m : messages) {
        int i = 1;
        insert.setLong(i++, m.time().getEpochSecond());
        insert.setString(i++, m.sourceIp());
        insert.setString(i++, m.headerFrom());
        insert.setString(i++, m.envelopeFrom());
        insert.setString(i++, m.envelopeTo());
        insert.setString(i++, m.spf().domain());
        insert.setString(i++, m.spf().scope().orElse(""));
        insert.setString(i++, m.spf().result().keyword());
        insert.setString(i++, dkimText(m.dkim()));
        insert.setString(i++, m.dmarc().keyword());
        insert.setInt(i++, m.isDkimAligned() ? 1 : 0);
        insert.setInt(i++, m.isSpfAligned() ? 1 : 0);
        insert.setString(i++, m.policyDomain());
        insert.setString(i++, m.organizationalDomain());
        Optional<PolicyPublished> p = m.policy();
        insert.setString(i++, p.flatMap(PolicyPublished::discoveryMethod).orElse(""));
        insert.setString(i++, p.map(x -> x.p().keyword()).orElse(""));
        insert.setString(i++, p.flatMap(PolicyPublished::sp).map(DmarcPolicy::keyword).orElse(""));
        insert.setString(i++, p.flatMap(PolicyPublished::np).map(DmarcPolicy::keyword).orElse(""));
        insert.setString(i++, p.flatMap(PolicyPublished::fo).orElse(""));
        insert.setString(i++, p.flatMap(PolicyPublished::adkim).map(DmarcAlignmentMode::tagValue).orElse(""));
        insert.setString(i++, p.flatMap(PolicyPublished::aspf).map(DmarcAlignmentMode::tagValue).orElse(""));
        insert.setString(i++, p.flatMap(PolicyPublished::testing).map(t -> t ? "y" : "n").orElse(""));
        insert.setString(i++, m.psd());
        insert.setString(i++, String.join(" ", m.rua()));
        insert.setString(i++, m.disposition().keyword());
        insert.setString(i, reasonsText(m.reasons()));
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  /** The messages evaluated in [{@code begin}, {@code end}), oldest first. */
  public static List<RecordedMessage> between(Connection c, Instant begin, Instant end) throws SQLException {
    List<RecordedMessage> out = new ArrayList<>();
    try (PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS
        + " FROM evaluated_message WHERE evaluated_at >= ? AND evaluated_at < ? ORDER BY evaluated_at")) {
      select.setLong(1, begin.getEpochSecond());
      select.setLong(2, end.getEpochSecond());
      try (ResultSet r = select.executeQuery()) {
        while (r.next()) {
          out.add(read(r));
        }
      }
    }
    return out;
  }

  /** When the oldest message kept was evaluated; empty when there is none. */
  public static Optional<Instant> oldest(Connection c) throws SQLException {
    return instant(c, "SELECT MIN(evaluated_at) FROM evaluated_message");
  }

  /** The one value of {@code sql}, seconds since the epoch, as an instant; empty for NULL or no row. */
  static Optional<Instant> instant(Connection c, String sql) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(sql); ResultSet r = select.executeQuery()) {
      if (r.next()) {
        long seconds = r.getLong(1);
        return r.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochSecond(seconds));
      }
      return Optional.empty();
    }
  }

  /** One line of {@code report show}: how many messages shared these values. */
  public record SummaryRow(String policyDomain, String headerFrom, String sourceIp, DmarcOutcome dmarc,
                           boolean isDkimAligned, boolean isSpfAligned, ReportDisposition disposition, long count,
                           Instant lastSeen) {
  }

  /** The rows {@link #summary} and {@link #decisions} read: since a time, and with a domain its policy or From domain. */
  private static String window(Optional<String> domain) {
    return " WHERE evaluated_at >= ?" + (domain.isPresent() ? " AND (policy_domain = ? OR header_from = ?)" : "");
  }

  private static void bindWindow(PreparedStatement select, Instant since, Optional<String> domain) throws SQLException {
    select.setLong(1, since.getEpochSecond());
    if (domain.isPresent()) {
      select.setString(2, domain.get());
      select.setString(3, domain.get());
    }
  }

  /**
   * What was evaluated since {@code since}, per policy domain (the From domain where there was no record), From
   * domain, source IP, DMARC result, alignment and disposition: failures first, then by count.
   *
   * @param domain only rows whose policy domain or From domain is this one; empty for all
   */
  public static List<SummaryRow> summary(Connection c, Instant since, Optional<String> domain) throws SQLException {
    String sql = "SELECT policy_domain, header_from, source_ip, dmarc_result, dkim_aligned, spf_aligned, disposition,"
        + " COUNT(*), MAX(evaluated_at) FROM evaluated_message" + window(domain)
        + " GROUP BY policy_domain, header_from, source_ip, dmarc_result, dkim_aligned, spf_aligned, disposition";
    List<SummaryRow> rows = new ArrayList<>();
    try (PreparedStatement select = c.prepareStatement(sql)) {
      bindWindow(select, since, domain);
      try (ResultSet r = select.executeQuery()) {
        while (r.next()) {
          rows.add(new SummaryRow(r.getString(1), r.getString(2), r.getString(3), dmarcOutcome(r.getString(4)),
              r.getInt(5) != 0, r.getInt(6) != 0, disposition(r.getString(7)), r.getLong(8),
              Instant.ofEpochSecond(r.getLong(9))));
        }
      }
    }
    rows.sort(java.util.Comparator.comparing((SummaryRow s) -> s.dmarc() == DmarcOutcome.PASS)
        .thenComparing(java.util.Comparator.comparingLong(SummaryRow::count).reversed())
        .thenComparing(s -> s.policyDomain().isEmpty() ? s.headerFrom() : s.policyDomain())
        .thenComparing(SummaryRow::headerFrom).thenComparing(SummaryRow::sourceIp));
    return rows;
  }

  /**
   * What we did with one policy domain's mail (the From domain where there was no record): how many messages,
   * how many passed DMARC, were rejected or quarantined (the disposition as reported: with dmarc.enforce off a
   * failing message is reported as none), and how many carry an override reason, with the count per RFC 9990
   * reason type ("mailing_list", "trusted_forwarder", "local_policy", ...; a message with two reasons counts in
   * both).
   */
  public record DomainDecisions(String policyDomain, long messages, long dmarcPass, long rejected, long quarantined,
                                long overridden, Map<String, Long> reasons) {
    public DomainDecisions {
      reasons = Collections.unmodifiableMap(new TreeMap<>(reasons));
    }
  }

  /**
   * What was evaluated since {@code since}, one row per policy domain, the busiest first (then by name).
   *
   * @param domain only rows whose policy domain or From domain is this one; empty for all
   */
  public static List<DomainDecisions> decisions(Connection c, Instant since, Optional<String> domain)
      throws SQLException {
    String sql = "SELECT policy_domain, header_from, dmarc_result, disposition, reasons, COUNT(*)"
        + " FROM evaluated_message" + window(domain) + " GROUP BY policy_domain, header_from, dmarc_result, disposition,"
        + " reasons";
    Map<String, long[]> totals = new TreeMap<>();
    Map<String, Map<String, Long>> reasons = new TreeMap<>();
    try (PreparedStatement select = c.prepareStatement(sql)) {
      bindWindow(select, since, domain);
      try (ResultSet r = select.executeQuery()) {
        while (r.next()) {
          String policyDomain = r.getString(1).isEmpty() ? r.getString(2) : r.getString(1);
          long count = r.getLong(6);
          long[] t = totals.computeIfAbsent(policyDomain, k -> new long[5]);
          ReportDisposition disposition = disposition(r.getString(4));
          List<PolicyOverride> overrides = reasons(r.getString(5));
          t[0] += count;
          t[1] += dmarcOutcome(r.getString(3)) == DmarcOutcome.PASS ? count : 0;
          t[2] += disposition == ReportDisposition.REJECT ? count : 0;
          t[3] += disposition == ReportDisposition.QUARANTINE ? count : 0;
          t[4] += overrides.isEmpty() ? 0 : count;
          Map<String, Long> byType = reasons.computeIfAbsent(policyDomain, k -> new TreeMap<>());
          overrides.stream().map(o -> o.type().keyword()).distinct()
              .forEach(type -> byType.merge(type, count, Long::sum));
        }
      }
    }
    List<DomainDecisions> rows = new ArrayList<>();
    totals.forEach((d, t) -> rows.add(new DomainDecisions(d, t[0], t[1], t[2], t[3], t[4], reasons.get(d))));
    rows.sort(java.util.Comparator.comparingLong(DomainDecisions::messages).reversed()
        .thenComparing(DomainDecisions::policyDomain));
    return rows;
  }

  /** Deletes the messages evaluated before {@code before}; returns how many. */
  public static int purge(Connection c, Instant before) throws SQLException {
    try (PreparedStatement delete = c.prepareStatement("DELETE FROM evaluated_message WHERE evaluated_at < ?")) {
      delete.setLong(1, before.getEpochSecond());
      return delete.executeUpdate();
    }
  }

  private static RecordedMessage read(ResultSet r) throws SQLException {
    Optional<PolicyPublished> policy = Optional.empty();
    String p = r.getString("p");
    if (!p.isEmpty()) {
      policy = Optional.of(new PolicyPublished(r.getString("policy_domain"), nonEmpty(r.getString("discovery_method")),
          policy(p), nonEmpty(r.getString("sp")).map(RecordedMessages::policy),
          nonEmpty(r.getString("np")).map(RecordedMessages::policy), nonEmpty(r.getString("fo")),
          nonEmpty(r.getString("adkim")).map(RecordedMessages::alignment),
          nonEmpty(r.getString("aspf")).map(RecordedMessages::alignment),
          nonEmpty(r.getString("testing")).map("y"::equals)));
    }
    String rua = r.getString("rua");
    return new RecordedMessage(Instant.ofEpochSecond(r.getLong("evaluated_at")), r.getString("source_ip"),
        r.getString("header_from"), r.getString("envelope_from"), r.getString("envelope_to"),
        new SpfAuthResult(r.getString("spf_domain"), nonEmpty(r.getString("spf_scope")),
            keyword(SpfOutcome.values(), SpfOutcome::keyword, r.getString("spf_result"))),
        dkim(r.getString("dkim")), dmarcOutcome(r.getString("dmarc_result")), r.getInt("dkim_aligned") != 0,
        r.getInt("spf_aligned") != 0, r.getString("policy_domain"), r.getString("organizational_domain"), policy,
        r.getString("psd"), rua.isEmpty() ? List.of() : Arrays.asList(rua.split(" ")),
        disposition(r.getString("disposition")), reasons(r.getString("reasons")));
  }

  /** "domain TAB selector TAB result" lines; the fields hold no control characters (RecordedMessage's rule). */
  static String dkimText(List<DkimAuthResult> dkim) {
    StringBuilder out = new StringBuilder();
    for (DkimAuthResult d : dkim) {
      out.append(out.length() == 0 ? "" : "\n").append(d.domain()).append('\t').append(d.selector()).append('\t')
          .append(d.result().keyword());
    }
    return out.toString();
  }

  static List<DkimAuthResult> dkim(String text) {
    List<DkimAuthResult> out = new ArrayList<>();
    for (String line : lines(text)) {
      String[] f = line.split("\t", -1);
      out.add(new DkimAuthResult(f[0], f[1], keyword(DkimOutcome.values(), DkimOutcome::keyword, f[2])));
    }
    return out;
  }

  static String reasonsText(List<PolicyOverride> reasons) {
    StringBuilder out = new StringBuilder();
    for (PolicyOverride r : reasons) {
      out.append(out.length() == 0 ? "" : "\n").append(r.type().keyword()).append('\t').append(r.comment());
    }
    return out.toString();
  }

  static List<PolicyOverride> reasons(String text) {
    List<PolicyOverride> out = new ArrayList<>();
    for (String line : lines(text)) {
      String[] f = line.split("\t", -1);
      out.add(new PolicyOverride(OverrideType.fromKeyword(f[0]).orElseThrow(() -> unknown("override type", f[0])),
          f.length > 1 ? f[1] : ""));
    }
    return out;
  }

  private static List<String> lines(String text) {
    return text.isEmpty() ? List.of() : Arrays.asList(text.split("\n", -1));
  }

  private static Optional<String> nonEmpty(String value) {
    return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
  }

  private static DmarcPolicy policy(String keyword) {
    return DmarcPolicy.fromKeyword(keyword).orElseThrow(() -> unknown("policy", keyword));
  }

  private static DmarcAlignmentMode alignment(String tag) {
    return tag.equals("s") ? DmarcAlignmentMode.STRICT : DmarcAlignmentMode.RELAXED;
  }

  private static DmarcOutcome dmarcOutcome(String keyword) {
    return keyword(DmarcOutcome.values(), DmarcOutcome::keyword, keyword);
  }

  private static ReportDisposition disposition(String keyword) {
    return ReportDisposition.fromKeyword(keyword).orElseThrow(() -> unknown("disposition", keyword));
  }

  private static <E> E keyword(E[] values, java.util.function.Function<E, String> keyword, String value) {
    for (E e : values) {
      if (keyword.apply(e).equals(value)) {
        return e;
      }
    }
    throw unknown("value", value);
  }

  private static IllegalStateException unknown(String what, String value) {
    return new IllegalStateException("the results database holds an unknown " + what + " \"" + value + "\"");
  }
}
