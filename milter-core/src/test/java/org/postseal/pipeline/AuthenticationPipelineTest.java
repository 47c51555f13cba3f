package org.postseal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.config.ConfigLoader;
import org.postseal.config.ConfigResult;
import org.postseal.config.PostsealConfig;
import org.postseal.dkim.DkimOutcome;
import org.postseal.dns.DnsAnswer;
import org.postseal.dns.DnsSource;
import org.postseal.keys.KeyDirectory;
import org.postseal.mail.HeaderField;
import org.postseal.spf.SpfCause;

/** The pipeline without a socket: direction, what is signed or why not, and the inbound header edits. */
class AuthenticationPipelineTest {

  @TempDir
  Path stateDir;

  private PostsealConfig config(String extra) {
    String toml = "authserv-id = \"mx.example.org\"\nstate-dir = \"" + stateDir + "\"\n[dns]\ntimeout = \"100ms\"\nmessage-deadline = \"200ms\"\n"
        + "[signing]\ndomains = [\"example.com\"]\ninternal-networks = [\"10.0.0.0/8\"]\n" + extra;
    return ((ConfigResult.Valid) new ConfigLoader(Path.of("/nonexistent"), () -> "h").parse(toml, "t")).config();
  }

  private AuthenticationPipeline pipeline(DnsSource dns) {
    PostsealConfig config = config("");
    return new AuthenticationPipeline(PipelineSnapshot.create(config, KeyDirectory.scan(config.keysDir()), dns,
        Clock.systemUTC()), Clock.systemUTC());
  }

  private static MessageState message(AuthenticationPipeline pipeline, String clientIp, List<HeaderField> headers) {
    ConnectionState connection = new ConnectionState("s1");
    connection.setClient("client", org.postseal.config.Network.parseAddressLiteral(clientIp).orElseThrow());
    MessageState message = pipeline.beginMessage(connection, "<a@example.net>", Map.of("i", "QID"));
    headers.forEach(message::addHeader);
    pipeline.endOfHeaders(message);
    pipeline.body(message, "body\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, 6);
    return message;
  }

  private static final DnsSource NO_RECORDS = (name, type) -> CompletableFuture.completedFuture(new DnsAnswer.NotFound(true));

  @Test
  void inboundRemovesEveryFieldClaimingOurAuthservIdHighestFirstThenAddsOurs() {
    AuthenticationPipeline pipeline = pipeline(NO_RECORDS);
    MessageState message = message(pipeline, "203.0.113.5", List.of(
        new HeaderField("Authentication-Results", " mx.example.org; dkim=pass"),
        new HeaderField("From", " a@example.net"),
        new HeaderField("Authentication-Results", " other.example; spf=pass"),
        new HeaderField("authentication-results", " (comment) MX.EXAMPLE.ORG; dmarc=pass")));
    MessageVerdict verdict = pipeline.decide(message);
    assertThat(verdict.edits()).containsExactly(
        new HeaderEdit.Delete("Authentication-Results", 3),
        new HeaderEdit.Delete("Authentication-Results", 1),
        new HeaderEdit.Insert(0, new HeaderField("Authentication-Results", " mx.example.org;\r\n"
            + "\tdkim=none;\r\n"
            + "\tspf=none (" + SpfCause.NO_RECORD.text() + ": example.net) smtp.mailfrom=example.net;\r\n"
            + "\tdmarc=none (no DMARC record for example.net or its organizational domain) header.from=example.net")));
    assertThat(verdict.reply()).isEqualTo(Reply.CONTINUE);
    assertThat(verdict.decision()).endsWith("; removed 2 Authentication-Results claiming mx.example.org");
    assertThat(message.fromDomain()).isEqualTo("example.net");
  }

  @Test
  void outboundSaysWhyAMessageIsNotSigned() {
    AuthenticationPipeline pipeline = pipeline(NO_RECORDS);
    assertThat(pipeline.decide(message(pipeline, "10.0.0.1", List.of(new HeaderField("Subject", " x")))).decision())
        .isEqualTo("not signed: no From field");
    assertThat(pipeline.decide(message(pipeline, "10.0.0.1", List.of(new HeaderField("From", " a@example.com"),
        new HeaderField("From", " b@example.com")))).decision()).isEqualTo("not signed: 2 From fields");
    assertThat(pipeline.decide(message(pipeline, "10.0.0.1", List.of(new HeaderField("From", " a@example.com, b@example.com"))))
        .decision()).isEqualTo("not signed: the From field has 2 mailboxes");
    assertThat(pipeline.decide(message(pipeline, "10.0.0.1", List.of(new HeaderField("From", " a@example.net")))).decision())
        .isEqualTo("not signed: example.net is not in signing.domains");
    assertThat(pipeline.decide(message(pipeline, "10.0.0.1", List.of(new HeaderField("From", " A <a@Example.COM>")))).decision())
        .isEqualTo("not signed: no usable key for example.com in " + stateDir.resolve("keys/example.com")
            + " for algorithms rsa-sha256");
  }

  @Test
  void readinessWaitsNoLongerThanTheDeadlineWhenDnsNeverAnswers() throws Exception {
    DnsSource silent = (name, type) -> new CompletableFuture<>();
    AuthenticationPipeline pipeline = pipeline(silent);
    MessageState message = message(pipeline, "203.0.113.5", List.of(new HeaderField("From", " a@example.net"),
        new HeaderField("DKIM-Signature", " v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.net; s=sel;"
            + " h=from; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA")));
    long start = System.nanoTime();
    pipeline.readyToDecide(message).get(5, TimeUnit.SECONDS);
    Duration waited = Duration.ofNanos(System.nanoTime() - start);
    // dns.message-deadline 200 ms, even though this DNS source never answers at all
    assertThat(waited).isBetween(Duration.ofMillis(150), Duration.ofMillis(1000));
    MessageVerdict verdict = pipeline.decide(message);
    assertThat(verdict.dkimResults()).extracting(r -> r.outcome()).containsExactly(DkimOutcome.TEMPERROR);
    assertThat(verdict.inbound().orElseThrow().limitsHit()).containsExactly("dns.message-deadline");
  }

  @Test
  void signaturesPastVerifyMaxSignatures_areALimitHit_andOthersAreNot() {
    PostsealConfig config = config("[verify]\nmax-signatures = 1\n");
    DnsSource empty = (name, type) -> CompletableFuture.completedFuture(new DnsAnswer.NotFound(true));
    AuthenticationPipeline pipeline = new AuthenticationPipeline(PipelineSnapshot.create(config,
        KeyDirectory.scan(config.keysDir()), empty, Clock.systemUTC()), Clock.systemUTC());
    HeaderField signature = new HeaderField("DKIM-Signature", " v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.net;"
        + " s=sel; h=from; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA");

    MessageVerdict two = pipeline.decide(message(pipeline, "203.0.113.5", List.of(signature, signature,
        new HeaderField("From", " a@example.net"))));
    MessageVerdict one = pipeline.decide(message(pipeline, "203.0.113.5", List.of(signature,
        new HeaderField("From", " a@example.net"))));

    assertThat(two.dkimResults()).hasSize(1);
    assertThat(two.inbound().orElseThrow().limitsHit()).containsExactly("verify.max-signatures");
    assertThat(one.inbound().orElseThrow().limitsHit()).isEmpty();
  }

  @Test
  void spfStartsAtMailFromAndTheDmarcPolicyLookupsAtEndOfHeaders() {
    java.util.List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
    DnsSource recording = (name, type) -> {
      asked.add(type + " " + name);
      return CompletableFuture.completedFuture(new DnsAnswer.NotFound(true));
    };
    AuthenticationPipeline pipeline = pipeline(recording);
    ConnectionState connection = new ConnectionState("s1");
    connection.setClient("client", org.postseal.config.Network.parseAddressLiteral("2001:db8::5").orElseThrow());
    connection.setHelo("client.example");
    MessageState message = pipeline.beginMessage(connection, "<a@sender.example>", Map.of());
    // the HELO identity first, then MAIL FROM (RFC 7208 section 2.3)
    assertThat(asked).containsExactly("TXT client.example", "TXT sender.example");

    message.addHeader(new HeaderField("DKIM-Signature", " v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n\td=Mail.Author.example;"
        + " s=sel; h=from; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA"));
    message.addHeader(new HeaderField("From", " Someone <someone@author.example>"));
    pipeline.endOfHeaders(message);
    // policy discovery for the From domain, and the Organizational Domain walks relaxed alignment will need
    assertThat(asked).contains("TXT _dmarc.author.example", "TXT _dmarc.mail.author.example", "TXT _dmarc.sender.example",
        "TXT sel._domainkey.mail.author.example");

    MessageVerdict verdict = pipeline.decide(message);
    assertThat(verdict.inbound()).get().satisfies(i -> {
      assertThat(i.spf().domain()).isEqualTo("sender.example");
      assertThat(i.dmarc().headerFrom()).isEqualTo("author.example");
    });
  }

  @Test
  void outboundMailStartsNoSpfOrDmarcLookups() {
    java.util.List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
    AuthenticationPipeline pipeline = pipeline((name, type) -> {
      asked.add(name);
      return CompletableFuture.completedFuture(new DnsAnswer.NotFound(true));
    });
    MessageVerdict verdict = pipeline.decide(message(pipeline, "10.0.0.1", List.of(new HeaderField("From", " a@example.net"))));
    assertThat(asked).isEmpty();
    assertThat(verdict.inbound()).isEmpty();
  }
}
