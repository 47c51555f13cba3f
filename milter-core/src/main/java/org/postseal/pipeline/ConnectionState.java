package org.postseal.pipeline;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What we know about one MTA connection (one SMTP client): its address, name and HELO, and the
 * connect-stage macros. Lives as long as the milter connection; many messages may follow.
 *
 * <p>Threading: written only on the connection's event-loop thread; messages copy what they need at
 * MAIL FROM, so the auth pool never reads this object.
 */
public final class ConnectionState {

  private final String sessionId;
  private InetAddress clientAddress;
  private String clientHost = "";
  private String helo = "";
  private final Map<String, String> connectMacros = new HashMap<>();

  public ConnectionState(String sessionId) {
    this.sessionId = sessionId;
  }

  /** Short id of the milter session, for logs. */
  public String sessionId() {
    return sessionId;
  }

  /** The SMTP client's address; empty when the MTA did not say (unknown family, or a local submission without IP). */
  public Optional<InetAddress> clientAddress() {
    return Optional.ofNullable(clientAddress);
  }

  public void setClient(String host, InetAddress address) {
    this.clientHost = host == null ? "" : host;
    this.clientAddress = address;
  }

  public String clientHost() {
    return clientHost;
  }

  public String helo() {
    return helo;
  }

  public void setHelo(String helo) {
    this.helo = helo == null ? "" : helo;
  }

  /** Connect-stage macros ({client_addr}, j, {daemon_name}); the MTA sends them just before connect. */
  public Map<String, String> connectMacros() {
    return connectMacros;
  }

  public void putConnectMacros(Map<String, String> macros) {
    connectMacros.putAll(macros);
  }

  /** Back to a fresh connection (SMFIC_QUIT_NC: a new SMTP session follows on the same socket). */
  public void reset() {
    clientAddress = null;
    clientHost = "";
    helo = "";
    connectMacros.clear();
  }
}
