package org.postseal.dmarc.outbox;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * Submits one message over plain SMTP (RFC 5321) to reports.smtp, normally the local Postfix, which signs it
 * through our own milter (outbound: the client is internal) and relays it with its own TLS and retries. One
 * connection per message: EHLO, MAIL FROM, one RCPT TO, DATA, QUIT. Dot-stuffing is done here (RFC 5321 section
 * 4.5.2). Every reply code decides: 2xx goes on, 4xx and a lost connection are temporary, 5xx permanent.
 * Thread-safe (no state between calls).
 */
public final class SmtpTransport {

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);
  /**
   * How long one reply may take. RFC 5321 section 4.5.3.2 suggests minutes (10 for the end of DATA) for servers on
   * the Internet; ours is the local MTA, which answers in milliseconds unless it is in trouble.
   */
  public static final Duration DEFAULT_REPLY_TIMEOUT = Duration.ofMinutes(2);
  /** Longest reply line we read: RFC 5321 section 4.5.3.1.5 allows 512 octets. */
  private static final int MAX_LINE = 4096;

  private final String host;
  private final int port;
  private final String helo;
  private final Duration connectTimeout;
  private final Duration replyTimeout;

  /**
   * @param helo the name we give in EHLO: the receiver domain of our reports
   */
  public SmtpTransport(String host, int port, String helo) {
    this(host, port, helo, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REPLY_TIMEOUT);
  }

  public SmtpTransport(String host, int port, String helo, Duration connectTimeout, Duration replyTimeout) {
    this.host = Objects.requireNonNull(host, "host");
    this.port = port;
    this.helo = Objects.requireNonNull(helo, "helo");
    this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
    this.replyTimeout = Objects.requireNonNull(replyTimeout, "replyTimeout");
  }

  /** "HOST:PORT", for logs. */
  public String server() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /**
   * Submits {@code message} (CRLF line ends) from {@code mailFrom} to {@code rcptTo}. Never throws for what the
   * network or the server does: that is the outcome.
   */
  public SmtpOutcome send(String mailFrom, String rcptTo, byte[] message) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), (int) connectTimeout.toMillis());
      socket.setSoTimeout((int) replyTimeout.toMillis());
      InputStream in = socket.getInputStream();
      OutputStream out = new BufferedOutputStream(socket.getOutputStream());
      Reply greeting = Reply.read(in);
      if (!greeting.isPositive()) {
        return failure("greeting", greeting);
      }
      Reply ehlo = command(out, in, "EHLO " + helo);
      if (ehlo.code() >= 500) {
        // RFC 5321 section 3.2: a server that does not know EHLO gets HELO
        ehlo = command(out, in, "HELO " + helo);
      }
      if (!ehlo.isPositive()) {
        return failure("EHLO", ehlo);
      }
      Reply mail = command(out, in, "MAIL FROM:<" + mailFrom + ">");
      if (!mail.isPositive()) {
        return failure("MAIL FROM", mail);
      }
      Reply rcpt = command(out, in, "RCPT TO:<" + rcptTo + ">");
      if (!rcpt.isPositive()) {
        return failure("RCPT TO", rcpt);
      }
      Reply data = command(out, in, "DATA");
      if (data.code() != 354) {
        return failure("DATA", data);
      }
      out.write(dotStuffed(message));
      out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Reply end = Reply.read(in);
      if (!end.isPositive()) {
        return failure("end of DATA", end);
      }
      try {
        command(out, in, "QUIT");
      } catch (IOException ignored) {
        // the message is accepted: how the server says goodbye does not matter
      }
      return new SmtpOutcome.Accepted(end.text());
    } catch (IOException e) {
      return new SmtpOutcome.TemporaryFailure("no SMTP conversation with " + server() + ": " + e.getMessage());
    }
  }

  private static SmtpOutcome failure(String step, Reply reply) {
    String text = reply.text() + " (after " + step + ")";
    return reply.code() >= 500 ? new SmtpOutcome.PermanentFailure(text) : new SmtpOutcome.TemporaryFailure(text);
  }

  private static Reply command(OutputStream out, InputStream in, String line) throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return Reply.read(in);
  }

  /** The message with every line that starts with "." doubled, ending in CRLF. */
  static byte[] dotStuffed(byte[] message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + 64);
    boolean lineStart = true;
    for (byte b : message) {
      if (lineStart && b == '.') {
        out.write('.');
      }
      out.write(b);
      lineStart = b == '\n';
    }
    if (!lineStart) {
      out.write('\r');
      out.write('\n');
    }
    return out.toByteArray();
  }

  /** One reply, all its lines; {@code text} joins them with " / ". */
  record Reply(int code, String text) {

    boolean isPositive() {
      return code >= 200 && code < 400;
    }

    static Reply read(InputStream in) throws IOException {
      StringBuilder text = new StringBuilder();
      while (true) {
        String line = readLine(in);
        if (line.length() < 3 || !Character.isDigit(line.charAt(0)) || !Character.isDigit(line.charAt(1))
            || !Character.isDigit(line.charAt(2))) {
          throw new IOException("not an SMTP reply: \"" + line + "\"");
        }
        text.append(text.length() == 0 ? "" : " / ").append(line);
        if (line.length() == 3 || line.charAt(3) != '-') {
          return new Reply(Integer.parseInt(line.substring(0, 3)), text.toString());
        }
      }
    }

    private static String readLine(InputStream in) throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) != -1) {
        if (b == '\n') {
          String s = line.toString(StandardCharsets.UTF_8);
          return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
        }
        if (line.size() < MAX_LINE) {
          line.write(b);
        }
      }
      throw new IOException("the server closed the connection");
    }
  }
}
