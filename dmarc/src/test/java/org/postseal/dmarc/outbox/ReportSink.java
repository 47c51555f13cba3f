package org.postseal.dmarc.outbox;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.stream.Stream;

/** A real SMTP server (GreenMail) on 127.0.0.1 and an ephemeral port, where the report mail arrives. */
public final class ReportSink implements AutoCloseable {

  public final GreenMail mail;

  public ReportSink() {
    mail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
    mail.start();
  }

  public int port() {
    return mail.getSmtp().getPort();
  }

  public List<MimeMessage> received() {
    return Stream.of(mail.getReceivedMessages()).toList();
  }

  /** The message as it arrived (headers and body as sent, GreenMail having parsed nothing away). */
  public static byte[] raw(MimeMessage message) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    message.writeTo(out);
    return out.toByteArray();
  }

  /** The application/gzip part. */
  public static BodyPart attachment(MimeMessage message) throws Exception {
    Multipart parts = (Multipart) message.getContent();
    for (int i = 0; i < parts.getCount(); i++) {
      if (parts.getBodyPart(i).getContentType().startsWith("application/gzip")) {
        return parts.getBodyPart(i);
      }
    }
    throw new AssertionError("no application/gzip part in " + message.getSubject());
  }

  @Override
  public void close() {
    mail.stop();
  }
}
