package org.postseal.milter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postseal.config.ListenAddress;
import org.postseal.mail.HeaderField;
import org.postseal.milter.client.Envelope;
import org.postseal.milter.client.MilterClient;
import org.postseal.milter.client.MilterProtocol;
import org.postseal.milter.client.Modification;
import org.postseal.milter.client.Negotiated;
import org.postseal.pipeline.Direction;

/** The protocol adapter over a real socket, with a scripted pipeline: what reaches the pipeline and what the MTA gets back. */
class AuthMilterHandlerTest {

  private static final String MESSAGE = "From: Alice <alice@example.com>\r\n"
      + "To: bob@example.org\r\n"
      + "Subject:  two spaces\r\n"
      + "X-Tab:\tvalue after a tab\r\n"
      + "X-Folded: first\r\n\tsecond\r\n  third\r\n"
      + "\r\n"
      + "Hello Bob,\r\n\r\nline two\r\n";

  private final ScriptedPipeline pipeline = new ScriptedPipeline();
  private MilterServer server;

  @BeforeEach
  void start() throws IOException {
    server = MilterServer.start(new ListenAddress.Inet("127.0.0.1", 0), pipeline, Duration.ofSeconds(2));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private FakeMta mta(MilterClient.Options options) throws IOException {
    return FakeMta.connect(server.boundAddress(), options);
  }

  private static byte[] message(String extraHeaders) {
    return (extraHeaders + MESSAGE).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void negotiatesOnlyTheActionsItUsesLeadingSpaceAndItsMacros() throws IOException {
    try (FakeMta mta = mta(FakeMta.postfix())) {
      Negotiated n = mta.negotiated();
      assertThat(n.version()).isEqualTo(6);
      // SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE | SMFIF_SETSYMLIST
      assertThat(n.actions()).isEqualTo(0x131);
      assertThat(n.has(MilterProtocol.SMFIP_HDR_LEADSPC)).isTrue();
      assertThat(n.has(MilterProtocol.SMFIP_NOHREPL)).isTrue();
      assertThat(n.has(MilterProtocol.SMFIP_NR_BODY)).isTrue();
      assertThat(n.has(MilterProtocol.SMFIP_NOCONNECT | MilterProtocol.SMFIP_NOHDRS | MilterProtocol.SMFIP_NOBODY
          | MilterProtocol.SMFIP_NOEOH)).isFalse();
      assertThat(n.macroLists()).containsEntry(0, "j {daemon_name} {client_addr} {client_name}")
          .containsEntry(2, "i {auth_type} {auth_authen}").containsEntry(5, "i");
    }
  }

  @ParameterizedTest(name = "leading space negotiated: {0}")
  @ValueSource(booleans = {true, false})
  void headerFieldsReachThePipelineExactlyAsWritten(boolean leadingSpace) throws IOException {
    try (FakeMta mta = mta(FakeMta.postfix().withLeadingSpace(leadingSpace).withNoReply(!leadingSpace))) {
      assertThat(mta.negotiated().has(MilterProtocol.SMFIP_HDR_LEADSPC)).isEqualTo(leadingSpace);
      FakeMta.MilterOutcome outcome = mta.send(FakeMta.envelope("203.0.113.5"), message(""));
      assertThat(outcome.reply().isContinue()).isTrue();
    }
    ScriptedPipeline.Seen seen = pipeline.decided.get(0);
    assertThat(seen.headers()).containsExactly(
        new HeaderField("From", " Alice <alice@example.com>"),
        new HeaderField("To", " bob@example.org"),
        new HeaderField("Subject", "  two spaces"),
        new HeaderField("X-Tab", "\tvalue after a tab"),
        new HeaderField("X-Folded", " first\r\n\tsecond\r\n  third"));
    assertThat(new String(seen.body(), StandardCharsets.UTF_8)).isEqualTo("Hello Bob,\r\n\r\nline two\r\n");
    assertThat(seen.direction()).isEqualTo(Direction.INBOUND);
    assertThat(seen.client()).isEqualTo("203.0.113.5");
  }

  @ParameterizedTest(name = "chunk size {0}")
  @ValueSource(ints = {1, 1000, 65535})
  void bodyChunksOfAnySizeArriveWholeAndInOrder(int chunkSize) throws IOException {
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < 3000; i++) {
      body.append("line ").append(i).append(" of a long body\r\n");
    }
    byte[] raw = ("From: a@example.com\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8);
    try (FakeMta mta = mta(FakeMta.postfix().withChunkSize(chunkSize))) {
      mta.send(FakeMta.envelope("203.0.113.5"), raw);
    }
    assertThat(new String(pipeline.decided.get(0).body(), StandardCharsets.UTF_8)).isEqualTo(body.toString());
  }

  @ParameterizedTest(name = "leading space negotiated: {0}")
  @ValueSource(booleans = {true, false})
  void insertedFieldsArriveFoldedWithBareLfAndAtTheTop(boolean leadingSpace) throws IOException {
    byte[] raw = message("X-Edit: insert-folded\r\n");
    FakeMta.MilterOutcome outcome;
    try (FakeMta mta = mta(FakeMta.postfix().withLeadingSpace(leadingSpace))) {
      outcome = mta.send(FakeMta.envelope("203.0.113.5"), raw);
    }
    assertThat(outcome.changes()).singleElement().isInstanceOfSatisfying(Modification.Insert.class, insert -> {
      assertThat(insert.index()).isZero();
      assertThat(insert.name()).isEqualTo("X-Inserted");
      // jmilter adds the leading space itself when leading space was negotiated; Postfix adds it otherwise
      assertThat(insert.value()).isEqualTo(leadingSpace ? " first line\n\tsecond line" : "first line\n\tsecond line");
    });
    assertThat(new String(outcome.applyTo(raw), StandardCharsets.UTF_8))
        .startsWith("X-Inserted: first line\r\n\tsecond line\r\nX-Edit: insert-folded\r\nFrom: Alice");
  }

  @Test
  void deletionNamesTheOccurrenceOfThatFieldName() throws IOException {
    byte[] raw = message("X-Old: one\r\nX-Edit: delete-second-x-old\r\nX-Old: two\r\nX-Old: three\r\n");
    FakeMta.MilterOutcome outcome;
    try (FakeMta mta = mta(FakeMta.postfix())) {
      outcome = mta.send(FakeMta.envelope("203.0.113.5"), raw);
    }
    assertThat(outcome.changes()).containsExactly(new Modification.Change(2, "X-Old", ""));
    String delivered = new String(outcome.applyTo(raw), StandardCharsets.UTF_8);
    assertThat(delivered).contains("X-Old: one\r\n").contains("X-Old: three\r\n").doesNotContain("X-Old: two");
  }

  @ParameterizedTest(name = "failure at {0}")
  @ValueSource(strings = {"eoh", "body", "decide"})
  void internalErrorPassesInboundMailUnchangedAndKeepsTheConnection(String step) throws IOException {
    try (FakeMta mta = mta(FakeMta.postfix())) {
      FakeMta.MilterOutcome failed = mta.send(FakeMta.envelope("203.0.113.5"), message("X-Fail: " + step + "\r\n"));
      assertThat(failed.reply().isContinue()).isTrue();
      assertThat(failed.changes()).isEmpty();
      assertThat(mta.isOpen()).isTrue();
      FakeMta.MilterOutcome next = mta.send(FakeMta.envelope("203.0.113.5"), message("X-Edit: insert-folded\r\n"));
      assertThat(next.changes()).hasSize(1);
    }
  }

  @ParameterizedTest(name = "failure at {0}")
  @ValueSource(strings = {"eoh", "body", "decide"})
  void internalErrorTempfailsOutboundMailAndKeepsTheConnection(String step) throws IOException {
    try (FakeMta mta = mta(FakeMta.postfix())) {
      Envelope envelope = FakeMta.envelope("203.0.113.5").withAuthUser("alice");
      FakeMta.MilterOutcome failed = mta.send(envelope, message("X-Fail: " + step + "\r\n"));
      assertThat(failed.reply().smtpCode()).contains(451);
      assertThat(failed.reply().text()).startsWith("451 4.7.1 ");
      assertThat(failed.changes()).isEmpty();
      assertThat(mta.isOpen()).isTrue();
      assertThat(mta.send(envelope, message("")).reply().isContinue()).isTrue();
    }
  }

  @Test
  void ipv6ClientsAreTakenFromTheClientAddrMacro() throws IOException {
    try (FakeMta mta = mta(FakeMta.postfix())) {
      mta.send(FakeMta.envelope("2001:db8::25"), message(""));
    }
    assertThat(pipeline.decided.get(0).client()).as("logged in RFC 5952 form").isEqualTo("2001:db8::25");
  }

  @Test
  void messagesOnOneConnectionKeepTheirOwnStateAcrossAnAbort() throws Exception {
    try (FakeMta mta = mta(FakeMta.postfix())) {
      mta.send(FakeMta.envelope("203.0.113.5").withQueueId("FIRST").withAuthUser("alice"),
          "Subject: first\r\n\r\nbody one\r\n".getBytes(StandardCharsets.UTF_8));
      mta.mailFrom("<aborted@example.net>", Map.of());
      mta.header("Subject", " aborted", Map.of());
      mta.abort();
      mta.send(FakeMta.envelope("203.0.113.5").withQueueId("SECOND").withMailFrom("<second@example.net>"),
          "Subject: second\r\n\r\nbody two\r\n".getBytes(StandardCharsets.UTF_8));
    }
    assertThat(pipeline.decided).hasSize(2);
    ScriptedPipeline.Seen first = pipeline.decided.get(0);
    ScriptedPipeline.Seen second = pipeline.decided.get(1);
    assertThat(first.queueId()).isEqualTo("FIRST");
    assertThat(first.direction()).isEqualTo(Direction.OUTBOUND);
    assertThat(second.queueId()).isEqualTo("SECOND");
    assertThat(second.direction()).isEqualTo(Direction.INBOUND);
    assertThat(second.mailFrom()).isEqualTo("<second@example.net>");
    assertThat(second.macros()).doesNotContainKey("{auth_authen}");
    assertThat(second.headers()).containsExactly(new HeaderField("Subject", " second"));
    assertThat(new String(second.body(), StandardCharsets.UTF_8)).isEqualTo("body two\r\n");
    awaitNoMessageInFlight();
  }

  private void awaitNoMessageInFlight() throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (server.messagesInFlight() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(server.messagesInFlight()).isZero();
  }

  /** A header or body packet over the limit costs only its message (Issue11Test); any other closes the connection. */
  @Test
  void anOversizedFrameClosesThatConnectionOnly() throws IOException {
    try (FakeMta abuser = mta(FakeMta.postfix()); FakeMta other = mta(FakeMta.postfix())) {
      abuser.writeRaw(new byte[] {0x7f, 0, 0, 0, 'M'});
      assertThat(abuser.isOpen()).isFalse();
      assertThat(other.send(FakeMta.envelope("203.0.113.5"), message("")).reply().isContinue()).isTrue();
    }
  }

  @Test
  void closeLetsAMessageInFlightFinish() throws Exception {
    FakeMta mta = mta(FakeMta.postfix());
    java.util.concurrent.CompletableFuture<FakeMta.MilterOutcome> outcome = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return mta.send(FakeMta.envelope("203.0.113.5"), message("X-Delay: 700\r\n"));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (server.messagesInFlight() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    server.close();
    assertThat(outcome.get().reply().isContinue()).isTrue();
    assertThatThrownBy(() -> FakeMta.connect(server.boundAddress())).isInstanceOf(IOException.class);
  }

  @Test
  void bindingAPortInUseFailsNamingTheAddressAndTheCause() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> MilterServer.start(new ListenAddress.Inet("127.0.0.1", taken.getLocalPort()), pipeline,
          Duration.ofSeconds(1)))
          .isInstanceOf(IOException.class)
          .hasMessage("cannot listen on inet:127.0.0.1:" + taken.getLocalPort() + ": Address already in use");
    }
  }
}
