package org.postseal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postseal.server.RunningPostseal.INTERNAL_IP;
import static org.postseal.server.RunningPostseal.OUTSIDE_IP;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.cli.Main;
import org.postseal.dns.FakeDnsServer;
import org.postseal.milter.FakeMta;
import org.slf4j.LoggerFactory;

/**
 * Issue 11, security defaults: no log line carries key material or a message body. Every log event of a keygen, a
 * key activation, a start of serve, an outbound message signed and the same message verified inbound is captured
 * with Postseal's own loggers at TRACE (third-party loggers at the levels production's logback.xml pins them to),
 * and searched for the private key (PEM markers, any 24 characters of its base64) and for the body's text.
 */
class Issue11LogSecrecyTest {

  private static final String DOMAIN = "secret.example";
  private static final Pattern ZONE_TEXT = Pattern.compile("(?s)(\\S+\\._domainkey\\.\\S+\\. IN TXT \\(.*?\" \\))");
  /** The levels production's logback.xml sets; everything else (Postseal) at TRACE. */
  private static final Map<String, Level> PINNED = Map.of("org.nightcode", Level.INFO, "io.netty", Level.WARN,
      "org.xbill", Level.WARN);

  @TempDir
  Path dir;

  private String cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    assertThat(code).as("postseal %s: %s %s", String.join(" ", args), out, err).isZero();
    return out.toString();
  }

  @Test
  void aKeygenASignAndAVerify_logNoKeyMaterialAndNoBody() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Level rootBefore = root.getLevel();
    Map<String, Level> pinnedBefore = new LinkedHashMap<>();
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    root.addAppender(log);
    root.setLevel(Level.TRACE);
    PINNED.forEach((name, level) -> {
      Logger logger = (Logger) LoggerFactory.getLogger(name);
      pinnedBefore.put(name, logger.getLevel());
      logger.setLevel(level);
    });
    String body = "The vault code is 7Q4-ZEBRA-0931.\r\nPlease keep it between us.\r\n";
    try (FakeDnsServer dns = FakeDnsServer.start()) {
      Path state = dir.resolve("state");
      Path config = dir.resolve("postseal.toml");
      Files.writeString(config, "listen = \"inet:127.0.0.1:0\"\nauthserv-id = \"mx.secret.test\"\nstate-dir = \"" + state
          + "\"\n[dns]\nservers = [\"" + dns.address() + "\"]\ntimeout = \"500ms\"\n[signing]\ndomains = [\"" + DOMAIN
          + "\"]\n");
      Matcher zone = ZONE_TEXT.matcher(cli("keygen", DOMAIN, "--selector", "s1", "--config", config.toString(), "--log-level", "TRACE"));
      assertThat(zone.find()).isTrue();
      dns.load(zone.group(1) + "\n");
      cli("keys", "activate", DOMAIN, "--config", config.toString(), "--log-level", "TRACE");
      root.setLevel(Level.TRACE);
      String pem = Files.readString(state.resolve("keys").resolve(DOMAIN).resolve("s1.pem"), StandardCharsets.US_ASCII);

      byte[] raw = Messages.from("ann@" + DOMAIN, "", body);
      try (RunningPostseal postseal = RunningPostseal.start(state, dns, "domains = [\"" + DOMAIN + "\"]", "",
          UnaryOperator.identity())) {
        FakeMta.MilterOutcome signed = postseal.send(FakeMta.envelope(INTERNAL_IP), raw);
        assertThat(signed.inserted("DKIM-Signature")).hasSize(1);
        FakeMta.MilterOutcome verified = postseal.send(FakeMta.envelope(OUTSIDE_IP), signed.applyTo(raw));
        assertThat(verified.insertedValue("Authentication-Results")).contains("dkim=pass");
      }

      List<String> lines = new ArrayList<>();
      for (ILoggingEvent event : log.list) {
        lines.add(event.getFormattedMessage() + (event.getThrowableProxy() == null ? ""
            : " " + event.getThrowableProxy().getMessage()));
      }
      assertThat(lines).as("the run logged at all").hasSizeGreaterThan(20);
      assertThat(lines).as("a line per message").anyMatch(l -> l.contains(DOMAIN));
      String base64 = pem.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "")
          .replaceAll("\\s", "");
      List<String> secrets = new ArrayList<>(List.of("PRIVATE KEY", "7Q4-ZEBRA-0931", "Please keep it between us"));
      for (int i = 0; i + 24 <= base64.length(); i += 12) {
        secrets.add(base64.substring(i, i + 24));
      }
      for (String secret : secrets) {
        assertThat(lines).as("no log line holds \"%s\"", secret).noneMatch(l -> l.contains(secret));
      }
    } finally {
      root.detachAppender(log);
      root.setLevel(rootBefore);
      pinnedBefore.forEach((name, level) -> ((Logger) LoggerFactory.getLogger(name)).setLevel(level));
    }
  }
}
