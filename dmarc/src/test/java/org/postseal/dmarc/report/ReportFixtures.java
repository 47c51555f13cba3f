package org.postseal.dmarc.report;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.postseal.dkim.DkimCause;
import org.postseal.dkim.DkimOutcome;
import org.postseal.dkim.DkimResult;
import org.postseal.dmarc.DmarcAction;
import org.postseal.dmarc.DmarcAlignmentMode;
import org.postseal.dmarc.DmarcCause;
import org.postseal.dmarc.DmarcDisposition;
import org.postseal.dmarc.DmarcPolicy;
import org.postseal.dmarc.DmarcRecord;
import org.postseal.dmarc.DmarcRecordParser;
import org.postseal.dmarc.DmarcResult;
import org.postseal.dmarc.EvaluatedMessage;
import org.postseal.dmarc.IdentifierAlignment;
import org.postseal.dmarc.DmarcOutcome;
import org.postseal.dmarc.OverrideReason;
import org.postseal.mail.SmtpReply;
import org.postseal.spf.SpfCause;
import org.postseal.spf.SpfIdentity;
import org.postseal.spf.SpfOutcome;
import org.postseal.spf.SpfResult;

/** Evaluated messages and recorded rows for the report, store and outbox tests. */
public final class ReportFixtures {

  public static final Instant DAY = Instant.parse("2026-11-28T00:00:00Z");
  public static final ReporterIdentity REPORTER = new ReporterIdentity("Example Mail", "dmarc-reports@mail.example.org",
      "mail.example.org", "Postseal test");

  private ReportFixtures() {
  }

  /** A DMARC record as the parser reads it. */
  public static DmarcRecord record(String text) {
    return ((DmarcRecordParser.Valid) DmarcRecordParser.parse(text)).record();
  }

  /** An inbound message: fluent, every part settable; by default an aligned DKIM and SPF pass under p=reject. */
  public static final class Message {
    private Instant time = DAY.plusSeconds(3600);
    private String ip = "192.0.2.10";
    private String from = "example.com";
    private String mailFrom = "example.com";
    private List<String> recipients = List.of("alice@example.org");
    private String recordText = "v=DMARC1; p=reject; rua=mailto:dmarc@example.com";
    private String policyDomain = "example.com";
    private String organizationalDomain = "example.com";
    private SpfOutcome spf = SpfOutcome.PASS;
    private final List<DkimResult> dkim = new ArrayList<>(List.of(signature(DkimOutcome.PASS, "example.com", "s1")));
    private boolean dkimAligned = true;
    private boolean spfAligned = true;
    private DmarcAction action = DmarcAction.ACCEPT;
    private Optional<OverrideReason> override = Optional.empty();

    public Message at(Instant value) { time = value; return this; }
    public Message ip(String value) { ip = value; return this; }
    public Message from(String value) { from = value; return this; }
    public Message mailFrom(String value) { mailFrom = value; return this; }
    public Message recipients(String... value) { recipients = List.of(value); return this; }
    public Message record(String text, String domain) { recordText = text; policyDomain = domain; return this; }
    public Message noRecord() { recordText = null; policyDomain = ""; return this; }
    public Message organizationalDomain(String value) { organizationalDomain = value; return this; }
    public Message spf(SpfOutcome outcome, boolean aligned) { spf = outcome; spfAligned = aligned; return this; }
    public Message dkim(DkimResult... results) { dkim.clear(); dkim.addAll(List.of(results)); return this; }
    public Message dkimAligned(boolean value) { dkimAligned = value; return this; }
    public Message action(DmarcAction value) { action = value; return this; }
    public Message override(OverrideReason value) { override = Optional.of(value); return this; }

    public EvaluatedMessage build() {
      Optional<DmarcRecord> rec = recordText == null ? Optional.empty() : Optional.of(ReportFixtures.record(recordText));
      List<IdentifierAlignment> alignments = new ArrayList<>();
      for (DkimResult d : dkim) {
        if (d.isPass()) {
          boolean aligned = dkimAligned && (d.domain().equals(from) || d.domain().endsWith("." + organizationalDomain)
              || d.domain().equals(organizationalDomain));
          alignments.add(new IdentifierAlignment(IdentifierAlignment.Method.DKIM, d.domain(), d.selector(),
              DmarcAlignmentMode.RELAXED, aligned, ""));
        }
      }
      if (spf == SpfOutcome.PASS) {
        alignments.add(new IdentifierAlignment(IdentifierAlignment.Method.SPF, mailFrom, "", DmarcAlignmentMode.RELAXED,
            spfAligned, ""));
      }
      boolean pass = alignments.stream().anyMatch(IdentifierAlignment::isAligned);
      DmarcCause cause = rec.isEmpty() ? DmarcCause.NO_POLICY
          : pass ? (alignments.stream().anyMatch(a -> a.isAligned() && a.method() == IdentifierAlignment.Method.DKIM)
              ? DmarcCause.DKIM_ALIGNED : DmarcCause.SPF_ALIGNED)
          : DmarcCause.NOT_ALIGNED;
      Optional<DmarcPolicy> applied = rec.map(r -> {
        DmarcPolicy p = policyDomain.equals(from) ? r.policy() : r.subdomainPolicyOrDefault();
        return r.isTesting() ? p.downgraded() : p;
      });
      DmarcResult result = new DmarcResult(cause, "", from, rec, policyDomain, organizationalDomain, applied, alignments);
      Optional<SmtpReply> reply = action == DmarcAction.REJECT ? Optional.of(new SmtpReply(550, "5.7.1", "no"))
          : action == DmarcAction.TEMPFAIL ? Optional.of(new SmtpReply(451, "4.7.0", "later")) : Optional.empty();
      DmarcDisposition disposition = new DmarcDisposition(action,
          cause.outcome() == DmarcOutcome.FAIL ? applied : Optional.empty(), override, reply, "test");
      SpfCause spfCause = java.util.Arrays.stream(SpfCause.values()).filter(c -> c.allows(spf)).findFirst().orElseThrow();
      SpfResult spfResult = new SpfResult(spf, spfCause, mailFrom.isEmpty() ? SpfIdentity.HELO : SpfIdentity.MAILFROM,
          "bounce@" + mailFrom, mailFrom.isEmpty() ? "helo.example.net" : mailFrom, "", Optional.empty());
      return new EvaluatedMessage(time, Optional.of(address(ip)), from, mailFrom, recipients, spfResult, dkim, result,
          disposition);
    }

    public RecordedMessage recorded() {
      return RecordedMessage.of(build()).orElseThrow();
    }
  }

  public static Message message() {
    return new Message();
  }

  public static DkimResult signature(DkimOutcome outcome, String domain, String selector) {
    DkimCause cause = java.util.Arrays.stream(DkimCause.values()).filter(c -> c.outcome() == outcome).findFirst()
        .orElseThrow();
    return new DkimResult(cause, "", domain, selector, "rsa-sha256", "c2ln", "");
  }

  public static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }

  /**
   * A random message of the day: a handful of domains, sources, results and dispositions, so that many messages share
   * a record and several policies share a day.
   */
  public static RecordedMessage random(Random random, Instant day) {
    String[] domains = {"example.com", "example.net", "sub.example.com", "shop.example"};
    String[] ips = {"192.0.2.1", "192.0.2.2", "198.51.100.7", "2001:db8::25", "203.0.113.9"};
    String from = domains[random.nextInt(domains.length)];
    String policyDomain = from.endsWith("example.com") ? "example.com" : from;
    String[] records = {"v=DMARC1; p=reject; rua=mailto:dmarc@" + policyDomain,
        "v=DMARC1; p=quarantine; sp=none; adkim=s; aspf=s; fo=1; rua=mailto:dmarc@" + policyDomain,
        "v=DMARC1; p=none; t=y; np=reject; rua=mailto:a@" + policyDomain + ",mailto:b@reports.example.net"};
    Message m = message().at(day.plusSeconds(random.nextInt(86_400))).ip(ips[random.nextInt(ips.length)]).from(from)
        .mailFrom(random.nextInt(5) == 0 ? "" : from).record(records[random.nextInt(records.length)], policyDomain)
        .spf(SpfOutcome.values()[random.nextInt(SpfOutcome.values().length)], random.nextBoolean());
    int signatures = random.nextInt(4);
    DkimResult[] dkim = new DkimResult[signatures];
    for (int i = 0; i < signatures; i++) {
      // every outcome a signature can have: none is the absence of signatures
      DkimOutcome[] outcomes = java.util.Arrays.stream(DkimOutcome.values()).filter(o -> o != DkimOutcome.NONE)
          .toArray(DkimOutcome[]::new);
      dkim[i] = signature(outcomes[random.nextInt(outcomes.length)],
          random.nextBoolean() ? from : "esp.example", "s" + random.nextInt(3));
    }
    m.dkim(dkim).dkimAligned(random.nextBoolean());
    DmarcAction[] actions = {DmarcAction.ACCEPT, DmarcAction.QUARANTINE_HEADER, DmarcAction.HOLD, DmarcAction.REJECT};
    m.action(actions[random.nextInt(actions.length)]);
    if (random.nextInt(4) == 0) {
      m.override(OverrideReason.values()[random.nextInt(OverrideReason.values().length)]);
    }
    return m.recorded();
  }
}
