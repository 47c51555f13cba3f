package org.postseal.dmarc.received;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One aggregate report a receiver sent us, as it was written: keywords are lower-cased but not restricted to the
 * schema's enumerations (real reports carry "Pass", "helo" scopes, RFC 7489's "forwarded" and "sampled_out"
 * reasons, empty dispositions), so nothing a reporter said is lost or refused for its spelling. Optional
 * values are "" when absent.
 *
 * @param format   {@link #RFC9990} for the dmarc-2.0 namespace, {@link #RFC7489} for none or dmarc-xml/0.1
 * @param begin    date_range/begin
 * @param end      date_range/end (inclusive, as reporters write it)
 * @param errors   report_metadata/error elements, one per line
 */
public record ReceivedReport(String format, String orgName, String email, String reportId, Instant begin, Instant end,
                             String errors, String generator, Policy policy, List<Row> rows) {

  public static final String RFC7489 = "rfc7489";
  public static final String RFC9990 = "rfc9990";

  /**
   * policy_published: the DMARC record as the reporter found it (pct is RFC 7489's, testing and discovery_method
   * RFC 9990's).
   */
  public record Policy(String domain, String p, String sp, String np, String adkim, String aspf, String pct, String fo,
                       String testing, String discoveryMethod) {
    public Policy {
      Objects.requireNonNull(domain, "domain");
      Objects.requireNonNull(p, "p");
      Objects.requireNonNull(sp, "sp");
      Objects.requireNonNull(np, "np");
      Objects.requireNonNull(adkim, "adkim");
      Objects.requireNonNull(aspf, "aspf");
      Objects.requireNonNull(pct, "pct");
      Objects.requireNonNull(fo, "fo");
      Objects.requireNonNull(testing, "testing");
      Objects.requireNonNull(discoveryMethod, "discoveryMethod");
    }
  }

  /** One auth_results/dkim or auth_results/spf entry; selector is DKIM's, scope SPF's. */
  public record AuthResult(String domain, String selectorOrScope, String result) {
    public AuthResult {
      Objects.requireNonNull(domain, "domain");
      Objects.requireNonNull(selectorOrScope, "selectorOrScope");
      Objects.requireNonNull(result, "result");
    }
  }

  /** One policy_evaluated/reason. */
  public record Reason(String type, String comment) {
    public Reason {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(comment, "comment");
    }
  }

  /**
   * One record: a source IP (RFC 5952 text for IPv6) and what happened to {@code count} of its messages.
   *
   * @param dkimEvaluated policy_evaluated/dkim: "pass" when an aligned DKIM signature verified
   * @param spfEvaluated  policy_evaluated/spf: "pass" when SPF passed aligned
   */
  public record Row(String sourceIp, long count, String disposition, String dkimEvaluated, String spfEvaluated,
                    List<Reason> reasons, String headerFrom, String envelopeFrom, String envelopeTo,
                    List<AuthResult> dkim, List<AuthResult> spf) {
    public Row {
      Objects.requireNonNull(sourceIp, "sourceIp");
      if (count < 0) {
        throw new IllegalArgumentException("a record counts no fewer than 0 messages, was " + count);
      }
      Objects.requireNonNull(disposition, "disposition");
      Objects.requireNonNull(dkimEvaluated, "dkimEvaluated");
      Objects.requireNonNull(spfEvaluated, "spfEvaluated");
      reasons = List.copyOf(reasons);
      Objects.requireNonNull(headerFrom, "headerFrom");
      Objects.requireNonNull(envelopeFrom, "envelopeFrom");
      Objects.requireNonNull(envelopeTo, "envelopeTo");
      dkim = List.copyOf(dkim);
      spf = List.copyOf(spf);
    }

    /** DMARC passed: an aligned DKIM pass or an aligned SPF pass (RFC 9989 section 4.4). */
    public boolean isDmarcPass() {
      return dkimEvaluated.equals("pass") || spfEvaluated.equals("pass");
    }
  }

  public ReceivedReport {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(orgName, "orgName");
    Objects.requireNonNull(email, "email");
    Objects.requireNonNull(reportId, "reportId");
    Objects.requireNonNull(begin, "begin");
    Objects.requireNonNull(end, "end");
    Objects.requireNonNull(errors, "errors");
    Objects.requireNonNull(generator, "generator");
    Objects.requireNonNull(policy, "policy");
    rows = List.copyOf(rows);
  }

  /** The messages the report counts. */
  public long messageCount() {
    return rows.stream().mapToLong(Row::count).sum();
  }

  /**
   * What makes two copies the same report: the reporter's org_name, its report id, the policy domain and the
   * period. The id alone is not enough: Google reuses ids across periods, and two reporters may pick the same one.
   * A SHA-256 of the four, hex: the primary key of the stored report.
   */
  public String identity() {
    String key = orgName.strip().toLowerCase(Locale.ROOT) + "\n" + reportId.strip() + "\n"
        + policy.domain().toLowerCase(Locale.ROOT) + "\n" + begin.getEpochSecond() + "\n" + end.getEpochSecond();
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
