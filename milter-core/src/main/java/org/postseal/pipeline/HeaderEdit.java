package org.postseal.pipeline;

import org.postseal.mail.HeaderField;

/** One change to the message header, applied by the MTA at end of message in the order given. */
public sealed interface HeaderEdit {

  /**
   * Insert {@code field} before the header field at {@code index}: 0 is the very top (libmilter and
   * Postfix semantics; Postfix adds 1 internally and counts its own Received: field).
   */
  record Insert(int index, HeaderField field) implements HeaderEdit {
  }

  /**
   * Remove the {@code occurrence}-th field called {@code name} (1-based, counted among the fields of
   * that name as the MTA sent them to us; milter protocol SMFIR_CHGHEADER with an empty value).
   */
  record Delete(String name, int occurrence) implements HeaderEdit {
  }
}
