package org.postseal.dmarc;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Fuzzes DMARC record text (any TXT content) through {@link DmarcRecordParser}. Properties: it gives a record,
 * not-DMARC or invalid, never an exception; a record's own text starts with v=DMARC1; a record written back out
 * from what was read parses to the same values (policies, alignment, testing, psd, report URIs, fo, and the
 * removed pct, rf, ri), including whether its policy is valid.
 *
 * <p>{@code mvn verify} runs it over the seeds in {@code DmarcRecordFuzzTestInputs/} (regression mode);
 * {@code bench/fuzz.sh dmarc-record SECONDS} fuzzes it. A finding is written next to the seeds.
 */
class DmarcRecordFuzzTest {

  /** What {@link DmarcRecordParser} strips from a URI as an obsolete size: written back, such a URI needs one. */
  private static final Pattern LOOKS_SIZED = Pattern.compile(".*![0-9]+[kmgtKMGT]?$");

  @FuzzTest(maxDuration = "10s")
  void aRecordParsesAndWritesBackToTheSameValues(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);

    DmarcRecordParser.Parsed parsed = DmarcRecordParser.parse(text);
    if (!(parsed instanceof DmarcRecordParser.Valid valid)) {
      return;
    }
    DmarcRecord record = valid.record();
    assertThat(record.text()).isEqualTo(text);
    String written = write(record);
    DmarcRecordParser.Parsed again = DmarcRecordParser.parse(written);
    assertThat(again).as("written back: %s", written).isInstanceOf(DmarcRecordParser.Valid.class);
    assertThat(values(((DmarcRecordParser.Valid) again).record())).as("written back: %s", written)
        .isEqualTo(values(record));
  }

  /** The values a record carries, without its text and the notes on its problems. */
  private static List<Object> values(DmarcRecord r) {
    return List.of(r.policy(), r.subdomainPolicy(), r.nonExistentDomainPolicy(), r.psd(), r.isTesting(),
        r.dkimAlignment(), r.spfAlignment(), r.aggregateReportUris(), r.failureReportUris(), r.failureOptions(),
        r.percent(), r.reportFormat(), r.reportInterval(), r.hasValidPolicy());
  }

  /**
   * The record as DMARC text. An invalid policy is written where the record lost it: p= when sp= and np= are
   * both there (so p= was the bad one), else the first of sp= and np= that is missing.
   */
  private static String write(DmarcRecord r) {
    List<String> tags = new ArrayList<>();
    tags.add("v=DMARC1");
    String invalid = "";
    if (!r.hasValidPolicy()) {
      invalid = r.subdomainPolicy().isEmpty() ? "sp" : r.nonExistentDomainPolicy().isEmpty() ? "np" : "p";
    }
    tags.add("p=" + (invalid.equals("p") ? "invalid" : r.policy().keyword()));
    r.subdomainPolicy().ifPresent(p -> tags.add("sp=" + p.keyword()));
    r.nonExistentDomainPolicy().ifPresent(p -> tags.add("np=" + p.keyword()));
    if (invalid.equals("sp") || invalid.equals("np")) {
      tags.add(invalid + "=invalid");
    }
    tags.add("psd=" + r.psd().name().toLowerCase(Locale.ROOT));
    tags.add("t=" + (r.isTesting() ? "y" : "n"));
    tags.add("adkim=" + (r.dkimAlignment() == DmarcAlignmentMode.STRICT ? "s" : "r"));
    tags.add("aspf=" + (r.spfAlignment() == DmarcAlignmentMode.STRICT ? "s" : "r"));
    if (!r.aggregateReportUris().isEmpty()) {
      tags.add("rua=" + uris(r.aggregateReportUris()));
    }
    if (!r.failureReportUris().isEmpty()) {
      tags.add("ruf=" + uris(r.failureReportUris()));
    }
    tags.add("fo=" + r.failureOptions());
    r.percent().ifPresent(p -> tags.add("pct=" + p));
    r.reportFormat().ifPresent(f -> tags.add("rf=" + f));
    r.reportInterval().ifPresent(i -> tags.add("ri=" + i));
    return String.join("; ", tags);
  }

  private static String uris(List<String> uris) {
    return String.join(",", uris.stream().map(u -> LOOKS_SIZED.matcher(u).matches() ? u + "!0" : u).toList());
  }
}
