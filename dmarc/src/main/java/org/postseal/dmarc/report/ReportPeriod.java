package org.postseal.dmarc.report;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * The span of time one report covers: from {@code begin} (inclusive) to {@code end} (exclusive). Periods never
 * overlap and never cross a UTC midnight: a whole UTC day normally (RFC 9990 section 3.1.1.4: "Typically, the
 * reporting period will encompass a single UTC day, beginning at 0000UTC"), or its part up to the time given
 * to {@code postseal report send --until}.
 */
public record ReportPeriod(Instant begin, Instant end) {

  public static final Duration DAY = Duration.ofDays(1);

  public ReportPeriod {
    Objects.requireNonNull(begin, "begin");
    Objects.requireNonNull(end, "end");
    if (!end.isAfter(begin)) {
      throw new IllegalArgumentException("a report period ends after it begins: " + begin + " .. " + end);
    }
    if (end.isAfter(startOfUtcDay(begin).plus(DAY))) {
      throw new IllegalArgumentException("a report period stays within one UTC day: " + begin + " .. " + end);
    }
  }

  /** The UTC day that holds {@code instant}. */
  public static ReportPeriod utcDayOf(Instant instant) {
    Instant start = startOfUtcDay(instant);
    return new ReportPeriod(start, start.plus(DAY));
  }

  /** 00:00:00 UTC of the day that holds {@code instant}. */
  public static Instant startOfUtcDay(Instant instant) {
    return instant.truncatedTo(ChronoUnit.DAYS);
  }

  /**
   * The period that begins at {@code begin} and ends at the next UTC midnight or at {@code until}, whichever comes
   * first; {@code until} must be after {@code begin}.
   */
  public static ReportPeriod from(Instant begin, Instant until) {
    Instant midnight = startOfUtcDay(begin).plus(DAY);
    return new ReportPeriod(begin, until.isBefore(midnight) ? until : midnight);
  }

  /** date_range/begin: seconds since the epoch. */
  public long beginSeconds() {
    return begin.getEpochSecond();
  }

  /** date_range/end: the last second the period holds, as the RFC's example reports and file names count it. */
  public long endSeconds() {
    return end.minusSeconds(1).getEpochSecond();
  }

  @Override
  public String toString() {
    return begin + " .. " + end;
  }
}
