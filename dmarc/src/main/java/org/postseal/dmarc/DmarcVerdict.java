package org.postseal.dmarc;

import java.util.Objects;

/**
 * What DMARC concluded about one message and what is done with it.
 *
 * @param result      the dmarc= result, with its cause
 * @param disposition the action under the local settings, with the SMTP reply when the message is refused
 */
public record DmarcVerdict(DmarcResult result, DmarcDisposition disposition) {

  public DmarcVerdict {
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(disposition, "disposition");
  }
}
