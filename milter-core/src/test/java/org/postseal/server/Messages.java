package org.postseal.server;

import java.nio.charset.StandardCharsets;

/** Test messages, CRLF line ends. */
public final class Messages {

  private Messages() {
  }

  public static byte[] from(String fromHeader, String extraHeaders, String body) {
    return ("From: " + fromHeader + "\r\n"
        + "To: Bob <bob@example.org>\r\n"
        + "Subject: Quarterly  numbers\r\n"
        + "\tand a folded subject\r\n"
        + "Date: Sat, 28 Nov 2026 10:00:00 +0000\r\n"
        + "Message-ID: <" + Math.abs(fromHeader.hashCode()) + "." + System.nanoTime() + "@example.com>\r\n"
        + "MIME-Version: 1.0\r\n"
        + "Content-Type: text/plain; charset=utf-8\r\n"
        + extraHeaders
        + "\r\n"
        + body).getBytes(StandardCharsets.UTF_8);
  }

  public static byte[] from(String fromHeader) {
    return from(fromHeader, "", "Hello Bob,\r\n\r\nthe numbers are attached.   \r\nGrüße\r\n\r\n\r\n");
  }

  public static String text(byte[] raw) {
    return new String(raw, StandardCharsets.UTF_8);
  }
}
