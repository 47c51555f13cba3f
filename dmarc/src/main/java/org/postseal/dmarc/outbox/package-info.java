/**
 * Aggregate reports out of the door: {@link org.postseal.dmarc.outbox.ReportCycle} closes finished periods into the
 * outbox and delivers what is due over SMTP ({@link org.postseal.dmarc.outbox.SmtpTransport}) to each verified
 * destination ({@link org.postseal.dmarc.outbox.DestinationVerification}), retrying temporary failures.
 */
package org.postseal.dmarc.outbox;
