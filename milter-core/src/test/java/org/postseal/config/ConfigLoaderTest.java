package org.postseal.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.dkim.DkimAlgorithm;

class ConfigLoaderTest {

  private final ConfigLoader loader = new ConfigLoader(Path.of("/nonexistent/postseal.toml"), () -> "mx.test.example");

  private PostsealConfig valid(String toml) {
    ConfigResult result = loader.parse(toml, "test.toml");
    assertThat(result).as("%s", result).isInstanceOf(ConfigResult.Valid.class);
    return ((ConfigResult.Valid) result).config();
  }

  private List<String> errors(String toml) {
    ConfigResult result = loader.parse(toml, "test.toml");
    assertThat(result).isInstanceOf(ConfigResult.Invalid.class);
    return ((ConfigResult.Invalid) result).errors().stream().map(ConfigError::toString).toList();
  }

  @Test
  void limits_areReadAndRangeChecked_andTheDeadlineMustAllowOneLookup() {
    ConfigResult limits = loader.parse("[dns]\ntimeout = \"2s\"\nmessage-deadline = \"6s\"\n"
        + "[verify]\nmax-rsa-bits = 4096\nmax-key-record-bytes = 2048\n"
        + "[spf]\nmax-dns-terms = 5\nmax-void-lookups = 0\nmax-macro-bytes = 1000\n"
        + "[dmarc]\nmax-tree-walk-queries = 4\n", "test.toml");
    ConfigResult wrong = loader.parse("[dns]\ntimeout = \"5s\"\nmessage-deadline = \"3s\"\n"
        + "[spf]\nmax-dns-terms = 11\n[verify]\nmax-rsa-bits = 2048\n[dmarc]\nmax-tree-walk-queries = 9\n", "test.toml");

    assertThat(limits).isInstanceOfSatisfying(ConfigResult.Valid.class, valid -> {
      PostsealConfig c = valid.config();
      assertThat(c.dns().messageDeadline()).isEqualTo(Duration.ofSeconds(6));
      assertThat(c.verify().policy().maxRsaBits()).isEqualTo(4096);
      assertThat(c.verify().policy().maxKeyRecordBytes()).isEqualTo(2048);
      assertThat(c.spf().limits()).isEqualTo(new org.postseal.spf.SpfLimits(5, 0, 1000));
      assertThat(c.dmarc().maxTreeWalkQueries()).isEqualTo(4);
    });
    assertThat(wrong).isInstanceOfSatisfying(ConfigResult.Invalid.class, invalid ->
        assertThat(invalid.errors()).extracting(ConfigError::key).containsExactlyInAnyOrder("dns.message-deadline",
            "spf.max-dns-terms", "verify.max-rsa-bits", "dmarc.max-tree-walk-queries"));
  }

  @Test
  void emptyOrCommentOnlyFile_isAnError_atItsLastLine() {
    for (String text : new String[] {"", "\n\n  \n", "# nothing\n\n# listen = \"inet:127.0.0.1:1\"\n", "[dns]\n"}) {
      ConfigResult result = loader.parse(text, "test.toml");
      assertThat(result).as(text).isInstanceOfSatisfying(ConfigResult.Invalid.class, invalid ->
          assertThat(invalid.errors()).singleElement().asString().startsWith("test.toml:")
              .contains(": the file sets nothing (").contains("restore the file from a backup"));
    }
  }

  /** What a reload logs (issue 11): each changed setting, list elements added and removed, never a secret. */
  @Test
  void changesSince_namesEachSettingAndNeverASecret() {
    PostsealConfig before = valid("[signing]\ndomains = [\"a.example\"]\n[database]\n"
        + "url = \"jdbc:postgresql://db.example/postseal?password=old-secret\"\n");
    PostsealConfig after = valid("[signing]\ndomains = [\"b.example\"]\n[dns]\ntimeout = \"2s\"\n[database]\n"
        + "url = \"jdbc:postgresql://db.example/postseal?password=new-secret\"\n");

    java.util.List<String> changes = after.changesSince(before);

    assertThat(changes).containsExactly("dns.timeout: 5s -> 2s",
        "signing.domains: added [b.example]; removed [a.example] (now [b.example])",
        "database.url: changed (only its credentials; they are not logged)");
    assertThat(String.join("\n", changes)).doesNotContain("secret");
    assertThat(after.changesSince(after)).isEmpty();
  }

  @Test
  void aFileSettingOneKeyGivesEveryOtherDefault() {
    PostsealConfig config = valid("listen = \"inet:127.0.0.1:8891\"\n");
    assertThat(config.listen()).isEqualTo(new ListenAddress.Inet("127.0.0.1", 8891));
    assertThat(config.authservId()).isEqualTo("mx.test.example");
    assertThat(config.stateDir()).isEqualTo(Path.of("/var/lib/postseal"));
    assertThat(config.dns()).isEqualTo(DnsConfig.defaults());
    assertThat(config.signing()).isEqualTo(SigningConfig.defaults());
    assertThat(config.verify()).isEqualTo(VerifyConfig.defaults());
    assertThat(config.dmarc()).isEqualTo(DmarcConfig.defaults());
    assertThat(config.keys()).isEqualTo(KeysConfig.defaults());
    assertThat(config.reports()).isEqualTo(ReportsConfig.defaults());
    assertThat(config.database()).isEqualTo(DatabaseConfig.defaults());
    assertThat(config.metrics()).isEqualTo(MetricsConfig.defaults());
    assertThat(config.web()).isEqualTo(WebConfig.defaults());
    assertThat(config.milter()).isEqualTo(MilterConfig.defaults());
  }

  @Test
  void embeddedDefaultListensOnLoopbackAndKeepsStateInTheWorkingDirectory() {
    ConfigResult result = loader.load(Optional.empty());
    assertThat(result.source()).isEqualTo(ConfigLoader.EMBEDDED_SOURCE);
    PostsealConfig config = ((ConfigResult.Valid) result).config();
    assertThat(config.listen()).hasToString("inet:127.0.0.1:8891");
    assertThat(config.stateDir()).isEqualTo(Path.of("./postseal-data"));
    assertThat(config.authservId()).isEqualTo("mx.test.example");
  }

  @Test
  void systemFileIsUsedWhenItExistsAndNoFileIsGiven(@TempDir Path dir) throws IOException {
    Path system = dir.resolve("postseal.toml");
    Files.writeString(system, "authserv-id = \"from-system-file\"\n");
    ConfigLoader withSystemFile = new ConfigLoader(system, () -> "host");
    ConfigResult result = withSystemFile.load(Optional.empty());
    assertThat(result.source()).isEqualTo(system.toString());
    assertThat(((ConfigResult.Valid) result).config().authservId()).isEqualTo("from-system-file");

    Path explicit = dir.resolve("other.toml");
    Files.writeString(explicit, "authserv-id = \"explicit\"\n");
    assertThat(((ConfigResult.Valid) withSystemFile.load(Optional.of(explicit))).config().authservId()).isEqualTo("explicit");
  }

  @Test
  void missingExplicitFileIsAnError(@TempDir Path dir) {
    ConfigResult result = loader.load(Optional.of(dir.resolve("nope.toml")));
    assertThat(((ConfigResult.Invalid) result).errors()).singleElement().asString()
        .startsWith(dir.resolve("nope.toml") + ": no such file");
  }

  @Test
  void everyValueIsReadIntoTheRecords() {
    PostsealConfig config = valid("""
        listen = "unix:/var/spool/postfix/postseal/postseal.sock"
        authserv-id = "mail.example.com"
        state-dir = "/srv/postseal"

        [milter]
        max-frame-bytes = 131072
        max-header-fields = 200
        max-header-bytes = 524288
        max-connections = 300
        max-connections-per-client = 250
        idle-timeout = "15m"
        on-limit = "accept"

        [dns]
        servers = ["127.0.0.53", "[2001:db8::53]:5353"]
        timeout = "750ms"

        [signing]
        domains = ["Example.COM", "example.org."]
        domains-query = ""
        internal-networks = ["10.0.0.0/8", "2001:db8::/32", "192.0.2.7"]
        sign-authenticated = false
        algorithms = ["ed25519-sha256", "rsa-sha256"]

        [verify]
        max-signatures = 20
        min-rsa-bits = 2048

        [dmarc]
        enforce = false
        quarantine = "hold"
        on-dns-error = "tempfail"
        protect-own-domains = false
        trusted-forwarders = ["192.0.2.0/24", "lists.example.net"]
        never-reject = ["Partner.example"]

        [keys]
        auto-activate = false
        retire-after = "2d"

        [reports]
        enabled = false
        org-name = "Example Mail"
        from = "dmarc-reports@example.com"
        smtp = "[::1]:2525"
        keep = "90d"
        suppress = ["mailto:Nope@Example.net", "reports.example"]

        [database]
        url = "jdbc:postgresql://db.example/postseal?password=secret"

        [metrics]
        listen = "127.0.0.1:9891"
        """);
    assertThat(config.listen()).isEqualTo(new ListenAddress.Unix(Path.of("/var/spool/postfix/postseal/postseal.sock")));
    assertThat(config.authservId()).isEqualTo("mail.example.com");
    assertThat(config.keysDir()).isEqualTo(Path.of("/srv/postseal/keys"));
    assertThat(config.dns().servers()).containsExactly("127.0.0.53", "[2001:db8::53]:5353");
    assertThat(config.dns().timeout()).isEqualTo(Duration.ofMillis(750));
    assertThat(config.signing().domains()).containsExactly("example.com", "example.org");
    assertThat(config.signing().isSigningDomain("EXAMPLE.com.")).isTrue();
    assertThat(config.signing().internalNetworks()).extracting(Network::toString)
        .containsExactly("10.0.0.0/8", "2001:db8:0:0:0:0:0:0/32", "192.0.2.7/32");
    assertThat(config.signing().signAuthenticated()).isFalse();
    assertThat(config.signing().algorithms()).containsExactly(DkimAlgorithm.ED25519_SHA256, DkimAlgorithm.RSA_SHA256);
    assertThat(config.verify().policy().maxSignatures()).isEqualTo(20);
    assertThat(config.verify().policy().minRsaBits()).isEqualTo(2048);
    assertThat(config.dmarc()).isEqualTo(new DmarcConfig(false, DmarcConfig.Quarantine.HOLD,
        DmarcConfig.DnsErrorAction.TEMPFAIL, false, List.of("192.0.2.0/24", "lists.example.net"), List.of("partner.example"),
        DmarcConfig.DEFAULT_MAX_TREE_WALK_QUERIES));
    assertThat(config.keys()).isEqualTo(new KeysConfig(false, Duration.ofDays(2)));
    assertThat(config.milter()).isEqualTo(new MilterConfig(131_072, 200, 524_288, 300, 250, Duration.ofMinutes(15),
        MilterConfig.LimitAction.ACCEPT));
    assertThat(config.reports()).isEqualTo(new ReportsConfig(false, "Example Mail", "dmarc-reports@example.com",
        new HostPort("::1", 2525), Duration.ofDays(90), List.of("nope@example.net", "reports.example")));
    assertThat(config.database().redactedUrl()).isEqualTo("jdbc:postgresql://db.example/postseal?(parameters hidden)");
    assertThat(config.metrics().listen()).contains(new HostPort("127.0.0.1", 9891));
    assertThat(String.join("\n", config.describe())).doesNotContain("secret");
  }

  @Test
  void aDatabaseUrlIsLoggedWithoutItsCredentials() {
    assertThat(new DatabaseConfig("jdbc:postgresql://db.example/postseal?password=secret").redactedUrl())
        .isEqualTo("jdbc:postgresql://db.example/postseal?(parameters hidden)");
    assertThat(new DatabaseConfig("jdbc:postgresql://user:secret@db.example/postseal").redactedUrl())
        .isEqualTo("jdbc:postgresql://(credentials hidden)@db.example/postseal");
  }

  @Test
  void theReportPageListensWhereTold_andSharesTheMetricsListenerAtTheSameAddress() {
    // built in issue 16: off by default, on where [web] listen says
    assertThat(valid("[web]\nlisten = \"\"\n").web().listen()).isEmpty();
    PostsealConfig config = valid("[web]\nlisten = \"127.0.0.1:9892\"\n");
    assertThat(config.web().listen()).contains(new HostPort("127.0.0.1", 9892));
    assertThat(config.web().sharesListenerWith(config.metrics())).isFalse();
    assertThat(config.settings()).containsEntry("web.listen", "127.0.0.1:9892");
    PostsealConfig shared = valid("[metrics]\nlisten = \"127.0.0.1:9891\"\n[web]\nlisten = \"127.0.0.1:9891\"\n");
    assertThat(shared.web().sharesListenerWith(shared.metrics())).isTrue();
    assertThat(shared.settings()).containsEntry("web.listen", "127.0.0.1:9891 (with metrics)");
    assertThat(errors("[web]\nlisten = \"9892\"\n")).containsExactly(
        "test.toml:2: web.listen: \"9892\" has no :PORT; " + HostPort.ALLOWED + ", or \"\" to turn the page off");
    // domains-query is built (issue 14), with its refresh interval
    valid("[signing]\ndomains-query = \"SELECT domain FROM virtual_domains WHERE active\"\ndomains-refresh = \"5s\"\n");
    assertThat(errors("[signing]\ndomains-refresh = \"0s\"\n")).singleElement().asString()
        .startsWith("test.toml:2: signing.domains-refresh: ");
    // the reports and the results database are built (issue 13)
    valid("[reports]\nenabled = true\n[database]\nurl = \"jdbc:postgresql://db.example/postseal\"\n");
  }

  @Test
  void aListenerBeyondLoopbackMustBeAskedFor() {
    assertThat(errors("listen = \"inet:0.0.0.0:8891\"\n")).containsExactly(
        "test.toml:1: listen: inet:0.0.0.0:8891 is not a loopback address, and the milter protocol has no authentication:"
            + " anyone who reaches this port gets mail signed with your keys and past your DMARC checks; listen on"
            + " \"inet:127.0.0.1:8891\" or a unix: socket, or set listen-public = true (top level) if a firewall lets only"
            + " your MTAs reach inet:0.0.0.0:8891");
    assertThat(errors("listen = \"inet:mail.example.com:8891\"\n")).hasSize(1);
    assertThat(valid("listen = \"inet:0.0.0.0:8891\"\nlisten-public = true\n").listen())
        .isEqualTo(new ListenAddress.Inet("0.0.0.0", 8891));
    valid("listen = \"inet:127.0.0.2:8891\"\n");
    valid("listen = \"inet:[::1]:8891\"\n");
    valid("listen = \"inet:localhost:8891\"\n");
    valid("listen = \"unix:/var/spool/postfix/postseal/postseal.sock\"\n");

    assertThat(errors("[metrics]\nlisten = \"0.0.0.0:9891\"\n")).singleElement().asString()
        .startsWith("test.toml:2: metrics.listen: 0.0.0.0:9891 is not a loopback address");
    valid("[metrics]\nlisten = \"0.0.0.0:9891\"\nlisten-public = true\n");

    assertThat(errors("# the page\n[web]\nlisten = \"0.0.0.0:9892\"\n")).containsExactly(
        "test.toml:3: web.listen: 0.0.0.0:9892 is not a loopback address, and the report page has no authentication:"
            + " anyone who reaches it reads who sends as your domains, from which addresses, and what you did with"
            + " others' mail; use \"127.0.0.1:9892\" (an SSH tunnel or your own web server in front reaches it), or set"
            + " listen-public = true in [web] if a firewall lets only your admins reach 0.0.0.0:9892");
    // metrics' consent is not the page's
    assertThat(errors("[metrics]\nlisten-public = true\n[web]\nlisten = \"0.0.0.0:9892\"\n")).singleElement()
        .asString().startsWith("test.toml:4: web.listen: 0.0.0.0:9892 is not a loopback address");
    assertThat(valid("[web]\nlisten = \"0.0.0.0:9892\"\nlisten-public = true\n").web().listen())
        .contains(new HostPort("0.0.0.0", 9892));
    valid("[web]\nlisten = \"[::1]:9892\"\n");
  }

  @Test
  void everyBadElementOfAListIsReported() {
    assertThat(errors("""
        [signing]
        domains = ["ok.example", "bad domain", "ok.example", "also bad!"]
        """)).containsExactly(
        "test.toml:2: signing.domains: element 2: \"bad domain\" is not a domain name; " + ConfigKeys.DOMAIN_ALLOWED,
        "test.toml:2: signing.domains: element 3: \"ok.example\" is listed twice; list each value once",
        "test.toml:2: signing.domains: element 4: \"also bad!\" is not a domain name; " + ConfigKeys.DOMAIN_ALLOWED);
  }

  @Test
  void aKeyOrTableWrittenTwiceIsNamedWithBothLines() {
    assertThat(errors("""
        listen = "inet:127.0.0.1:8891"
        state-dir = "/srv/postseal"
        listen = "inet:127.0.0.1:8892"
        """)).containsExactly("test.toml:3: listen: set twice, on lines 1 and 3; keep one of them");
    assertThat(errors("""
        [dns]
        timeout = "2s"
        [dns]
        servers = []
        """)).containsExactly("test.toml:3: dns: [dns] appears twice, on lines 1 and 3; put every key of [dns] under one"
        + " [dns] line");
  }

  @Test
  void everyErrorIsReportedAtOnceWithFileLineKeyAndWhatIsAllowed() {
    List<String> errors = errors("""
        listen = "tcp:127.0.0.1:25"
        state-dir = ""

        [dns]
        timeout = "5 seconds"
        servers = "127.0.0.53"

        [signing]
        domains = ["example.com", "not a domain"]
        internal-networks = ["10.0.0.0/33"]
        sign-authenticated = "yes"
        algorithms = ["rsa-sha1"]

        [verify]
        max-signatures = 0
        min-rsa-bits = 512

        [dmarc]
        quarantine = "drop"

        [metrics]
        listen = "9891"
        """);
    assertThat(errors).containsExactly(
        "test.toml:1: listen: \"tcp:127.0.0.1:25\" has neither the inet: nor the unix: prefix; " + ListenAddress.ALLOWED,
        "test.toml:2: state-dir: must not be empty; a directory path, e.g. \"/var/lib/postseal\"",
        "test.toml:5: dns.timeout: \"5 seconds\" is not a duration; " + DurationText.ALLOWED + ", from 50ms to 1m",
        "test.toml:6: dns.servers: must be an array, was the string \"127.0.0.53\"; put it in brackets: [\"127.0.0.53\"]",
        "test.toml:9: signing.domains: element 2: \"not a domain\" is not a domain name; " + ConfigKeys.DOMAIN_ALLOWED,
        "test.toml:10: signing.internal-networks: element 1: prefix length must be 0..32 for 10.0.0.0, was 33; "
            + Network.ALLOWED,
        "test.toml:11: signing.sign-authenticated: must be true or false, was the string \"yes\"; write true or false without quotes",
        "test.toml:12: signing.algorithms: element 1: \"rsa-sha1\" is not a signing algorithm (RFC 8301 forbids signing with"
            + " rsa-sha1); allowed \"rsa-sha256\", \"ed25519-sha256\"",
        "test.toml:15: verify.max-signatures: 0 is out of range; allowed 1..20",
        "test.toml:16: verify.min-rsa-bits: 512 is out of range: RFC 8301 section 3.2 forbids accepting RSA keys under 1024 bits;"
            + " allowed 1024..8192",
        "test.toml:19: dmarc.quarantine: \"drop\" is not a choice; allowed \"header\", \"hold\", \"accept\"",
        "test.toml:22: metrics.listen: \"9891\" has no :PORT; " + HostPort.ALLOWED + ", or \"\" to turn metrics off");
  }

  @Test
  void unknownKeysAndSectionsAreErrorsWithASuggestion() {
    List<String> errors = errors("""
        authserv_id = "mx"
        max-signatures = 3

        [dns]
        timout = "5s"

        [verfiy]
        min-rsa-bits = 2048

        [antivirus]
        level = 3
        """);
    assertThat(errors).containsExactly(
        "test.toml:1: authserv_id: unknown key; did you mean authserv-id?",
        "test.toml:2: max-signatures: unknown key; did you mean verify.max-signatures (key max-signatures in [verify])?",
        "test.toml:5: dns.timout: unknown key; did you mean dns.timeout?",
        "test.toml:7: verfiy: unknown section [verfiy]; did you mean verify?",
        "test.toml:10: antivirus: unknown section [antivirus]; top-level keys are listen, listen-public, authserv-id,"
            + " state-dir; sections are [milter], [dns], [signing], [verify], [spf], [dmarc], [keys], [reports], [database],"
            + " [metrics], [web]");
  }

  @Test
  void milterLimitsOutOfRangeAreAllReportedAtOnceWithTheirLineAndRange() {
    assertThat(errors("""
        [milter]
        max-frame-bytes = 1024
        max-header-fields = "many"
        max-header-bytes = 100000000
        max-connections = 0
        max-connections-per-client = 200000
        idle-timeout = "500ms"
        on-limit = "reject"
        """)).containsExactly(
        "test.toml:2: milter.max-frame-bytes: 1024 is out of range; allowed 65536..16777216",
        "test.toml:3: milter.max-header-fields: must be a whole number, was the string \"many\"; allowed 50..100000 (no quotes)",
        "test.toml:4: milter.max-header-bytes: 100000000 is out of range; allowed 65536..67108864",
        "test.toml:5: milter.max-connections: 0 is out of range; allowed 1..100000",
        "test.toml:6: milter.max-connections-per-client: 200000 is out of range; allowed 1..100000",
        "test.toml:7: milter.idle-timeout: \"500ms\" is out of range; " + DurationText.ALLOWED + ", from 1s to 1d",
        "test.toml:8: milter.on-limit: \"reject\" is not a choice; allowed \"accept\", \"tempfail\"");
  }

  @Test
  void theMilterLimitsAreLoggedAtStartup() {
    assertThat(valid("[milter]\nidle-timeout = \"20m\"\n").describe()).contains("[milter] max-frame-bytes=262144"
        + " max-header-fields=1000 max-header-bytes=1048576 max-connections=1000 max-connections-per-client=500"
        + " idle-timeout=20m on-limit=tempfail");
  }

  @Test
  void aSectionWrittenAsAValueIsAnError() {
    assertThat(errors("dns = \"8.8.8.8\"\n")).containsExactly(
        "test.toml:1: dns: must be a table, was the string \"8.8.8.8\"; write [dns] on a line of its own and its keys below it");
  }

  @Test
  void syntaxErrorsNameTheirLine() {
    assertThat(errors("listen = \"inet:127.0.0.1:8891\"\n[dns\ntimeout = \"5s\"\n")).singleElement().asString()
        .startsWith("test.toml:2: TOML syntax error: ");
  }

  @Test
  void listenAcceptsInetWithPortZeroAndIpv6() {
    assertThat(valid("listen = \"inet:127.0.0.1:0\"").listen()).isEqualTo(new ListenAddress.Inet("127.0.0.1", 0));
    assertThat(valid("listen = \"inet:[::1]:8891\"").listen()).hasToString("inet:[::1]:8891");
    assertThat(errors("listen = \"unix:relative.sock\"")).singleElement().asString()
        .contains("the socket path must be absolute");
    assertThat(errors("listen = \"inet:127.0.0.1:70000\"")).singleElement().asString().contains("port 70000 is above 65535");
  }

  @Test
  void emptyAlgorithmListIsRejected() {
    assertThat(errors("[signing]\nalgorithms = []\n")).containsExactly(
        "test.toml:2: signing.algorithms: must not be empty; list at least one of \"rsa-sha256\", \"ed25519-sha256\"");
  }

  @Test
  void dnsServersFollowTheResolversRules() {
    assertThat(valid("[dns]\nservers = [\"192.0.2.1:5353\", \"2001:db8::1\"]\n").dns().servers()).hasSize(2);
    assertThat(errors("[dns]\nservers = [\"192.0.2.1\", \"ns.example.net\"]\n")).containsExactly(
        "test.toml:2: dns.servers: element 2: \"ns.example.net\" is not an IP address or IP:PORT (a host name would need"
            + " the DNS being configured); " + DnsServerSyntax.ALLOWED);
  }

  @Test
  void authservIdMustBeAHostName() {
    assertThat(errors("authserv-id = \"mail example\"")).singleElement().asString()
        .isEqualTo("test.toml:1: authserv-id: \"mail example\" is not a host name; a host name such as \"mail.example.com\""
            + " (RFC 8601 authserv-id), or \"\" for this host's name");
  }

  @Test
  void domainsAreHostNames_writtenAsDomainNameWritesThem() {
    // RFC 5321 section 4.1.2 and RFC 6376 section 3.5: a mail or signing domain has no '_' (DMARC and keygen
    // refuse one, so a configured one could never sign or be protected)
    assertThat(errors("[signing]\ndomains = [\"mail_out.example.com\"]\n")).singleElement().asString()
        .startsWith("test.toml:2: signing.domains: element 1: \"mail_out.example.com\" is not a domain name");
    assertThat(errors("[dmarc]\nnever-reject = [\"_dmarc.example.com\"]\n")).hasSize(1);
    PostsealConfig config = valid("[signing]\ndomains = [\"B\u00fccher.Example.\"]\n[dmarc]\nnever-reject = [\"b\u00fccher.example\"]\n");
    assertThat(config.signing().domains()).containsExactly("xn--bcher-kva.example");
    assertThat(config.signing().isSigningDomain("b\u00fccher.example")).isTrue();
    assertThat(config.dmarc().neverReject()).containsExactly("xn--bcher-kva.example");
  }

  @Test
  void trustedForwardersAreWhatTheDispositionCanUse() {
    assertThat(valid("[dmarc]\ntrusted-forwarders = [\"2001:db8::/48\", \"mx.lists.example.net\"]\n").dmarc()
        .trustedForwarders()).hasSize(2);
    // a single label is a valid domain name but no host name a client could be confirmed as
    assertThat(errors("[dmarc]\ntrusted-forwarders = [\"relay\"]\n")).singleElement().asString()
        .startsWith("test.toml:2: dmarc.trusted-forwarders: element 1: \"relay\" is not a host name with at least two labels");
  }

  @Test
  void reportsFrom_mustBeInASigningDomain_whenReportsAreSent() {
    assertThat(errors("[signing]\ndomains = [\"example.com\"]\n[reports]\nfrom = \"dmarc@example.net\"\n"))
        .containsExactly("test.toml:4: reports.from: \"dmarc@example.net\" is not in one of signing.domains"
            + " [example.com]: its reports would go out unsigned and fail DMARC at the receivers; use an address in one"
            + " of signing.domains, add example.net to signing.domains, or set reports.enabled = false");
    assertThat(valid("[signing]\ndomains = [\"example.com\"]\n[reports]\nfrom = \"dmarc@Example.com\"\n").reports()
        .isSending()).isTrue();
    assertThat(valid("[reports]\nenabled = false\nfrom = \"dmarc@example.net\"\n").reports().isSending()).isFalse();
    // no sender: results are kept, nothing is sent
    assertThat(valid("[reports]\nenabled = true\n").reports().isSending()).isFalse();
  }

  @Test
  void reportsKeepAndSuppress_areChecked() {
    assertThat(errors("[reports]\nkeep = \"1d\"\nsuppress = [\"not an address\"]\n")).hasSize(2)
        .anySatisfy(e -> assertThat(e).startsWith("test.toml:2: reports.keep:"))
        .anySatisfy(e -> assertThat(e).startsWith("test.toml:3: reports.suppress: element 1:"));
  }
}
