package org.postseal.pipeline;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.postseal.config.ConfigLoader;
import org.postseal.config.ConfigResult;
import org.postseal.config.PostsealConfig;
import org.postseal.dkim.DkimAlgorithm;
import org.postseal.dkim.DkimResult;
import org.postseal.dkim.SigningKey;
import org.postseal.dmarc.DmarcOutcome;
import org.postseal.dns.DnsAnswer;
import org.postseal.dns.DnsSource;
import org.postseal.dns.RecordType;
import org.postseal.keys.KeyDirectory;
import org.postseal.keys.SigningKeys;
import org.postseal.mail.HeaderField;
import org.postseal.spf.SpfOutcome;

/**
 * Made-up mail through the real pipeline, without a socket: {@code serve} runs it before it says it is ready, so
 * that the first real message does not pay for loading and compiling the signing and verifying code (measured
 * cold: 100 ms to sign, 270 ms to verify), and the pipeline benchmark runs it to time one whole message.
 *
 * <p>Everything here is private to this object and leaves no trace: the keys are made in memory at
 * {@link #create} (an RSA and an Ed25519 key of {@link #DOMAIN}), DNS answers come from a map (the key
 * records, SPF and DMARC of {@link #DOMAIN}, nothing else) or from a resolver asking a responder that serves only that
 * map (the warm-up's), evaluated messages go to a store that keeps nothing,
 * and no metric or log line is written, since those belong to the milter adapter, which this does not go through.
 * The steps are the ones the adapter calls: {@code beginMessage}, headers, {@code endOfHeaders}, {@code body},
 * {@code readyToDecide}, {@code decide}.
 *
 * <p>Not thread-safe: one caller at a time.
 */
public final class SyntheticMail {

  /** The made-up domain (RFC 2606 reserves .invalid: it exists in no DNS). */
  public static final String DOMAIN = "warmup.invalid";
  private static final String RSA_SELECTOR = "rsa";
  private static final String ED25519_SELECTOR = "ed";
  /** Our own user (internal-networks) and a sender from outside that the SPF record lists (RFC 5737). */
  private static final InetAddress INSIDE = InetAddress.getLoopbackAddress();
  private static final InetAddress OUTSIDE = address(new byte[] {(byte) 192, 0, 2, 25});

  private final AuthenticationPipeline pipeline;
  private final List<HeaderField> headers;
  private final byte[] body;
  private final List<HeaderField> oneSignature;
  private final List<HeaderField> twoSignatures;
  private int sequence;

  private SyntheticMail(AuthenticationPipeline pipeline, List<HeaderField> headers, byte[] body) {
    this.pipeline = pipeline;
    this.headers = headers;
    this.body = body;
    List<HeaderField> signatures = signatures(sign());
    this.oneSignature = withHeaders(signatures.stream().filter(s -> s.value().contains("a=rsa-sha256")).toList());
    this.twoSignatures = withHeaders(signatures);
  }

  /**
   * Makes the keys and the pipeline, and signs the message the inbound side verifies.
   *
   * @param bodyBytes about how long the body is (lines of ordinary text)
   * @param rsaBits   the RSA key's size: the warm-up takes 1,024 (making one costs a fraction of a 2,048-bit key, which
   *                  took seconds on a loaded 2-core machine and delayed readiness by as much; signing and verifying run
   *                  the same code for both), the benchmark 2,048 (what keygen makes)
   * @throws IllegalStateException when the JDK cannot make an RSA or Ed25519 key (a broken installation)
   */
  public static SyntheticMail create(Clock clock, int bodyBytes, int rsaBits) {
    return create(clock, bodyBytes, rsaBits, SyntheticMail::fromMemory);
  }

  /**
   * As {@link #create(Clock, int, int)}, asking {@code dnsFor} for the DNS that serves the made-up domain's TXT
   * records (owner name to record text; every other name does not exist): the warm-up passes a real resolver asking a
   * loopback responder, so that the resolver's code is warmed too.
   */
  public static SyntheticMail create(Clock clock, int bodyBytes, int rsaBits,
                                     Function<Map<String, String>, DnsSource> dnsFor) {
    KeyPair rsa = keyPair("RSA", rsaBits);
    KeyPair ed25519 = keyPair("Ed25519", 0);
    KeyDirectory keys = KeyDirectory.inMemory(List.of(
        new SigningKey(DOMAIN, RSA_SELECTOR, DkimAlgorithm.RSA_SHA256, rsa.getPrivate()),
        new SigningKey(DOMAIN, ED25519_SELECTOR, DkimAlgorithm.ED25519_SHA256, ed25519.getPrivate())));
    Map<String, String> txt = Map.of(
        RSA_SELECTOR + "._domainkey." + DOMAIN, "v=DKIM1; k=rsa; p=" + base64(rsa.getPublic().getEncoded()),
        ED25519_SELECTOR + "._domainkey." + DOMAIN, "v=DKIM1; k=ed25519; p=" + base64(rawEd25519(ed25519)),
        DOMAIN, "v=spf1 ip4:192.0.2.0/24 -all",
        "_dmarc." + DOMAIN, "v=DMARC1; p=reject");
    DnsSource dns = dnsFor.apply(txt);
    PostsealConfig config = config();
    // the keys sign at once: their records are the ones this DNS map serves (no lookup, no log line)
    AuthenticationPipeline pipeline = new AuthenticationPipeline(PipelineSnapshot.create(config,
        SigningKeys.servedInMemory(keys, clock.instant()), dns, clock), clock, evaluated -> { });
    List<HeaderField> headers = List.of(
        new HeaderField("From", " Warm Up <warmup@" + DOMAIN + ">"),
        new HeaderField("To", " postmaster@" + DOMAIN),
        new HeaderField("Subject", " warm-up"),
        new HeaderField("Date", " Sun, 6 Dec 2026 12:00:00 +0000"),
        new HeaderField("Message-ID", " <warmup@" + DOMAIN + ">"),
        new HeaderField("MIME-Version", " 1.0"),
        new HeaderField("Content-Type", " text/plain; charset=us-ascii"));
    StringBuilder text = new StringBuilder();
    while (text.length() < bodyBytes) {
      text.append("The quick brown fox jumps over the lazy dog,  twice\t over.\r\n");
    }
    return new SyntheticMail(pipeline, headers, text.toString().getBytes(StandardCharsets.US_ASCII));
  }

  /** The three made-up messages: what {@link #sign}, {@link #verify} and {@link #verifyTwoSignatures} run. */
  public enum Kind {
    /** From our own user (a loopback client, internal-networks): signed with both keys. */
    SIGN,
    /** From outside, one RSA signature: DKIM, SPF and DMARC pass. */
    VERIFY,
    /** From outside, the RSA and the Ed25519 signature. */
    VERIFY_TWO
  }

  /** The pipeline the messages go through: the warm-up's private milter listener serves it too. */
  public MessagePipeline pipeline() {
    return pipeline;
  }

  /** The header fields of one {@code kind} of message, top first. */
  public List<HeaderField> header(Kind kind) {
    return switch (kind) {
      case SIGN -> headers;
      case VERIFY -> oneSignature;
      case VERIFY_TWO -> twoSignatures;
    };
  }

  /** The body (CRLF line ends), a copy. */
  public byte[] body() {
    return body.clone();
  }

  /** The SMTP client of one {@code kind} of message. */
  public static InetAddress client(Kind kind) {
    return kind == Kind.SIGN ? INSIDE : OUTSIDE;
  }

  /** One outbound message from our own user, signed with both keys. */
  public MessageVerdict sign() {
    MessageVerdict verdict = run(INSIDE, headers);
    if (signatures(verdict).size() != 2) {
      throw new IllegalStateException("the synthetic message was not signed: " + verdict.decision());
    }
    return verdict;
  }

  /** One inbound message with one RSA signature: DKIM, SPF and DMARC pass. */
  public MessageVerdict verify() {
    return checked(run(OUTSIDE, oneSignature), 1);
  }

  /** One inbound message with the RSA and the Ed25519 signature: both pass, and SPF and DMARC. */
  public MessageVerdict verifyTwoSignatures() {
    return checked(run(OUTSIDE, twoSignatures), 2);
  }

  private MessageVerdict run(InetAddress client, List<HeaderField> fields) {
    ConnectionState connection = new ConnectionState("warmup-" + (++sequence));
    connection.setClient("mail." + DOMAIN, client);
    connection.setHelo("mail." + DOMAIN);
    MessageState message = pipeline.beginMessage(connection, "<warmup@" + DOMAIN + ">", Map.of("i", "WARMUP"));
    message.addRecipient("<postmaster@" + DOMAIN + ">");
    fields.forEach(message::addHeader);
    pipeline.endOfHeaders(message);
    pipeline.body(message, body, 0, body.length);
    // DNS from memory is ready at once; the warm-up's loopback responder within a millisecond
    pipeline.readyToDecide(message).join();
    return pipeline.decide(message);
  }

  private static MessageVerdict checked(MessageVerdict verdict, int signatures) {
    InboundAuthentication inbound = verdict.inbound().orElseThrow(() -> new IllegalStateException(
        "the synthetic inbound message was taken for outbound: " + verdict.decision()));
    if (verdict.dkimResults().size() != signatures || !verdict.dkimResults().stream().allMatch(DkimResult::isPass)
        || inbound.spf().outcome() != SpfOutcome.PASS || inbound.dmarc().outcome() != DmarcOutcome.PASS) {
      throw new IllegalStateException("the synthetic inbound message did not pass: " + verdict.decision());
    }
    return verdict;
  }

  private List<HeaderField> withHeaders(List<HeaderField> signatures) {
    List<HeaderField> fields = new ArrayList<>(signatures);
    fields.addAll(headers);
    return List.copyOf(fields);
  }

  /** The DKIM-Signature fields a verdict inserts, top first. */
  private static List<HeaderField> signatures(MessageVerdict verdict) {
    List<HeaderField> fields = new ArrayList<>();
    for (HeaderEdit edit : verdict.edits()) {
      if (edit instanceof HeaderEdit.Insert insert && insert.field().hasName("DKIM-Signature")) {
        fields.add(0, insert.field());
      }
    }
    return fields;
  }

  /** Answers from {@code txt} at once, as if cached. */
  private static DnsSource fromMemory(Map<String, String> txt) {
    return (name, type) -> CompletableFuture.completedFuture(type == RecordType.TXT && txt.containsKey(name)
        ? new DnsAnswer.Found(List.of(txt.get(name)), Duration.ofHours(1))
        : new DnsAnswer.NotFound(!txt.containsKey(name)));
  }

  /** Our own defaults with the made-up domain signed by both algorithms; nothing of it is written anywhere. */
  private static PostsealConfig config() {
    String toml = "authserv-id = \"mx." + DOMAIN + "\"\n"
        + "state-dir = \"/nonexistent/postseal-synthetic-mail\"\n"
        + "[signing]\ndomains = [\"" + DOMAIN + "\"]\nalgorithms = [\"rsa-sha256\", \"ed25519-sha256\"]\n";
    ConfigResult result = new ConfigLoader(Path.of("/nonexistent"), () -> "mx." + DOMAIN).parse(toml, "(synthetic mail)");
    if (result instanceof ConfigResult.Valid valid) {
      return valid.config();
    }
    throw new IllegalStateException("the synthetic mail's configuration is invalid: " + result);
  }

  private static KeyPair keyPair(String algorithm, int bits) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
      if (bits > 0) {
        generator.initialize(bits);
      }
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot make a " + algorithm + " key for the synthetic mail", e);
    }
  }

  /** RFC 8463 section 4: an Ed25519 key record holds the 32 raw bytes, the end of the X.509 encoding. */
  private static byte[] rawEd25519(KeyPair pair) {
    byte[] spki = pair.getPublic().getEncoded();
    return Arrays.copyOfRange(spki, spki.length - 32, spki.length);
  }

  private static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static InetAddress address(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
