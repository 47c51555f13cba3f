package org.postseal.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.postseal.config.ConfigError;
import org.postseal.config.ConfigLoader;
import org.postseal.config.ConfigResult;
import org.postseal.config.Network;
import org.postseal.config.PostsealConfig;
import org.postseal.dkim.DkimResult;
import org.postseal.dmarc.DmarcDisposition;
import org.postseal.dmarc.DmarcPolicy;
import org.postseal.dmarc.OverrideReason;
import org.postseal.dns.DnsResolver;
import org.postseal.keys.KeyDirectory;
import org.postseal.mail.RawMessage;
import org.postseal.pipeline.AuthenticationPipeline;
import org.postseal.pipeline.ConnectionState;
import org.postseal.pipeline.Direction;
import org.postseal.pipeline.InboundAuthentication;
import org.postseal.pipeline.MessageState;
import org.postseal.pipeline.MessageVerdict;
import org.postseal.pipeline.PipelineSnapshot;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code postseal check}: the admin's "why was this rejected?". Feeds saved messages through the same
 * {@link AuthenticationPipeline} the milter runs (DKIM, SPF, DMARC, disposition), with real DNS per the
 * configuration, and prints the Authentication-Results it would add and what it would do.
 *
 * <p>The SMTP envelope is not in a saved file: the client address and HELO come from the options (without
 * --client-ip SPF is not evaluated and says so), MAIL FROM from --mail-from or else the message's Return-Path.
 * Exit 0 when every file was evaluated, whatever the verdicts; 1 when a file could not be read or the
 * configuration is invalid; 2 for a usage error.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
    description = "Run the inbound evaluation (DKIM, SPF, DMARC, disposition) on saved messages; print the"
        + " Authentication-Results and what Postseal would do.")
final class CheckCommand implements Callable<Integer> {

  /** Beyond the message's own lookup deadline, how long the command waits before it calls the lookups stuck. */
  private static final long READY_MARGIN_MILLIS = 5_000;
  private static final byte[] MBOX_SEPARATOR = "From ".getBytes(StandardCharsets.US_ASCII);

  @Mixin
  CommonOptions common;

  @Option(names = "--client-ip", paramLabel = "IP", description = "The SMTP client's address (IPv4 or IPv6); without it SPF"
      + " is not evaluated. Repeat it (with --helo and --mail-from) to check each file under several envelopes.")
  List<String> clientIps = new ArrayList<>();

  @Option(names = "--helo", paramLabel = "NAME", description = "The client's HELO/EHLO name (SPF checks it for the null"
      + " sender). Repeatable like --client-ip.")
  List<String> helos = new ArrayList<>();

  @Option(names = "--mail-from", paramLabel = "ADDR", description = "The envelope sender (MAIL FROM; \"<>\" for the null"
      + " sender). Default: the message's Return-Path. Repeatable like --client-ip.")
  List<String> mailFroms = new ArrayList<>();

  @Option(names = "--at", paramLabel = "TIME", description = "Evaluate as of this time, e.g. 2026-11-28T10:00:00Z or"
      + " 2026-11-28T11:00:00+01:00 (signature expiry, t= in the future). Default: now.")
  String at;

  @Option(names = "--json", description = "One JSON array with an object per file and envelope.")
  boolean json;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "Saved messages (.eml, with LF or CRLF line ends).")
  List<Path> files;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!common.applyLogLevel()) {
      throw new CommandLine.ParameterException(spec.commandLine(), "unknown --log-level " + common.logLevel);
    }
    List<Envelope> envelopes = envelopes();
    Clock clock = at == null ? Clock.systemUTC() : Clock.fixed(instant(at), ZoneOffset.UTC);
    ConfigResult result = common.loadConfig(new ConfigLoader());
    if (result instanceof ConfigResult.Invalid invalid) {
      for (ConfigError error : invalid.errors()) {
        err.println(error);
      }
      err.println("postseal: " + invalid.source() + " is invalid (check with: postseal config check)");
      return Main.EXIT_FAILURE;
    }
    PostsealConfig config = ((ConfigResult.Valid) result).config();
    DnsResolver dns = DnsResolver.create(config.dns().servers(), config.dns().timeout(), clock);
    PipelineSnapshot snapshot = PipelineSnapshot.create(config, KeyDirectory.scan(config.keysDir()), dns, clock);
    AuthenticationPipeline pipeline = new AuthenticationPipeline(snapshot, clock);

    boolean allRead = true;
    List<Map<String, Object>> reports = new ArrayList<>();
    for (Path file : files) {
      byte[] raw;
      try {
        raw = Files.readAllBytes(file);
      } catch (IOException e) {
        allRead = false;
        err.println("postseal: cannot read " + file + ": " + describe(e));
        if (json) {
          Map<String, Object> failed = new LinkedHashMap<>();
          failed.put("file", file.toString());
          failed.put("error", "cannot read: " + describe(e));
          reports.add(failed);
        }
        continue;
      }
      RawMessage message = savedMessage(raw);
      for (Envelope envelope : envelopes) {
        String sender = envelope.mailFrom().orElse(returnPath(message).orElse("<>"));
        MessageVerdict verdict = evaluate(pipeline, snapshot, envelope, sender, message);
        if (json) {
          reports.add(report(file, envelope, sender, verdict));
        } else {
          print(out, file, envelope, sender, verdict);
        }
      }
    }
    if (json) {
      out.print(JsonOutput.write(reports));
    }
    out.flush();
    return allRead ? Main.EXIT_OK : Main.EXIT_FAILURE;
  }

  /** One SMTP envelope to check the files under: the i-th --client-ip, --helo and --mail-from. */
  private record Envelope(Optional<InetAddress> clientIp, String helo, Optional<String> mailFrom) {
  }

  /**
   * The envelopes the options describe: as many as the longest of --client-ip, --helo and --mail-from was given;
   * an option given once applies to all of them, and none at all is "not given".
   */
  private List<Envelope> envelopes() {
    int count = Math.max(1, Math.max(clientIps.size(), Math.max(helos.size(), mailFroms.size())));
    for (var option : List.of(Map.entry("--client-ip", clientIps), Map.entry("--helo", helos),
        Map.entry("--mail-from", mailFroms))) {
      int given = option.getValue().size();
      if (given > 1 && given != count) {
        throw new CommandLine.ParameterException(spec.commandLine(), option.getKey() + " is given " + given
            + " times, but the envelopes are " + count + ": give it once (for all) or once per envelope");
      }
    }
    List<Envelope> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Optional<InetAddress> ip = Optional.empty();
      String ipText = nth(clientIps, i);
      if (ipText != null) {
        ip = Network.parseAddressLiteral(ipText);
        if (ip.isEmpty()) {
          throw new CommandLine.ParameterException(spec.commandLine(), "--client-ip " + ipText
              + " is not an IPv4 or IPv6 address");
        }
      }
      String helo = nth(helos, i);
      out.add(new Envelope(ip, helo == null ? "" : helo, Optional.ofNullable(nth(mailFroms, i))));
    }
    return out;
  }

  private static String nth(List<String> values, int i) {
    return values.isEmpty() ? null : values.get(values.size() == 1 ? 0 : i);
  }

  private Instant instant(String text) {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--at " + text + " is not a time such as"
          + " 2026-11-28T10:00:00Z or 2026-11-28T11:00:00+01:00");
    }
  }

  /** The milter's steps, in its order, on this thread. */
  private MessageVerdict evaluate(AuthenticationPipeline pipeline, PipelineSnapshot snapshot, Envelope envelope,
                                  String sender, RawMessage saved) throws InterruptedException {
    ConnectionState connection = new ConnectionState("check");
    connection.setClient("", envelope.clientIp().orElse(null));
    connection.setHelo(envelope.helo());
    MessageState message = pipeline.beginMessage(connection, sender, Map.of());
    saved.headers().forEach(message::addHeader);
    pipeline.endOfHeaders(message);
    pipeline.body(message, saved.body(), 0, saved.body().length);
    try {
      pipeline.readyToDecide(message).get(snapshot.messageDeadline().toMillis() + READY_MARGIN_MILLIS,
          TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // readiness never fails and is bounded by the deadline; should it not be, decide() counts what is missing
    }
    return pipeline.decide(message);
  }

  /**
   * A message saved to a file (.eml, one mbox entry, a copy from a mailbox) as the milter would get it: a leading
   * mbox "From " separator line (RFC 4155) is no part of the message and is dropped; {@link RawMessage#parse} does
   * the rest (CRLF line ends, "From :" is a From field).
   */
  static RawMessage savedMessage(byte[] raw) {
    int start = 0;
    if (raw.length >= MBOX_SEPARATOR.length && Arrays.equals(raw, 0, MBOX_SEPARATOR.length, MBOX_SEPARATOR, 0,
        MBOX_SEPARATOR.length)) {
      int eol = 0;
      while (eol < raw.length && raw[eol] != '\n') {
        eol++;
      }
      start = Math.min(eol + 1, raw.length);
    }
    return RawMessage.parse(start == 0 ? raw : Arrays.copyOfRange(raw, start, raw.length));
  }

  /** The address of the Return-Path field the delivering MTA added: the MAIL FROM the message came with. */
  private static Optional<String> returnPath(RawMessage message) {
    return message.headers().stream().filter(h -> h.hasName("Return-Path")).findFirst().map(h -> h.value().strip());
  }

  private void print(PrintWriter out, Path file, Envelope envelope, String sender, MessageVerdict verdict) {
    out.println("== " + file);
    out.println("envelope: client-ip=" + envelope.clientIp().map(InetAddress::getHostAddress).orElse("(not given)")
        + " helo=" + (envelope.helo().isEmpty() ? "(not given)" : envelope.helo()) + " mail-from=" + sender
        + (at == null ? "" : " at=" + at));
    if (verdict.inbound().isEmpty()) {
      out.println("direction: outbound (the client is internal): Postseal signs such mail and does not judge it");
      out.println("would: " + verdict.decision());
      out.println();
      return;
    }
    InboundAuthentication inbound = verdict.inbound().get();
    out.println(inbound.authenticationResults().name() + ":" + inbound.authenticationResults().value().replace("\r\n", "\n"));
    DmarcDisposition disposition = inbound.disposition();
    out.println("disposition: " + action(disposition) + disposition.reply().map(r -> " (" + r + ")").orElse(""));
    out.println("policy: " + disposition.policy().map(DmarcPolicy::keyword).orElse("-") + "  override: "
        + disposition.overrideReason().map(OverrideReason::keyword).orElse("-"));
    out.println("why: " + verdict.decision());
    out.println();
  }

  private Map<String, Object> report(Path file, Envelope given, String sender, MessageVerdict verdict) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("file", file.toString());
    Map<String, Object> envelope = new LinkedHashMap<>();
    envelope.put("client_ip", given.clientIp().map(InetAddress::getHostAddress).orElse(null));
    envelope.put("helo", given.helo());
    envelope.put("mail_from", sender);
    r.put("envelope", envelope);
    r.put("evaluated_at", at == null ? null : instant(at).toString());
    Optional<InboundAuthentication> found = verdict.inbound();
    r.put("direction", (found.isPresent() ? Direction.INBOUND : Direction.OUTBOUND).logName());
    if (found.isEmpty()) {
      r.put("decision", verdict.decision());
      return r;
    }
    InboundAuthentication inbound = found.get();
    r.put("authentication_results", inbound.authenticationResults().name() + ":" + inbound.authenticationResults().value());
    Map<String, Object> spf = new LinkedHashMap<>();
    spf.put("result", inbound.spf().outcome().keyword());
    spf.put("identity", inbound.spf().identity().property());
    spf.put("domain", inbound.spf().domain());
    spf.put("cause", inbound.spf().cause().keyword());
    spf.put("reason", inbound.spf().reason());
    // the domain's own words for a fail (RFC 7208 section 6.2), when its record has exp=
    spf.put("explanation", inbound.spf().explanation().orElse(null));
    r.put("spf", spf);
    // the separate check of the HELO name (RFC 7208 section 2.3), which DMARC does not use
    r.put("spf_helo", inbound.heloSpf().map(helo -> {
      Map<String, Object> h = new LinkedHashMap<>();
      h.put("result", helo.outcome().keyword());
      h.put("domain", helo.domain());
      h.put("cause", helo.cause().keyword());
      h.put("reason", helo.reason());
      return h;
    }).orElse(null));
    List<Map<String, Object>> dkim = new ArrayList<>();
    for (DkimResult d : inbound.dkim()) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("result", d.outcome().keyword());
      one.put("domain", d.domain());
      one.put("selector", d.selector());
      one.put("algorithm", d.algorithm());
      one.put("cause", d.cause().keyword());
      one.put("reason", d.reason());
      dkim.add(one);
    }
    r.put("dkim", dkim);
    Map<String, Object> dmarc = new LinkedHashMap<>();
    dmarc.put("result", inbound.dmarc().outcome().keyword());
    dmarc.put("cause", inbound.dmarc().cause().keyword());
    dmarc.put("header_from", inbound.dmarc().headerFrom());
    dmarc.put("policy_domain", inbound.dmarc().policyDomain());
    dmarc.put("applied_policy", inbound.dmarc().appliedPolicy().map(DmarcPolicy::keyword).orElse(null));
    dmarc.put("reason", inbound.dmarc().reason());
    dmarc.put("record", inbound.dmarc().record().map(record -> {
      Map<String, Object> applied = new LinkedHashMap<>();
      applied.put("text", record.text());
      applied.put("domain", inbound.dmarc().policyDomain());
      applied.put("found_at", inbound.dmarc().policySource().map(s -> s.keyword()).orElse(null));
      applied.put("rua", record.aggregateReportUris());
      return applied;
    }).orElse(null));
    r.put("dmarc", dmarc);
    DmarcDisposition d = inbound.disposition();
    Map<String, Object> disposition = new LinkedHashMap<>();
    disposition.put("action", action(d));
    disposition.put("smtp_reply", d.reply().map(Object::toString).orElse(null));
    disposition.put("policy", d.policy().map(DmarcPolicy::keyword).orElse(null));
    disposition.put("override", d.overrideReason().map(OverrideReason::keyword).orElse(null));
    disposition.put("reason", verdict.decision());
    r.put("disposition", disposition);
    return r;
  }

  /** "accept", "quarantine-header", "hold", "reject", "tempfail". */
  private static String action(DmarcDisposition disposition) {
    return disposition.action().name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static String describe(IOException e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }
}
