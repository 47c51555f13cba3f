package org.postseal.milter;

import java.util.HashMap;
import java.util.Map;
import org.nightcode.milter.Actions;
import org.nightcode.milter.MilterHandler;
import org.nightcode.milter.MilterMacros;
import org.nightcode.milter.MilterContextImpl;
import org.nightcode.milter.ProtocolSteps;
import org.nightcode.milter.net.MilterPacketSender;
import org.postseal.pipeline.ConnectionState;
import org.postseal.pipeline.MessageState;

/**
 * jmilter's per-connection context with our state attached. jmilter has one handler for all
 * connections, so everything per connection or per message lives here, never in the handler.
 *
 * <p>Threading: callbacks of one connection run one at a time on its event-loop thread. The current
 * message is detached at end of message before it is handed to the auth pool, so the two never share it.
 */
final class SessionContext extends MilterContextImpl {

  private final ConnectionState connection;
  /** MAIL FROM macros arrive in their own packet just before MAIL FROM, when no message exists yet. */
  private Map<String, String> pendingMailMacros = new HashMap<>();
  private MessageState message;

  SessionContext(MilterHandler handler, Actions actions, ProtocolSteps steps, MilterMacros macros, MilterPacketSender sender) {
    super(handler, actions, steps, macros, sender);
    this.connection = new ConnectionState(id().toString().substring(0, 8));
  }

  ConnectionState connection() {
    return connection;
  }

  Map<String, String> takePendingMailMacros() {
    Map<String, String> macros = pendingMailMacros;
    pendingMailMacros = new HashMap<>();
    return macros;
  }

  void putPendingMailMacros(Map<String, String> macros) {
    pendingMailMacros.putAll(macros);
  }

  /** The message in progress, or null between messages. */
  MessageState message() {
    return message;
  }

  void setMessage(MessageState message) {
    this.message = message;
  }

  /** Detaches the current message (end of message, abort, close); null when there was none. */
  MessageState takeMessage() {
    MessageState current = message;
    message = null;
    return current;
  }
}
