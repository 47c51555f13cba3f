package org.postseal.dmarc.received;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the report import: any bytes, as a file given to {@code postseal report import}, through the whole reader
 * (unpacking gzip, zip and mail messages, the XML parser, the report's interpretation). Whatever the bytes, the
 * answer is a value (its reports, or a refusal with a reason), never an exception, and a report read stays within
 * the limits.
 *
 * <p>{@code mvn verify} runs it over the seed corpus in {@code ReceivedReportFuzzTestInputs/} (a report in each
 * format and the hostile files' small cousins); {@code bench/fuzz.sh report SECONDS} fuzzes it (JAZZER_FUZZ=1). A
 * finding is written next to the seeds, where it becomes a regression input.
 */
class ReceivedReportFuzzTest {

  /** Small limits, so that short runs reach them: 64 KiB in, 256 KiB out, 20 records. */
  static final ImportLimits LIMITS = new ImportLimits(64 * 1024, 256 * 1024, 400, 20, 512, 2_000, 12, 4);

  @FuzzTest(maxDuration = "8s")
  void anyFileIsReadOrRefusedWithAReason(byte[] input) {
    ReadOutcome outcome = ReceivedReportReader.read(input, LIMITS);
    if (outcome instanceof ReadOutcome.Refused refused) {
      assertThat(refused.reason()).isNotBlank();
      return;
    }
    for (ReceivedReport report : ((ReadOutcome.Read) outcome).reports()) {
      assertThat(report.rows()).hasSizeLessThanOrEqualTo(LIMITS.maxRecords());
      assertThat(report.orgName().length()).isLessThanOrEqualTo(LIMITS.maxElementChars());
      assertThat(report.identity()).hasSize(64);
      assertThat(report.end()).isAfterOrEqualTo(report.begin());
    }
  }
}
