package org.postseal.dmarc.report;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

/**
 * Turns the messages of one period into reports: one per DMARC Policy Domain and policy configuration (RFC 9990
 * section 3.1: "A separate report MUST be generated for each DMARC Policy Domain", and one policy configuration
 * per report), each message counted in the record of its source IP, identifiers, results and disposition. A
 * report whose gzip file would exceed the size cap is split into parts, each a report of its own. Messages
 * without a record or without rua= give no report (RFC 9989: no rua, no report). Pure: the same messages give
 * the same reports, byte for byte.
 */
public final class ReportBuilder {

  /**
   * The largest gzip attachment of one report mail: 10 MiB, below the 25-50 MB that common MTAs accept once base64
   * has added its third. RFC 9989 dropped the rua "!size" limits (they are ignored), so this is our own cap.
   * Compressed DMARC XML is about 1/20 of its size, so a part holds some hundred thousand records.
   */
  public static final int DEFAULT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

  private final ReporterIdentity reporter;
  private final int maxAttachmentBytes;

  public ReportBuilder(ReporterIdentity reporter) {
    this(reporter, DEFAULT_MAX_ATTACHMENT_BYTES);
  }

  public ReportBuilder(ReporterIdentity reporter, int maxAttachmentBytes) {
    this.reporter = Objects.requireNonNull(reporter, "reporter");
    if (maxAttachmentBytes < 1) {
      throw new IllegalArgumentException("the report size cap must be positive, was " + maxAttachmentBytes);
    }
    this.maxAttachmentBytes = maxAttachmentBytes;
  }

  /** The reports for {@code messages} (those inside {@code period}), ordered by policy domain and configuration. */
  public List<BuiltReport> build(ReportPeriod period, List<RecordedMessage> messages) {
    Map<String, List<RecordedMessage>> byPolicy = new java.util.TreeMap<>();
    for (RecordedMessage m : messages) {
      if (m.isReportable() && !m.time().isBefore(period.begin()) && m.time().isBefore(period.end())) {
        PolicyPublished policy = m.policy().orElseThrow();
        byPolicy.computeIfAbsent(policy.domain() + " " + policy.configuration(), k -> new ArrayList<>()).add(m);
      }
    }
    List<BuiltReport> reports = new ArrayList<>();
    for (List<RecordedMessage> group : byPolicy.values()) {
      reports.addAll(buildGroup(period, group));
    }
    return reports;
  }

  /** The records of {@code messages}: one per distinct tuple, with its count; most messages first. */
  public static List<ReportRecord> aggregate(List<RecordedMessage> messages) {
    Map<ReportRecord, Long> counts = new LinkedHashMap<>();
    for (RecordedMessage m : messages) {
      counts.merge(recordOf(m, 1), 1L, Long::sum);
    }
    List<ReportRecord> records = new ArrayList<>();
    counts.forEach((key, count) -> records.add(recordOf(key, count)));
    records.sort(Comparator.comparingLong(ReportRecord::count).reversed()
        .thenComparing(ReportRecord::sourceIp).thenComparing(ReportRecord::toString));
    return records;
  }

  private List<BuiltReport> buildGroup(ReportPeriod period, List<RecordedMessage> group) {
    PolicyPublished policy = group.get(0).policy().orElseThrow();
    // the newest message's rua: the final configuration observed (RFC 9990 section 3.1)
    RecordedMessage newest = group.stream().max(Comparator.comparing(RecordedMessage::time)).orElseThrow();
    List<ReportRecord> records = aggregate(group);
    List<List<ReportRecord>> parts = new ArrayList<>();
    split(period, policy, records, parts);
    List<BuiltReport> built = new ArrayList<>();
    for (int part = 0; part < parts.size(); part++) {
      built.add(report(period, policy, parts.get(part), part, newest.rua(), newest.organizationalDomain()));
    }
    return built;
  }

  /** Halves {@code records} until each half's gzip file fits the cap (a single record always stays whole). */
  private void split(ReportPeriod period, PolicyPublished policy, List<ReportRecord> records,
                     List<List<ReportRecord>> parts) {
    if (records.size() > 1 && report(period, policy, records, 0, List.of(), "").attachment().length > maxAttachmentBytes) {
      int half = records.size() / 2;
      split(period, policy, records.subList(0, half), parts);
      split(period, policy, records.subList(half, records.size()), parts);
    } else {
      parts.add(List.copyOf(records));
    }
  }

  private BuiltReport report(ReportPeriod period, PolicyPublished policy, List<ReportRecord> records, int part,
                             List<String> destinations, String organizationalDomain) {
    String reportId = reportId(reporter.receiver(), policy, period, part);
    AggregateReport report = new AggregateReport(AggregateReport.VERSION,
        new ReportMetadata(reporter.orgName(), reporter.email(), reportId, period.beginSeconds(), period.endSeconds(),
            Optional.empty(), Optional.of(reporter.generator())),
        policy, records);
    String fileName = reporter.receiver() + "!" + policy.domain() + "!" + period.beginSeconds() + "!"
        + period.endSeconds() + "!" + reportId + ".xml.gz";
    return new BuiltReport(report, reportId, fileName, gzip(AggregateReportWriter.write(report)), destinations,
        organizationalDomain);
  }

  /** 32 hex digits of SHA-256 over everything that makes the report this one and no other. */
  static String reportId(String receiver, PolicyPublished policy, ReportPeriod period, int part) {
    String identity = receiver + "!" + policy.domain() + "!" + period.beginSeconds() + "!" + period.endSeconds()
        + "!" + policy.configuration() + "!" + part;
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static ReportRecord recordOf(RecordedMessage m, long count) {
    return new ReportRecord(m.sourceIp(), count,
        new PolicyEvaluated(m.disposition(), m.isDkimAligned(), m.isSpfAligned(), m.reasons()),
        new Identifiers(m.headerFrom(), Optional.of(m.envelopeFrom()),
            m.envelopeTo().isEmpty() ? Optional.empty() : Optional.of(m.envelopeTo())),
        m.dkim(), Optional.of(m.spf()));
  }

  private static ReportRecord recordOf(ReportRecord key, long count) {
    return new ReportRecord(key.sourceIp(), count, key.evaluated(), key.identifiers(), key.dkim(), key.spf());
  }

  /** gzip with no file name and a zero time in its header: the same XML gives the same bytes. */
  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 8 + 64);
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
