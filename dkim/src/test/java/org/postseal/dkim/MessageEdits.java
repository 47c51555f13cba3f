package org.postseal.dkim;

import java.util.ArrayList;
import java.util.List;
import org.postseal.mail.HeaderField;
import org.postseal.mail.RawMessage;

/** What the signing and verifying tests do to messages: put fields on top, swap the header or the body. */
final class MessageEdits {

  private MessageEdits() {
  }

  /** The given fields on top (as a signer inserts them), then the message's fields. */
  static RawMessage prepend(RawMessage message, List<HeaderField> fields) {
    List<HeaderField> all = new ArrayList<>(fields);
    all.addAll(message.headers());
    return new RawMessage(all, message.body());
  }

  static RawMessage withHeaders(RawMessage message, List<HeaderField> headers) {
    return new RawMessage(headers, message.body());
  }

  static RawMessage withBody(RawMessage message, byte[] body) {
    return new RawMessage(message.headers(), body);
  }
}
