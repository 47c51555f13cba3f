package org.postseal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postseal.server.RunningPostseal.AUTHSERV_ID;
import static org.postseal.server.RunningPostseal.INTERNAL_IP;
import static org.postseal.server.RunningPostseal.OUTSIDE_IP;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postseal.dkim.DkimOutcome;
import org.postseal.dkim.DkimResult;
import org.postseal.dns.FakeDnsServer;
import org.postseal.milter.FakeMta;
import org.postseal.milter.FakeMta.MilterOutcome;
import org.postseal.milter.client.MilterClient;
import org.postseal.milter.client.MilterProtocol;
import org.postseal.milter.client.Modification;
import org.postseal.pipeline.ConnectionState;
import org.postseal.pipeline.MessagePipeline;
import org.postseal.pipeline.MessageState;
import org.postseal.pipeline.MessageVerdict;

/**
 * Postseal end to end: a real server on a socket, keys on disk, a fake DNS server, and a fake MTA
 * speaking the milter protocol. Each scenario scripts the DNS, runs the message, checks the changes.
 */
class PostsealServerTest {

  private static final String SIGNING = "domains = [\"example.com\", \"rsa-only.example\", \"ghost.example\", \"slow.example\","
      + " \"later.example\"]\nalgorithms = [\"rsa-sha256\", \"ed25519-sha256\"]";

  @TempDir
  static Path stateDir;
  static FakeDnsServer dns;
  static RunningPostseal postseal;

  @BeforeAll
  static void start() {
    dns = FakeDnsServer.start();
    TestKeys.writePrivateKey(stateDir, "example.com", "rsa2026", TestKeys.RSA.getPrivate());
    TestKeys.writePrivateKey(stateDir, "example.com", "ed2026", TestKeys.ED25519.getPrivate());
    TestKeys.writePrivateKey(stateDir, "rsa-only.example", "main", TestKeys.RSA_OTHER.getPrivate());
    TestKeys.writePrivateKey(stateDir, "ghost.example", "ghost", TestKeys.RSA_OTHER.getPrivate());
    TestKeys.writePrivateKey(stateDir, "slow.example", "slow", TestKeys.RSA_OTHER.getPrivate());
    dns.load(TestKeys.txtRecord("example.com", "rsa2026", TestKeys.RSA.getPublic())
        + TestKeys.txtRecord("example.com", "ed2026", TestKeys.ED25519.getPublic())
        + TestKeys.txtRecord("rsa-only.example", "main", TestKeys.RSA_OTHER.getPublic())
        + TestKeys.txtRecord("slow.example", "slow", TestKeys.RSA_OTHER.getPublic()));
    // these scenarios are about DKIM: mail From our signing domains arriving from outside is judged by DMARC in
    // DmarcMilterTest, here it must pass so that its Authentication-Results can be read
    postseal = RunningPostseal.start(stateDir, dns, SIGNING, "[dmarc]\nprotect-own-domains = false\n",
        PostsealServerTest::failOnDemand);
  }

  @AfterAll
  static void stop() {
    postseal.close();
    dns.close();
  }

  /** Signs {@code raw} through the milter as outbound mail and returns the message as delivered. */
  private static byte[] signed(byte[] raw) throws IOException {
    MilterOutcome outcome = postseal.send(FakeMta.envelope(INTERNAL_IP), raw);
    assertThat(outcome.reply().isContinue()).isTrue();
    assertThat(outcome.inserted("DKIM-Signature")).isNotEmpty();
    return outcome.applyTo(raw);
  }

  /** The dkim= entries of an Authentication-Results value as "result d/s/a", the reason comment left out. */
  private static List<String> dkimEntries(String authResults) {
    List<String> entries = new ArrayList<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(
        "dkim=([a-z]+)(?: \\((?:[^()\\\\]|\\\\.)*\\))?(?: header\\.d=(\\S+))?(?: header\\.s=(\\S+))?(?: header\\.a=([^\\s;]+))?")
        .matcher(authResults);
    while (m.find()) {
      entries.add(m.group(1) + " " + m.group(2) + "/" + m.group(3) + "/" + m.group(4));
    }
    return entries;
  }

  /** Header text with folds undone, so assertions do not depend on where a writer folds. */
  private static String unfolded(String text) {
    return text.replace("\r\n\t", " ").replace("\r\n ", "  ");
  }

  /** The Authentication-Results value our milter adds to {@code raw} arriving from outside. */
  private static String authResults(byte[] raw) throws IOException {
    MilterOutcome outcome = postseal.send(FakeMta.envelope(OUTSIDE_IP), raw);
    assertThat(outcome.reply().isContinue()).isTrue();
    return outcome.insertedValue("Authentication-Results");
  }

  @Test
  void outboundMailFromAnInternalClientIsSignedWithEveryConfiguredAlgorithm() throws IOException {
    byte[] raw = Messages.from("Alice <alice@example.com>");
    MilterOutcome outcome = postseal.send(FakeMta.envelope(INTERNAL_IP), raw);

    List<String> signatures = outcome.inserted("DKIM-Signature");
    assertThat(signatures).hasSize(2);
    assertThat(outcome.changes()).allSatisfy(c ->
        assertThat(((Modification.Insert) c).index()).isZero());
    byte[] delivered = outcome.applyTo(raw);
    String text = unfolded(Messages.text(delivered));
    // RSA first at the very top, then Ed25519 (RFC 8463 signatures sit beside RSA ones)
    assertThat(text).startsWith("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=rsa2026; t=");
    assertThat(text.substring(text.indexOf("\r\nDKIM-Signature:") + 2))
        .startsWith("DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; d=example.com; s=ed2026; t=");
    // From oversigned, the usual set signed
    assertThat(text).contains("h=from:to:subject:date:message-id:mime-version: content-type:from:");
    assertThat(postseal.verifyDirectly(delivered)).extracting(DkimResult::outcome, DkimResult::domain, DkimResult::selector)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(DkimOutcome.PASS, "example.com", "rsa2026"),
            org.assertj.core.groups.Tuple.tuple(DkimOutcome.PASS, "example.com", "ed2026"));
    assertThat(outcome.endOfMessageTime()).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void onlyTheConfiguredAlgorithmsSign() throws IOException {
    try (RunningPostseal rsaOnly = RunningPostseal.start(stateDir, dns, "domains = [\"example.com\"]\nalgorithms = [\"rsa-sha256\"]",
        "", UnaryOperator.identity())) {
      byte[] raw = Messages.from("alice@example.com");
      MilterOutcome outcome = rsaOnly.send(FakeMta.envelope(INTERNAL_IP), raw);
      assertThat(outcome.inserted("DKIM-Signature")).singleElement().asString().contains("a=rsa-sha256;");
      assertThat(rsaOnly.verifyDirectly(outcome.applyTo(raw))).extracting(DkimResult::outcome).containsExactly(DkimOutcome.PASS);
    }
  }

  @Test
  void aDomainWithOnlyAnRsaKeyGetsOneSignature() throws IOException {
    byte[] delivered = signed(Messages.from("carol@rsa-only.example"));
    assertThat(postseal.verifyDirectly(delivered)).extracting(DkimResult::outcome, DkimResult::algorithm)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(DkimOutcome.PASS, "rsa-sha256"));
  }

  @Test
  void anAuthenticatedClientFromOutsideIsSigned() throws IOException {
    byte[] raw = Messages.from("alice@example.com");
    MilterOutcome outcome = postseal.send(FakeMta.envelope(OUTSIDE_IP).withAuthUser("alice"), raw);
    assertThat(outcome.inserted("DKIM-Signature")).hasSize(2);
    assertThat(outcome.inserted("Authentication-Results")).isEmpty();
  }

  @Test
  void anOutsideClientWithOurFromIsNotSignedAndGetsAuthenticationResults() throws IOException {
    byte[] raw = Messages.from("Alice <alice@example.com>");
    MilterOutcome outcome = postseal.send(FakeMta.envelope(OUTSIDE_IP), raw);
    assertThat(outcome.inserted("DKIM-Signature")).isEmpty();
    assertThat(outcome.insertedValue("Authentication-Results")).startsWith(" " + AUTHSERV_ID + ";\r\n\tdkim=none;\r\n\tspf=");
  }

  @Test
  void inboundMailSignedWithBothAlgorithmsGetsADkimPassPerSignature() throws IOException {
    byte[] delivered = signed(Messages.from("Alice <alice@example.com>"));
    String ar = authResults(delivered);
    assertThat(ar).startsWith(" " + AUTHSERV_ID + ";\r\n\tdkim=pass ");
    assertThat(dkimEntries(ar)).containsExactly("pass example.com/rsa2026/rsa-sha256", "pass example.com/ed2026/ed25519-sha256");
    // RFC 6008: header.b tells the signatures apart
    assertThat(ar).containsPattern("header\\.a=rsa-sha256 header\\.b=\"[A-Za-z0-9+/]{8,}\";");
  }

  @Test
  void aTamperedBodyFails() throws IOException {
    String delivered = Messages.text(signed(Messages.from("carol@rsa-only.example")));
    byte[] tampered = delivered.replace("the numbers are attached", "the numbers are different").getBytes(StandardCharsets.UTF_8);
    assertThat(dkimEntries(authResults(tampered))).containsExactly("fail rsa-only.example/main/rsa-sha256");
  }

  @Test
  void aTamperedSignedHeaderFails() throws IOException {
    String delivered = Messages.text(signed(Messages.from("carol@rsa-only.example")));
    byte[] tampered = delivered.replace("Quarterly  numbers", "Quarterly  profits").getBytes(StandardCharsets.UTF_8);
    assertThat(dkimEntries(authResults(tampered))).containsExactly("fail rsa-only.example/main/rsa-sha256");
  }

  @Test
  void anUnknownSelectorIsPermerror() throws IOException {
    // ghost.example has a key on disk but none published: serve does not sign with it (issue 11), and a message
    // signed with it elsewhere finds no key
    byte[] raw = Messages.from("dan@ghost.example");
    assertThat(postseal.send(FakeMta.envelope(INTERNAL_IP), raw).inserted("DKIM-Signature")).isEmpty();
    org.postseal.mail.RawMessage message = org.postseal.mail.RawMessage.parse(raw);
    org.postseal.dkim.SigningSession session = new org.postseal.dkim.DkimSigner(RunningPostseal.CLOCK).start(
        message.headers(), List.of(new org.postseal.dkim.SigningKey("ghost.example", "ghost",
            org.postseal.dkim.DkimAlgorithm.RSA_SHA256, TestKeys.RSA_OTHER.getPrivate())));
    session.body(message.body());
    byte[] signature = ("DKIM-Signature:" + session.finish().get(0).value() + "\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    byte[] delivered = new byte[signature.length + raw.length];
    System.arraycopy(signature, 0, delivered, 0, signature.length);
    System.arraycopy(raw, 0, delivered, signature.length, raw.length);
    assertThat(dkimEntries(authResults(delivered))).containsExactly("permerror ghost.example/ghost/rsa-sha256");
  }

  @Test
  void aDnsTimeoutIsTemperrorAndTheReplyStillArrivesInTime() throws IOException {
    byte[] delivered = signed(Messages.from("erin@slow.example"));
    dns.failWith("slow._domainkey.slow.example", FakeDnsServer.Failure.TIMEOUT);
    try {
      MilterOutcome outcome = postseal.send(FakeMta.envelope(OUTSIDE_IP), delivered);
      assertThat(dkimEntries(outcome.insertedValue("Authentication-Results")))
          .containsExactly("temperror slow.example/slow/rsa-sha256");
      // dns.timeout is 500 ms; the message waits at most two DNS timeouts
      assertThat(outcome.endOfMessageTime()).isLessThan(Duration.ofMillis(1500));
    } finally {
      dns.clearFailures();
    }
  }

  @Test
  void forgedAuthenticationResultsWithOurAuthservIdAreRemovedAndOthersStay() throws IOException {
    byte[] raw = Messages.from("someone@elsewhere.example",
        "Authentication-Results: " + AUTHSERV_ID + "; dkim=pass header.d=bank.example\r\n"
            + "Authentication-Results: other.example; spf=pass smtp.mailfrom=elsewhere.example\r\n"
            + "Authentication-Results: MX.Postseal.Test.; dmarc=pass\r\n", "body\r\n");
    MilterOutcome outcome = postseal.send(FakeMta.envelope(OUTSIDE_IP), raw);
    // highest occurrence first, then our own field at the top
    assertThat(outcome.changes()).startsWith(
        new Modification.Change(3, "Authentication-Results", ""),
        new Modification.Change(1, "Authentication-Results", ""));
    String text = Messages.text(outcome.applyTo(raw));
    assertThat(text).startsWith("Authentication-Results: " + AUTHSERV_ID + ";\r\n\tdkim=none;\r\n\tspf=");
    assertThat(text).containsPattern("\r\n\tdmarc=none \\([^\r\n]*\\) header\\.from=elsewhere\\.example\r\nFrom:");
    assertThat(text).contains("Authentication-Results: other.example; spf=pass smtp.mailfrom=elsewhere.example\r\n");
    assertThat(text).doesNotContain("bank.example").doesNotContain("MX.Postseal.Test.");
  }

  @Test
  void messagesOnOneConnectionKeepTheirStateApartAcrossAnAbort() throws IOException {
    byte[] raw = Messages.from("alice@example.com");
    try (FakeMta mta = postseal.mta()) {
      MilterOutcome outbound = mta.send(FakeMta.envelope(OUTSIDE_IP).withAuthUser("alice"), raw);
      assertThat(outbound.inserted("DKIM-Signature")).hasSize(2);
      mta.mailFrom("<half@example.net>", Map.of("{auth_authen}", "mallory"));
      mta.header("From", " alice@example.com", Map.of());
      mta.abort();
      MilterOutcome inbound = mta.send(FakeMta.envelope(OUTSIDE_IP), outbound.applyTo(raw));
      assertThat(inbound.inserted("DKIM-Signature")).isEmpty();
      assertThat(dkimEntries(inbound.insertedValue("Authentication-Results")))
          .containsExactly("pass example.com/rsa2026/rsa-sha256", "pass example.com/ed2026/ed25519-sha256");
      assertThat(mta.isOpen()).isTrue();
    }
  }

  @Test
  void twentyConcurrentSessionsAllSucceed() throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(20);
    try {
      List<CompletableFuture<String>> results = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        int n = i;
        results.add(CompletableFuture.supplyAsync(() -> {
          try {
            byte[] raw = Messages.from("user" + n + "@example.com", "", "message number " + n + "\r\n");
            byte[] delivered = postseal.send(FakeMta.envelope(INTERNAL_IP), raw).applyTo(raw);
            return postseal.send(FakeMta.envelope(OUTSIDE_IP), delivered).insertedValue("Authentication-Results");
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }, clients));
      }
      for (CompletableFuture<String> result : results) {
        assertThat(dkimEntries(result.get()))
            .containsExactly("pass example.com/rsa2026/rsa-sha256", "pass example.com/ed2026/ed25519-sha256");
      }
    } finally {
      clients.shutdownNow();
    }
  }

  @Test
  void anInternalErrorAcceptsInboundMailAndTempfailsOutboundMailOnAnOpenConnection() throws IOException {
    byte[] broken = Messages.from("alice@example.com", "X-Inject-Failure: decide\r\n", "body\r\n");
    try (FakeMta mta = postseal.mta()) {
      MilterOutcome inbound = mta.send(FakeMta.envelope(OUTSIDE_IP), broken);
      assertThat(inbound.reply().isContinue()).isTrue();
      assertThat(inbound.changes()).isEmpty();

      MilterOutcome outbound = mta.send(FakeMta.envelope(OUTSIDE_IP).withAuthUser("alice"), broken);
      assertThat(outbound.reply().text()).isEqualTo("451 4.7.1 Postseal could not sign this message, try again later");
      assertThat(outbound.changes()).isEmpty();

      assertThat(mta.isOpen()).isTrue();
      assertThat(mta.send(FakeMta.envelope(OUTSIDE_IP).withAuthUser("alice"), Messages.from("alice@example.com"))
          .inserted("DKIM-Signature")).hasSize(2);
    }
  }

  @Test
  void bodyChunksOfOneByteToSixtyFourKilobytesGiveIdenticalSignaturesAndResults() throws IOException {
    StringBuilder body = new StringBuilder();
    for (int i = 0; body.length() < 70_000; i++) {
      body.append("Line ").append(i).append(" with  trailing spaces \t \r\n");
    }
    body.append("\r\n\r\n");
    byte[] raw = Messages.from("alice@example.com", "", body.toString());
    List<List<String>> signatures = new ArrayList<>();
    List<String> results = new ArrayList<>();
    for (int chunkSize : new int[] {1, 1000, 65535}) {
      MilterClient.Options options = FakeMta.postfix().withChunkSize(chunkSize);
      byte[] delivered;
      try (FakeMta outbound = postseal.mta(options)) {
        MilterOutcome outcome = outbound.send(FakeMta.envelope(INTERNAL_IP), raw);
        signatures.add(outcome.inserted("DKIM-Signature"));
        delivered = outcome.applyTo(raw);
      }
      try (FakeMta inbound = postseal.mta(options)) {
        results.add(inbound.send(FakeMta.envelope(OUTSIDE_IP), delivered).insertedValue("Authentication-Results"));
      }
    }
    assertThat(signatures.get(0)).hasSize(2);
    assertThat(signatures).allSatisfy(s -> assertThat(s).isEqualTo(signatures.get(0)));
    assertThat(dkimEntries(results.get(0)))
        .containsExactly("pass example.com/rsa2026/rsa-sha256", "pass example.com/ed2026/ed25519-sha256");
    assertThat(results).allSatisfy(r -> assertThat(r).isEqualTo(results.get(0)));
  }

  @ParameterizedTest(name = "leading space and no-reply flags offered: {0}")
  @ValueSource(booleans = {true, false})
  void protocolOptionsDoNotChangeTheOutcome(boolean offered) throws IOException {
    byte[] raw = Messages.from("Alice <alice@example.com>");
    MilterClient.Options options = FakeMta.postfix().withLeadingSpace(offered).withNoReply(offered);
    byte[] delivered;
    try (FakeMta outbound = postseal.mta(options)) {
      assertThat(outbound.negotiated().has(MilterProtocol.SMFIP_HDR_LEADSPC)).isEqualTo(offered);
      delivered = outbound.send(FakeMta.envelope(INTERNAL_IP), raw).applyTo(raw);
    }
    assertThat(Messages.text(delivered)).startsWith("DKIM-Signature: v=1; a=rsa-sha256;");
    assertThat(postseal.verifyDirectly(delivered)).extracting(DkimResult::outcome)
        .containsExactly(DkimOutcome.PASS, DkimOutcome.PASS);
    try (FakeMta inbound = postseal.mta(options)) {
      assertThat(dkimEntries(inbound.send(FakeMta.envelope(OUTSIDE_IP), delivered).insertedValue("Authentication-Results")))
          .containsExactly("pass example.com/rsa2026/rsa-sha256", "pass example.com/ed2026/ed25519-sha256");
    }
  }

  @Test
  void outboundMailIsNotSignedWithoutExactlyOneFromMailboxOfASigningDomain() throws IOException {
    for (String from : new String[] {"alice@example.com, bob@example.com", "someone@not-ours.example", "not an address"}) {
      MilterOutcome outcome = postseal.send(FakeMta.envelope(INTERNAL_IP), Messages.from(from));
      assertThat(outcome.reply().isContinue()).as(from).isTrue();
      assertThat(outcome.changes()).as(from).isEmpty();
    }
    byte[] twoFroms = Messages.from("alice@example.com", "From: mallory@example.com\r\n", "body\r\n");
    assertThat(postseal.send(FakeMta.envelope(INTERNAL_IP), twoFroms).changes()).isEmpty();
  }

  @Test
  void reloadPicksUpAKeyAddedWhileRunning() throws IOException {
    byte[] raw = Messages.from("frank@later.example");
    assertThat(postseal.send(FakeMta.envelope(INTERNAL_IP), raw).changes()).isEmpty();
    TestKeys.writePrivateKey(stateDir, "later.example", "new", TestKeys.RSA_OTHER.getPrivate());
    dns.load(TestKeys.txtRecord("later.example", "new", TestKeys.RSA_OTHER.getPublic()));
    assertThat(postseal.server.reload()).isTrue();
    byte[] delivered = signed(raw);
    assertThat(postseal.verifyDirectly(delivered)).extracting(DkimResult::outcome, DkimResult::selector)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(DkimOutcome.PASS, "new"));
  }

  /** Makes the decision throw for messages carrying an X-Inject-Failure field. */
  static MessagePipeline failOnDemand(MessagePipeline real) {
    return new MessagePipeline() {
      @Override
      public MessageState beginMessage(ConnectionState connection, String mailFrom, Map<String, String> macros) {
        return real.beginMessage(connection, mailFrom, macros);
      }

      @Override
      public void endOfHeaders(MessageState message) {
        real.endOfHeaders(message);
      }

      @Override
      public void body(MessageState message, byte[] chunk, int offset, int length) {
        real.body(message, chunk, offset, length);
      }

      @Override
      public CompletableFuture<Void> readyToDecide(MessageState message) {
        return real.readyToDecide(message);
      }

      @Override
      public MessageVerdict decide(MessageState message) {
        if (message.headers().stream().anyMatch(h -> h.hasName("X-Inject-Failure"))) {
          throw new IllegalStateException("injected failure");
        }
        return real.decide(message);
      }
    };
  }
}
