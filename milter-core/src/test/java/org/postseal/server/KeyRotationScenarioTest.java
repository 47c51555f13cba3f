package org.postseal.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.cli.Main;
import org.postseal.config.ConfigLoader;
import org.postseal.config.ConfigResult;
import org.postseal.config.PostsealConfig;
import org.postseal.dkim.DkimOutcome;
import org.postseal.dkim.DkimResult;
import org.postseal.dkim.DkimVerifier;
import org.postseal.dkim.SigningKey;
import org.postseal.dkim.VerificationSession;
import org.postseal.dns.DnsResolver;
import org.postseal.dns.FakeDnsServer;
import org.postseal.mail.HeaderField;
import org.postseal.mail.RawMessage;
import org.postseal.milter.FakeMta;
import org.postseal.milter.FakeMta.MilterOutcome;
import org.slf4j.LoggerFactory;

/**
 * A key rotation as an operator lives it, through the real milter: keygen on the command line, the printed record
 * pasted into DNS, {@code serve} activating it by itself, mail signed with it, then the same again for the
 * successor while a connection stays open, the old key retired but still listed and still verifying.
 */
class KeyRotationScenarioTest {

  private static final String DOMAIN = "rotate.example";
  private static final Pattern ZONE_TEXT = Pattern.compile("(?s)(\\S+\\._domainkey\\.\\S+\\. IN TXT \\(.*?\" \\))");
  private static final Duration PATIENCE = Duration.ofSeconds(15);

  @TempDir
  Path dir;

  private FakeDnsServer dns;
  private Path configFile;
  private PostsealConfig config;
  private PostsealServer server;
  private EventLog log;

  @BeforeEach
  void start() throws IOException {
    dns = FakeDnsServer.start();
    configFile = dir.resolve("postseal.toml");
    log = new EventLog();
    log.start();
    for (Class<?> source : List.of(PostsealServer.class, KeyMaintenance.class)) {
      Logger logger = (Logger) LoggerFactory.getLogger(source);
      logger.setLevel(Level.INFO);
      logger.addAppender(log);
    }
    startServer(true);
  }

  /** Writes the configuration file (the CLI reads it too) and starts serve's server with short key intervals. */
  private void startServer(boolean autoActivate) throws IOException {
    Files.writeString(configFile, "listen = \"inet:127.0.0.1:0\"\nauthserv-id = \"mx.rotate.test\"\n"
        + "state-dir = \"" + dir.resolve("state") + "\"\n"
        + "[dns]\nservers = [\"" + dns.address() + "\"]\ntimeout = \"500ms\"\n"
        + "[signing]\ndomains = [\"" + DOMAIN + "\", \"perm.example\"]\n"
        + "internal-networks = [\"127.0.0.0/8\", \"10.0.0.0/8\"]\n"
        + "[keys]\nauto-activate = " + autoActivate + "\nretire-after = \"7d\"\n");
    ConfigResult result = new ConfigLoader().load(java.util.Optional.of(configFile));
    assertThat(result).isInstanceOf(ConfigResult.Valid.class);
    config = ((ConfigResult.Valid) result).config();
    server = PostsealServer.builder(config).sourceName(configFile.toString())
        .keyScanInterval(Duration.ofMillis(100)).activationInterval(Duration.ofMillis(200)).start();
  }

  @AfterEach
  void stop() {
    server.close();
    dns.close();
    for (Class<?> source : List.of(PostsealServer.class, KeyMaintenance.class)) {
      ((Logger) LoggerFactory.getLogger(source)).detachAppender(log);
    }
  }

  /** The log events of the server's key handling; appended from the key thread, read by the test thread. */
  private static final class EventLog extends AppenderBase<ILoggingEvent> {
    final List<ILoggingEvent> list = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    protected void append(ILoggingEvent event) {
      list.add(event);
    }
  }

  /** A command line run in process with this test's configuration; stdout, and stderr after a failure. */
  private String cli(int expectedExit, String... args) {
    String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
        java.util.stream.Stream.of("--config", configFile.toString())).toArray(String[]::new);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(all, new PrintWriter(out, true), new PrintWriter(err, true));
    assertThat(code).as("postseal %s: %s%s", String.join(" ", args), out, err).isEqualTo(expectedExit);
    return out + err.toString();
  }

  private static String zoneText(String output) {
    Matcher m = ZONE_TEXT.matcher(output);
    assertThat(m.find()).as("a record in: %s", output).isTrue();
    return m.group(1);
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for: %s", what).isLessThan(deadline);
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  /** The selectors serve signs with now: active on disk and served by DNS at the last check. */
  private List<String> signingSelectors(String domain) {
    return server.signingKeys().forDomain(domain, config.signing().algorithms()).stream().map(SigningKey::selector)
        .toList();
  }

  /** What a receiver concludes about the delivered message, against the same DNS. */
  private List<DkimResult> verify(byte[] delivered) {
    DkimVerifier verifier = new DkimVerifier(DnsResolver.create(List.of(dns.address()), Duration.ofSeconds(2),
        Clock.systemUTC()), config.verify().policy(), Clock.systemUTC());
    RawMessage message = RawMessage.parse(delivered);
    VerificationSession session = verifier.start(message.headers());
    session.body(message.body());
    session.keysLookedUp().orTimeout(5, TimeUnit.SECONDS).join();
    return session.finish();
  }

  private static String selectorOf(MilterOutcome outcome) {
    String signature = outcome.inserted("DKIM-Signature").get(0);
    Matcher m = Pattern.compile("\\bs=([^;\\s]+);").matcher(signature);
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  @Test
  void aFullRotationRunsThroughTheMilterWithoutRestartOrDroppedSessions() throws Exception {
    // 1. keygen; the pending key does not sign
    String first = zoneText(cli(0, "keygen", DOMAIN, "--selector", "first"));
    try (FakeMta early = FakeMta.connect(server.boundAddress())) {
      MilterOutcome unsigned = early.send(FakeMta.envelope("10.1.2.3"), Messages.from("alice@" + DOMAIN));
      assertThat(unsigned.reply().isContinue()).isTrue();
      assertThat(unsigned.inserted("DKIM-Signature")).isEmpty();
    }

    // 2. publish the printed record: serve activates it by itself and signs with it
    dns.load(first);
    await("first is activated", () -> signingSelectors(DOMAIN).equals(List.of("first")));
    assertThat(log.list).anyMatch(e -> e.getFormattedMessage().startsWith("auto-activate: rsa-2048 key first of "
        + DOMAIN + " is active, DNS serves it"));

    try (FakeMta mta = FakeMta.connect(server.boundAddress())) {
      byte[] raw1 = Messages.from("alice@" + DOMAIN);
      MilterOutcome signed1 = mta.send(FakeMta.envelope("10.1.2.3"), raw1);
      assertThat(selectorOf(signed1)).isEqualTo("first");
      byte[] delivered1 = signed1.applyTo(raw1);
      assertThat(verify(delivered1)).extracting(DkimResult::outcome, DkimResult::selector)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(DkimOutcome.PASS, "first"));

      // 3. rotate: the successor is pending; the same connection keeps signing with the first key
      String second = zoneText(cli(0, "keygen", "--rotate", DOMAIN, "--selector", "second"));
      byte[] raw2 = Messages.from("alice@" + DOMAIN);
      MilterOutcome signed2 = mta.send(FakeMta.envelope("10.1.2.3"), raw2);
      assertThat(selectorOf(signed2)).isEqualTo("first");

      // 4. a message that begins now, before the successor is active, and ends after: it keeps the first key
      try (FakeMta inFlight = FakeMta.connect(server.boundAddress())) {
        RawMessage pending = RawMessage.parse(Messages.from("carol@" + DOMAIN));
        Map<String, String> queue = Map.of("i", "QINFLIGHT");
        inFlight.connect("client.example", "10.1.2.3");
        inFlight.helo("client.example");
        inFlight.mailFrom("<carol@" + DOMAIN + ">", Map.of());
        inFlight.rcptTo("<rcpt@example.org>");
        inFlight.data(queue);
        for (HeaderField field : pending.headers()) {
          inFlight.header(field.name(), field.value(), queue);
        }
        inFlight.endOfHeaders(queue);

        // 5. publish the successor: serve activates it and retires the first key
        dns.load(second);
        await("second is activated", () -> signingSelectors(DOMAIN).equals(List.of("second")));

        inFlight.body(pending.body(), queue);
        MilterOutcome finished = inFlight.endOfMessage(queue);
        assertThat(selectorOf(finished)).as("a message keeps the keys it began with").isEqualTo("first");
      }

      // 6. the next message on the connection opened before the rotation signs with the successor
      byte[] raw3 = Messages.from("alice@" + DOMAIN);
      MilterOutcome signed3 = mta.send(FakeMta.envelope("10.1.2.3"), raw3);
      assertThat(selectorOf(signed3)).isEqualTo("second");
      assertThat(verify(signed3.applyTo(raw3))).extracting(DkimResult::outcome, DkimResult::selector)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(DkimOutcome.PASS, "second"));
      // mail signed before the switch still verifies: the retired key stays published
      assertThat(verify(delivered1)).extracting(DkimResult::outcome).containsExactly(DkimOutcome.PASS);
    }
    assertThat(log.list).anyMatch(e -> e.getFormattedMessage().startsWith("auto-activate: rsa-2048 key second of "
        + DOMAIN + " is active, DNS serves it; retired first"));

    // 7. the old key is retired and still listed, its record still served
    String list = cli(0, "keys", "list");
    assertThat(list).containsPattern("rotate\\.example\\s+first\\s+rsa\\s+2048\\s+retired\\s+\\S+\\s+\\S+\\s+match")
        .containsPattern("rotate\\.example\\s+second\\s+rsa\\s+2048\\s+active\\s+\\S+\\s+\\S+\\s+match");
  }

  @Test
  void aKeyFileOthersCanReadIsRefusedWithAnErrorNamingTheFixAndUsedOnceFixed() throws Exception {
    Path file = TestKeys.writePrivateKey(dir.resolve("state"), "perm.example", "main", TestKeys.RSA.getPrivate());
    dns.load(TestKeys.txtRecord("perm.example", "main", TestKeys.RSA.getPublic()));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));

    await("the refused key is reported", () -> log.list.stream().anyMatch(e -> e.getLevel() == Level.ERROR
        && e.getFormattedMessage().equals("keys: " + file + ": refused: mode 0640 lets group or others at it; fix:"
        + " chmod 600 " + file)));
    assertThat(signingSelectors("perm.example")).isEmpty();
    try (FakeMta mta = FakeMta.connect(server.boundAddress())) {
      assertThat(mta.send(FakeMta.envelope("10.1.2.3"), Messages.from("dave@perm.example")).inserted("DKIM-Signature"))
          .isEmpty();
    }

    // the operator runs the fix; serve notices the mode change without a restart
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    await("the fixed key signs", () -> signingSelectors("perm.example").equals(List.of("main")));
    byte[] raw = Messages.from("dave@perm.example");
    try (FakeMta mta = FakeMta.connect(server.boundAddress())) {
      MilterOutcome outcome = mta.send(FakeMta.envelope("10.1.2.3"), raw);
      assertThat(selectorOf(outcome)).isEqualTo("main");
      assertThat(verify(outcome.applyTo(raw))).extracting(DkimResult::outcome).containsExactly(DkimOutcome.PASS);
    }
  }

  @Test
  void aKeyFileOfAnotherOwnerIsRefusedWithTheChownFix() throws Exception {
    String me = System.getProperty("user.name");
    // Giving a file to another user needs root. CI (CI=true) runs as root and must run this, failing if it
    // cannot; a developer's non-root run skips it (the owner rule itself is tested in KeyDirectoryTest).
    org.junit.jupiter.api.Assumptions.assumeTrue(me.equals("root") || System.getenv("CI") != null,
        "chown to another user needs root; CI runs this test as root");
    Path file = TestKeys.writePrivateKey(dir.resolve("state"), "perm.example", "owned", TestKeys.RSA.getPrivate());
    String other = me.equals("nobody") ? "root" : "nobody";
    Files.setOwner(file, file.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(other));

    await("the refused key is reported", () -> log.list.stream().anyMatch(e -> e.getLevel() == Level.ERROR
        && e.getFormattedMessage().equals("keys: " + file + ": refused: owned by " + other + ", not by " + me
        + " who runs postseal; fix: chown " + me + " " + file)));
    assertThat(signingSelectors("perm.example")).isEmpty();
  }

  @Test
  void withoutAutoActivateAPublishedKeyWaitsForKeysActivateWhichServePicksUpWithoutRestart() throws Exception {
    server.close();
    startServer(false);
    String record = zoneText(cli(0, "keygen", DOMAIN, "--selector", "manual"));
    dns.load(record);
    // several activation intervals pass: nothing activates it
    TimeUnit.MILLISECONDS.sleep(1000);
    assertThat(signingSelectors(DOMAIN)).isEmpty();
    assertThat(cli(0, "keys", "list")).containsPattern("rotate\\.example\\s+manual\\s+rsa\\s+2048\\s+pending");

    assertThat(cli(0, "keys", "activate", DOMAIN)).startsWith("Activated manual for " + DOMAIN);
    await("serve picks up the activation", () -> signingSelectors(DOMAIN).equals(List.of("manual")));
    assertThat(log.list).noneMatch(e -> e.getFormattedMessage().startsWith("auto-activate:"));
    assertThat(log.list).anyMatch(e -> e.getFormattedMessage().startsWith("keys changed on disk, now signing with: "
        + DOMAIN + " manual (rsa-sha256)"));
    byte[] raw = Messages.from("alice@" + DOMAIN);
    try (FakeMta mta = FakeMta.connect(server.boundAddress())) {
      MilterOutcome outcome = mta.send(FakeMta.envelope("10.1.2.3"), raw);
      assertThat(selectorOf(outcome)).isEqualTo("manual");
      assertThat(verify(outcome.applyTo(raw))).extracting(DkimResult::outcome).containsExactly(DkimOutcome.PASS);
    }
  }
}
