package org.postseal.dmarc.store;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the results store and the report outbox did since this process started: the numbers for metrics
 * ({@code postseal_dmarc_*}) and the log. Thread-safe; monotonic.
 */
public final class ReportingCounters {

  private final AtomicLong rowsStored = new AtomicLong();
  private final AtomicLong rowsDropped = new AtomicLong();
  private final AtomicLong reportsBuilt = new AtomicLong();
  private final AtomicLong reportsSent = new AtomicLong();
  private final AtomicLong reportsFailed = new AtomicLong();

  /** Evaluated messages written to the database. */
  public long rowsStored() {
    return rowsStored.get();
  }

  /** Evaluated messages lost: the queue was full, or the database refused the write. */
  public long rowsDropped() {
    return rowsDropped.get();
  }

  /** Reports built and put in the outbox (one per policy domain, configuration and period; parts counted). */
  public long reportsBuilt() {
    return reportsBuilt.get();
  }

  /** Report mails accepted by the SMTP server, one per destination. */
  public long reportsSent() {
    return reportsSent.get();
  }

  /** Report mails given up: a 5xx reply, retries exhausted, or an external destination that is not verified. */
  public long reportsFailed() {
    return reportsFailed.get();
  }

  void addRowsStored(long n) {
    rowsStored.addAndGet(n);
  }

  /** Also for messages that found no store to go to (the database not open yet). */
  public void addRowsDropped(long n) {
    rowsDropped.addAndGet(n);
  }

  void addReportsBuilt(long n) {
    reportsBuilt.addAndGet(n);
  }

  void addReportSent() {
    reportsSent.incrementAndGet();
  }

  void addReportFailed() {
    reportsFailed.incrementAndGet();
  }

  @Override
  public String toString() {
    return "rows stored " + rowsStored() + ", dropped " + rowsDropped() + "; reports built " + reportsBuilt()
        + ", sent " + reportsSent() + ", failed " + reportsFailed();
  }
}
