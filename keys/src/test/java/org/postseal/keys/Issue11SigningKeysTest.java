package org.postseal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postseal.keys.KeyStoreFixtures.handPlace;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.dkim.DkimAlgorithm;
import org.postseal.dkim.SigningKey;
import org.postseal.dns.DnsResolver;
import org.postseal.dns.FakeDnsServer;
import org.slf4j.LoggerFactory;

/**
 * Issue 11, "signing with keys DNS does not serve": a key file replaced by another key was used without a word
 * (receivers then said dkim=fail), and with keys.state lost a never-published pending key signed because its
 * selector sorted highest. Root cause: which key signs was decided from the files alone; now {@link SigningKeys}
 * lets a key sign only while DNS served its public key at the last check ({@link SigningKeyCheck}).
 */
class Issue11SigningKeysTest {

  private static final Instant NOW = Instant.parse("2026-11-15T10:00:00Z");
  private static final List<DkimAlgorithm> BOTH = List.of(DkimAlgorithm.RSA_SHA256, DkimAlgorithm.ED25519_SHA256);
  private static final List<DkimAlgorithm> ED = List.of(DkimAlgorithm.ED25519_SHA256);

  @TempDir
  Path keys;

  private FakeDnsServer dns;
  private SigningKeyCheck check;
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private Logger logger;

  @BeforeEach
  void start() {
    dns = FakeDnsServer.start();
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    // a resolver without cache per check, as serve makes one: a record published meanwhile counts at once
    check = new SigningKeyCheck((name, type) -> DnsResolver.create(List.of(dns.address()), Duration.ofMillis(300), clock)
        .lookup(name, type), Duration.ofSeconds(1), clock);
    logger = (Logger) LoggerFactory.getLogger("org.postseal.keys");
    logger.setLevel(Level.INFO);
    log.start();
    logger.addAppender(log);
  }

  @AfterEach
  void stop() {
    logger.detachAppender(log);
    logger.setLevel(null);
    dns.close();
  }

  private static PrivateKey ed25519() throws Exception {
    return KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate();
  }

  private void publish(String domain, String selector, PrivateKey key) {
    dns.load(DkimTxtRecord.of(domain, selector, DkimPublicKey.of(key)).zoneText() + "\n");
  }

  /** A state file saying {@code selector} is the active key, as keys activate leaves it. */
  private void recordActive(String domain, String selector, PrivateKey key) throws Exception {
    Path dir = keys.resolve(domain);
    KeyStateStore.write(dir, domain, List.of(KeyEntry.pending(selector, DkimAlgorithm.ED25519_SHA256, 256, NOW)
        .activate(NOW)));
  }

  private List<String> lines(Level level) {
    return log.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
  }

  private static List<String> selectors(List<SigningKey> keys) {
    return keys.stream().map(SigningKey::selector).toList();
  }

  @Test
  void aKeyFileReplacedByAnotherKey_stopsSigning_withAnErrorNamingFileSelectorAndFix() throws Exception {
    PrivateKey published = ed25519();
    handPlace(keys, "example.com", "s1", published);
    recordActive("example.com", "s1", published);
    publish("example.com", "s1", published);
    SigningKeys before = check.check(KeyDirectory.scan(keys), SigningKeys.unchecked(KeyDirectory.scan(keys)));
    assertThat(selectors(before.forDomain("example.com", ED))).containsExactly("s1");

    Path file = keys.resolve("example.com/s1.pem");
    Files.delete(file);
    handPlace(keys, "example.com", "s1", ed25519());
    SigningKeys after = check.check(KeyDirectory.scan(keys), before);

    assertThat(after.forDomain("example.com", ED)).as("the replaced key does not sign").isEmpty();
    assertThat(after.withheld()).singleElement().satisfies(w -> {
      assertThat(w.reason()).isEqualTo(SigningKeys.Reason.DIFFERENT_KEY);
      assertThat(w.file()).isEqualTo(file);
      assertThat(w.preferred()).isTrue();
    });
    assertThat(lines(Level.ERROR)).singleElement().asString()
        .startsWith("keys: " + file + " (d=example.com s=s1) holds a key DNS does not serve")
        .contains("gets no ed25519-sha256 signature")
        .contains("Fix: put back the key file that matches the published record")
        .contains("postseal keys check example.com");
    // the next minute's check says it once, not again
    check.check(KeyDirectory.scan(keys), after);
    assertThat(lines(Level.ERROR)).hasSize(1);
  }

  @Test
  void withTheStateFileLost_aNeverPublishedKeyDoesNotSignThoughItsSelectorSortsHighest() throws Exception {
    PrivateKey old = ed25519();
    handPlace(keys, "example.com", "s202610", old);
    publish("example.com", "s202610", old);
    handPlace(keys, "example.com", "s202612", ed25519());
    KeyDirectory directory = KeyDirectory.scan(keys);
    assertThat(directory.candidates("example.com")).extracting(SigningKey::selector)
        .containsExactly("s202612", "s202610");

    SigningKeys signing = check.check(directory, SigningKeys.unchecked(directory));

    assertThat(selectors(signing.forDomain("example.com", BOTH))).containsExactly("s202610");
    assertThat(signing.withheld()).singleElement().satisfies(w -> {
      assertThat(w.key().selector()).isEqualTo("s202612");
      assertThat(w.reason()).isEqualTo(SigningKeys.Reason.MISSING);
    });
    assertThat(lines(Level.ERROR)).singleElement().asString()
        .contains("s202612.pem (d=example.com s=s202612) should sign but DNS does not serve its key")
        .contains("ed25519-sha256 signatures of example.com use s=s202610 instead");
  }

  @Test
  void anActiveKeyOfTheStateFileSignsOnlyOnceDnsServesIt_andAFailedLookupKeepsTheLastAnswer() throws Exception {
    PrivateKey key = ed25519();
    handPlace(keys, "example.com", "s1", key);
    recordActive("example.com", "s1", key);
    KeyDirectory directory = KeyDirectory.scan(keys);
    assertThat(directory.activeKeys("example.com")).as("the files say it signs").hasSize(1);

    dns.failWith("s1._domainkey.example.com", FakeDnsServer.Failure.SERVFAIL);
    SigningKeys unchecked = check.check(directory, SigningKeys.unchecked(directory));
    assertThat(unchecked.forDomain("example.com", ED)).as("never answered: does not sign").isEmpty();
    assertThat(unchecked.withheld()).singleElement().extracting(SigningKeys.Withheld::reason)
        .isEqualTo(SigningKeys.Reason.NOT_CHECKED);
    assertThat(lines(Level.WARN)).singleElement().asString().contains("does not sign until DNS answers for it");

    dns.clearFailures();
    publish("example.com", "s1", key);
    SigningKeys served = check.check(directory, unchecked);
    assertThat(selectors(served.forDomain("example.com", ED))).containsExactly("s1");
    assertThat(lines(Level.INFO)).anyMatch(l -> l.contains("DNS serves the key of d=example.com s=s1"));

    dns.failWith("s1._domainkey.example.com", FakeDnsServer.Failure.SERVFAIL);
    SigningKeys dnsDown = check.check(directory, served);
    assertThat(selectors(dnsDown.forDomain("example.com", ED))).as("a failed lookup is no check").containsExactly("s1");
  }

  @Test
  void aWithheldKeyOfOneAlgorithmLeavesTheOtherAlgorithmSigning() throws Exception {
    PrivateKey ed = ed25519();
    PrivateKey rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair().getPrivate();
    handPlace(keys, "example.com", "ed", ed);
    handPlace(keys, "example.com", "rsa", rsa);
    publish("example.com", "ed", ed);
    publish("example.com", "rsa", ed25519());
    KeyDirectory directory = KeyDirectory.scan(keys);

    SigningKeys signing = check.check(directory, SigningKeys.unchecked(directory));

    assertThat(selectors(signing.forDomain("example.com", BOTH))).containsExactly("ed");
    assertThat(signing.whyWithheld("example.com")).singleElement().asString().startsWith("rsa: ");
  }

  @Test
  void keysNeverCheckedInDnsSignNothing() throws Exception {
    handPlace(keys, "example.com", "s1", ed25519());
    assertThat(SigningKeys.unchecked(KeyDirectory.scan(keys)).forDomain("example.com", BOTH)).isEmpty();
    assertThat(KeyDirectory.scan(keys).candidates("example.com")).hasSize(1);
  }
}
