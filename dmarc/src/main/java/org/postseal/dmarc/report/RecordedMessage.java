package org.postseal.dmarc.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.postseal.dkim.DkimResult;
import org.postseal.dmarc.DmarcAction;
import org.postseal.dmarc.DmarcAlignmentMode;
import org.postseal.dmarc.DmarcDisposition;
import org.postseal.dmarc.DmarcOutcome;
import org.postseal.dmarc.DmarcPolicy;
import org.postseal.dmarc.DmarcRecord;
import org.postseal.dmarc.DmarcResult;
import org.postseal.dmarc.EvaluatedMessage;
import org.postseal.dmarc.IdentifierAlignment;
import org.postseal.dmarc.OverrideReason;
import org.postseal.dns.AddressText;
import org.postseal.spf.SpfIdentity;
import org.postseal.spf.SpfResult;

/**
 * What one evaluated inbound message leaves for aggregate reports (RFC 9990) and {@code postseal report show}:
 * one row of the results store. Reports aggregate these at report time ({@link ReportBuilder}).
 *
 * @param time                 when it was evaluated
 * @param sourceIp             the SMTP client, RFC 5952 text for IPv6
 * @param headerFrom           the From domain; empty when the message had none or several
 * @param envelopeFrom         the MAIL FROM domain; empty for the null sender
 * @param envelopeTo           the first RCPT TO domain; empty when unknown
 * @param spf                  the SPF domain, scope and result
 * @param dkim                 every DKIM result, aligned passes first (strict, then relaxed), then other passes,
 *                             then the rest; at most {@link #MAX_DKIM_RESULTS} (RFC 9990 section 3.1.4)
 * @param dmarc                the DMARC result
 * @param isDkimAligned        an aligned DKIM pass
 * @param isSpfAligned         an aligned SPF pass
 * @param policyDomain         where the DMARC Policy Record was found; empty without one
 * @param organizationalDomain the From domain's Organizational Domain, when the tree walk concluded
 * @param policy               the record as published, with its defaults; empty without a record
 * @param psd                  the record's psd= ("y", "n", "u"); empty without a record (the schema has no
 *                             element for it: kept for {@code report show})
 * @param rua                  the record's rua= URIs ("!size" already gone); where the report goes
 * @param disposition          what was done
 * @param reasons              why it differs from the policy
 */
public record RecordedMessage(Instant time, String sourceIp, String headerFrom, String envelopeFrom,
                              String envelopeTo, SpfAuthResult spf, List<DkimAuthResult> dkim, DmarcOutcome dmarc,
                              boolean isDkimAligned, boolean isSpfAligned, String policyDomain,
                              String organizationalDomain, Optional<PolicyPublished> policy, String psd,
                              List<String> rua, ReportDisposition disposition, List<PolicyOverride> reasons) {

  /** RFC 9990 section 3.1.4: "A report SHOULD contain no more than 100 signatures for a given row". */
  public static final int MAX_DKIM_RESULTS = 100;

  public RecordedMessage {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(sourceIp, "sourceIp");
    Objects.requireNonNull(headerFrom, "headerFrom");
    Objects.requireNonNull(envelopeFrom, "envelopeFrom");
    Objects.requireNonNull(envelopeTo, "envelopeTo");
    Objects.requireNonNull(spf, "spf");
    dkim = List.copyOf(dkim);
    Objects.requireNonNull(dmarc, "dmarc");
    Objects.requireNonNull(policyDomain, "policyDomain");
    Objects.requireNonNull(organizationalDomain, "organizationalDomain");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(psd, "psd");
    rua = List.copyOf(rua);
    Objects.requireNonNull(disposition, "disposition");
    reasons = List.copyOf(reasons);
  }

  /**
   * The row for {@code message}, or empty for a message that is not counted: a deferred one (451, TEMPFAIL) is
   * sent again by its client and counted when it is decided.
   */
  public static Optional<RecordedMessage> of(EvaluatedMessage message) {
    DmarcDisposition disposition = message.disposition();
    if (disposition.action() == DmarcAction.TEMPFAIL) {
      return Optional.empty();
    }
    DmarcResult dmarc = message.dmarc();
    SpfResult spf = message.spf();
    SpfAuthResult spfAuth = new SpfAuthResult(text(spf.domain()),
        spf.identity() == SpfIdentity.MAILFROM ? Optional.of(SpfAuthResult.MFROM) : Optional.empty(), spf.outcome());
    Optional<PolicyPublished> policy = dmarc.record().map(r -> published(dmarc.policyDomain(), r));
    List<String> toDomains = message.envelopeToDomains();
    return Optional.of(new RecordedMessage(message.time(),
        message.clientIp().map(ip -> AddressText.of(ip.getAddress())).orElse(""),
        text(message.headerFrom()), text(message.envelopeFromDomain()),
        toDomains.isEmpty() ? "" : text(toDomains.get(0)), spfAuth, dkimResults(message.dkim(), dmarc),
        dmarc.outcome(), dmarc.alignedDkim().isPresent(), dmarc.alignedSpf().isPresent(), text(dmarc.policyDomain()),
        text(dmarc.organizationalDomain()), policy,
        dmarc.record().map(r -> r.psd().name().toLowerCase(java.util.Locale.ROOT)).orElse(""),
        dmarc.record().map(DmarcRecord::aggregateReportUris).orElse(List.of()).stream().map(RecordedMessage::text)
            .toList(),
        disposition(dmarc, disposition), reasons(dmarc, disposition)));
  }

  /** Whether a report covers this message: a record was found and it asks for aggregate reports. */
  public boolean isReportable() {
    return policy.isPresent() && !rua.isEmpty() && !sourceIp.isEmpty();
  }

  /** The record with every default filled in (RFC 9990 section 3.1.1.5: "Unspecified tags have their default values"). */
  static PolicyPublished published(String policyDomain, DmarcRecord record) {
    return new PolicyPublished(text(policyDomain), Optional.of(PolicyPublished.TREEWALK), record.policy(),
        Optional.of(record.subdomainPolicyOrDefault()), Optional.of(record.nonExistentDomainPolicyOrDefault()),
        Optional.of(text(record.failureOptions())), Optional.of(record.dkimAlignment()),
        Optional.of(record.spfAlignment()), Optional.of(record.isTesting()));
  }

  /**
   * "pass" where RFC 9990 has it (ActionDispositionType: "No action, passing DMARC w/enforcing policy"), else
   * what was done: quarantine by header or hold is "quarantine".
   */
  private static ReportDisposition disposition(DmarcResult dmarc, DmarcDisposition disposition) {
    boolean enforcing = dmarc.appliedPolicy().map(p -> p != DmarcPolicy.NONE).orElse(false);
    if (dmarc.outcome() == DmarcOutcome.PASS && enforcing && disposition.action() == DmarcAction.ACCEPT) {
      return ReportDisposition.PASS;
    }
    return ReportDisposition.fromKeyword(disposition.keyword()).orElseThrow();
  }

  /**
   * The override reason in RFC 9990's words, and policy_test_mode when t=y made the policy for a failing message
   * milder: its applied policy is the downgrade of one the record names other than none.
   */
  private static List<PolicyOverride> reasons(DmarcResult dmarc, DmarcDisposition disposition) {
    List<PolicyOverride> reasons = new ArrayList<>();
    if (dmarc.outcome() == DmarcOutcome.FAIL && dmarc.record().isPresent() && dmarc.record().get().isTesting()
        && dmarc.appliedPolicy().isPresent()) {
      DmarcRecord record = dmarc.record().get();
      List<DmarcPolicy> named = dmarc.isPolicyFromParent()
          ? List.of(record.subdomainPolicyOrDefault(), record.nonExistentDomainPolicyOrDefault())
          : List.of(record.policy());
      DmarcPolicy applied = dmarc.appliedPolicy().get();
      if (named.stream().anyMatch(p -> p != DmarcPolicy.NONE && p.downgraded() == applied)) {
        reasons.add(new PolicyOverride(OverrideType.POLICY_TEST_MODE, "t=y"));
      }
    }
    disposition.overrideReason().ifPresent(reason -> reasons.add(switch (reason) {
      case LOCAL_POLICY -> new PolicyOverride(OverrideType.LOCAL_POLICY, "");
      case MAILING_LIST -> new PolicyOverride(OverrideType.MAILING_LIST, "");
      case TRUSTED_FORWARDER -> new PolicyOverride(OverrideType.TRUSTED_FORWARDER, "");
      // RFC 7489's "forwarded" is gone from RFC 9990: a forwarder we trust that rewrote the envelope sender
      case FORWARDED -> new PolicyOverride(OverrideType.TRUSTED_FORWARDER, OverrideReason.FORWARDED.keyword());
    }));
    return reasons;
  }

  /** Every DKIM result in RFC 9990 section 3.1.4's order of preference, at most {@link #MAX_DKIM_RESULTS}. */
  private static List<DkimAuthResult> dkimResults(List<DkimResult> results, DmarcResult dmarc) {
    List<DkimResult> ordered = new ArrayList<>(results);
    ordered.sort(Comparator.comparingInt(r -> preference(r, dmarc)));
    List<DkimAuthResult> out = new ArrayList<>();
    for (DkimResult r : ordered) {
      if (out.size() == MAX_DKIM_RESULTS) {
        break;
      }
      out.add(new DkimAuthResult(text(r.domain()), text(r.selector()), r.outcome()));
    }
    return out;
  }

  /** 0 strictly aligned pass, 1 relaxed aligned pass, 2 other pass, 3 the rest. */
  private static int preference(DkimResult result, DmarcResult dmarc) {
    if (!result.isPass()) {
      return 3;
    }
    for (IdentifierAlignment a : dmarc.alignments()) {
      if (a.method() == IdentifierAlignment.Method.DKIM && a.isAligned()
          && a.domain().equalsIgnoreCase(result.domain()) && a.selector().equals(result.selector())) {
        return a.mode() == DmarcAlignmentMode.STRICT || a.domain().equalsIgnoreCase(dmarc.headerFrom()) ? 0 : 1;
      }
    }
    return 2;
  }

  /** Text as the store and the XML can hold it: control characters (never in a valid name) become '?'. */
  static String text(String value) {
    StringBuilder out = null;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7F) {
        if (out == null) {
          out = new StringBuilder(value.substring(0, i));
        }
        out.append('?');
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? value : out.toString();
  }
}
