package org.postseal.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
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

  @Mixin
  CommonOptions common;

  @Option(names = "--client-ip", paramLabel = "IP", description = "The SMTP client's address (IPv4 or IPv6); without it SPF"
      + " is not evaluated.")
  String clientIp;

  @Option(names = "--helo", paramLabel = "NAME", description = "The client's HELO/EHLO name (SPF checks it for the null"
      + " sender).")
  String helo = "";

  @Option(names = "--mail-from", paramLabel = "ADDR", description = "The envelope sender (MAIL FROM; \"<>\" for the null"
      + " sender). Default: the message's Return-Path.")
  String mailFrom;

  @Option(names = "--json", description = "One JSON array with an object per file.")
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
    Optional<InetAddress> client = Optional.empty();
    if (clientIp != null) {
      client = Network.parseAddressLiteral(clientIp);
      if (client.isEmpty()) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--client-ip " + clientIp
            + " is not an IPv4 or IPv6 address");
      }
    }
    ConfigResult result = common.loadConfig(new ConfigLoader());
    if (result instanceof ConfigResult.Invalid invalid) {
      for (ConfigError error : invalid.errors()) {
        err.println(error);
      }
      err.println("postseal: " + invalid.source() + " is invalid (check with: postseal config check)");
      return Main.EXIT_FAILURE;
    }
    PostsealConfig config = ((ConfigResult.Valid) result).config();
    Clock clock = Clock.systemUTC();
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
      SavedMessage message = SavedMessage.parse(raw);
      String sender = mailFrom != null ? mailFrom : message.returnPath().orElse("<>");
      MessageVerdict verdict = evaluate(pipeline, snapshot, client, sender, message);
      if (json) {
        reports.add(report(file, client, sender, verdict));
      } else {
        print(out, file, client, sender, verdict);
      }
    }
    if (json) {
      out.print(JsonOutput.write(reports));
    }
    out.flush();
    return allRead ? Main.EXIT_OK : Main.EXIT_FAILURE;
  }

  /** The milter's steps, in its order, on this thread. */
  private MessageVerdict evaluate(AuthenticationPipeline pipeline, PipelineSnapshot snapshot, Optional<InetAddress> client,
                                  String sender, SavedMessage saved) throws InterruptedException {
    ConnectionState connection = new ConnectionState("check");
    connection.setClient("", client.orElse(null));
    connection.setHelo(helo);
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

  private void print(PrintWriter out, Path file, Optional<InetAddress> client, String sender, MessageVerdict verdict) {
    out.println("== " + file);
    out.println("envelope: client-ip=" + client.map(InetAddress::getHostAddress).orElse("(not given)") + " helo="
        + (helo.isEmpty() ? "(not given)" : helo) + " mail-from=" + sender);
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

  private Map<String, Object> report(Path file, Optional<InetAddress> client, String sender, MessageVerdict verdict) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("file", file.toString());
    Map<String, Object> envelope = new LinkedHashMap<>();
    envelope.put("client_ip", client.map(InetAddress::getHostAddress).orElse(null));
    envelope.put("helo", helo);
    envelope.put("mail_from", sender);
    r.put("envelope", envelope);
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
    r.put("spf", spf);
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
