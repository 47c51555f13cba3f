/**
 * DMARC aggregate reports (RFC 9990) as values: what one evaluated message leaves for a report
 * ({@link org.postseal.dmarc.report.RecordedMessage}), how a period's messages become reports
 * ({@link org.postseal.dmarc.report.ReportBuilder}), the XML in both directions, and the mail that carries a
 * report. No I/O: the store keeps these values, the outbox sends them.
 */
package org.postseal.dmarc.report;
