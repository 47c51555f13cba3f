package org.postseal.dmarc.outbox;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An SMTP server on 127.0.0.1 that answers the end of DATA of its n-th connection with the n-th scripted reply (the
 * last one repeats), and everything else with 250: how a relay that defers, refuses or accepts is played in tests.
 * Records each message it accepted, dot-stuffing undone.
 */
final class ScriptedSmtpServer implements AutoCloseable {

  private final ServerSocket socket;
  private final List<String> replies;
  private final List<String> accepted = Collections.synchronizedList(new ArrayList<>());
  private final Thread thread;
  private int connections;

  ScriptedSmtpServer(String... endOfDataReplies) throws IOException {
    socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    replies = List.of(endOfDataReplies);
    thread = new Thread(this::serve, "scripted-smtp");
    thread.setDaemon(true);
    thread.start();
  }

  int port() {
    return socket.getLocalPort();
  }

  List<String> accepted() {
    return List.copyOf(accepted);
  }

  synchronized int connections() {
    return connections;
  }

  private void serve() {
    while (!socket.isClosed()) {
      try (Socket client = socket.accept()) {
        String reply;
        synchronized (this) {
          reply = replies.get(Math.min(connections, replies.size() - 1));
          connections++;
        }
        converse(client, reply);
      } catch (IOException e) {
        // closed, or the client went away: next connection
      }
    }
  }

  private void converse(Socket client, String endOfData) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
    OutputStream out = client.getOutputStream();
    write(out, "220 scripted.test ESMTP");
    String line;
    while ((line = in.readLine()) != null) {
      String command = line.toUpperCase(java.util.Locale.ROOT);
      if (command.startsWith("EHLO")) {
        write(out, "250-scripted.test\r\n250 8BITMIME");
      } else if (command.startsWith("DATA")) {
        write(out, "354 go on");
        StringBuilder message = new StringBuilder();
        while ((line = in.readLine()) != null && !line.equals(".")) {
          message.append(line.startsWith("..") ? line.substring(1) : line).append("\r\n");
        }
        if (endOfData.startsWith("2")) {
          accepted.add(message.toString());
        }
        write(out, endOfData);
      } else if (command.startsWith("QUIT")) {
        write(out, "221 bye");
        return;
      } else {
        write(out, "250 ok");
      }
    }
  }

  private static void write(OutputStream out, String reply) throws IOException {
    out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
