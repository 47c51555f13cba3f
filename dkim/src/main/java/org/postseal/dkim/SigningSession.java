package org.postseal.dkim;

import java.util.List;
import org.postseal.mail.HeaderField;

/**
 * Signing of one message: created from its headers by {@link DkimSigner#start}, fed the body, then
 * {@link #finish()} once. Not thread-safe; one per message.
 */
public interface SigningSession extends BodySink {

  /**
   * Computes the signatures. Returns one DKIM-Signature field per key, in the order the keys were
   * given; the caller inserts them at the top of the header. Values are folded with CRLF + TAB and
   * start with a space.
   */
  List<HeaderField> finish();
}
