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

  /** The message in progress and what it may store and holds. */
  record OpenMessage(MessageState state, MessageAccount account) {
  }

  private final ConnectionState connection;
  /** The MTA's end of the milter connection, for log lines: "127.0.0.1:41234" or "unix socket". */
  private final String peer;
  private final MemoryBudget budget;
  /** MAIL FROM macros arrive in their own packet just before MAIL FROM, when no message exists yet. */
  private Map<String, String> pendingMailMacros = new HashMap<>();
  private OpenMessage message;
  /** Payload bytes of the packet being handled now (set before jmilter parses it). */
  private int packetBytes;
  /** Budget bytes held for what the connection keeps: host name, HELO, macros. */
  private long connectionHeld;

  SessionContext(MilterHandler handler, Actions actions, ProtocolSteps steps, MilterMacros macros, MilterPacketSender sender,
                 String peer, MemoryBudget budget) {
    super(handler, actions, steps, macros, sender);
    this.connection = new ConnectionState(id().toString().substring(0, 8));
    this.peer = peer;
    this.budget = budget;
  }

  ConnectionState connection() {
    return connection;
  }

  String peer() {
    return peer;
  }

  /** True once option negotiation has completed: before, jmilter cannot answer any other command. */
  boolean isNegotiated() {
    return getSessionProtocolSteps() != null;
  }

  Map<String, String> takePendingMailMacros() {
    Map<String, String> macros = pendingMailMacros;
    pendingMailMacros = new HashMap<>();
    return macros;
  }

  void putPendingMailMacros(Map<String, String> macros) {
    pendingMailMacros.putAll(macros);
  }

  Map<String, String> pendingMailMacros() {
    return pendingMailMacros;
  }

  /** The message in progress, or null between messages. */
  OpenMessage message() {
    return message;
  }

  void setMessage(OpenMessage message) {
    this.message = message;
  }

  /** Detaches the current message (end of message, abort, close); null when there was none. */
  OpenMessage takeMessage() {
    OpenMessage current = message;
    message = null;
    return current;
  }

  int packetBytes() {
    return packetBytes;
  }

  void setPacketBytes(int bytes) {
    this.packetBytes = bytes;
  }

  /**
   * Holds budget for {@code chars} characters of connection state (replacing what was held before); false,
   * holding what it held, when the budget cannot take the growth.
   */
  boolean holdConnectionState(long chars) {
    long bytes = chars * MessageAccount.HEAP_BYTES_PER_BYTE;
    long delta = bytes - connectionHeld;
    if (delta > 0 && !budget.reserve(delta)) {
      return false;
    }
    budget.release(-delta);
    connectionHeld = bytes;
    return true;
  }

  /** Characters of the connection state kept now: host name, HELO, connect macros, pending MAIL FROM macros. */
  long connectionStateChars() {
    long chars = connection.clientHost().length() + connection.helo().length();
    for (Map.Entry<String, String> e : connection.connectMacros().entrySet()) {
      chars += e.getKey().length() + e.getValue().length();
    }
    for (Map.Entry<String, String> e : pendingMailMacros.entrySet()) {
      chars += e.getKey().length() + e.getValue().length();
    }
    return chars;
  }

  /** The connection is over: its state's budget goes back. */
  void releaseConnectionState() {
    budget.release(connectionHeld);
    connectionHeld = 0;
  }
}
