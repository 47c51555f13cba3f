package org.postseal.dmarc.received;

/**
 * Why a received file is refused, thrown inside the reader only: {@link ReceivedReportReader#read} turns it into
 * a {@link ReadOutcome.Refused} value. The message is the reason shown to the administrator.
 */
final class Refusal extends Exception {

  Refusal(String reason) {
    super(reason, null, false, false);
  }

  Refusal(String reason, Throwable cause) {
    super(reason, cause, false, false);
  }
}
