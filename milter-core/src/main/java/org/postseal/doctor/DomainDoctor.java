package org.postseal.doctor;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.postseal.dkim.DkimAlgorithm;
import org.postseal.dmarc.DmarcAlignmentMode;
import org.postseal.dmarc.DmarcPolicy;
import org.postseal.dmarc.DmarcDomainCheck;
import org.postseal.dmarc.DmarcDomainReport;
import org.postseal.dmarc.DmarcRecord;
import org.postseal.dns.DnsAnswer;
import org.postseal.dns.DnsSource;
import org.postseal.dns.RecordType;
import org.postseal.dns.ResolverProbe;
import org.postseal.keys.DomainKeyCheck;
import org.postseal.keys.KeyCheckResult;
import org.postseal.keys.KeyEntry;
import org.postseal.keys.KeyListing;
import org.postseal.keys.KeyRefusal;
import org.postseal.keys.KeyState;
import org.postseal.keys.PublicationStatus;
import org.postseal.keys.SigningKeyStore;
import org.postseal.mail.DomainName;
import org.postseal.spf.SpfDomainCheck;
import org.postseal.spf.SpfDomainReport;
import org.postseal.spf.SpfEvaluator;
import org.postseal.spf.SpfResult;
import org.xbill.DNS.ReverseMap;

/**
 * {@code postseal doctor DOMAIN [--ip IP]}: looks at a domain the way a receiving mail server does and says what
 * would hurt delivery, each {@link Finding} with its fix. The checks reuse what the milter runs (SPF parser and
 * evaluator, DMARC tree walk, DKIM publication check), so a clean report means our own inbound checks pass too.
 *
 * <p>Threading: {@link #examine} blocks (on DNS, each answer at most the lookup timeout): call it from a command's
 * main thread, never from a milter event loop. Lookups go one after another; a report needs a few dozen.
 */
public final class DomainDoctor {

  private static final String MX = "MX";
  private static final String SPF = "SPF";
  private static final String DKIM = "DKIM";
  private static final String DMARC = "DMARC";
  private static final String RDNS = "rDNS";
  /** The resolver itself, when it does not answer: then nothing about the domain can be told. */
  private static final String DNS = "DNS";

  private final DnsSource dns;
  private final SigningKeyStore keys;
  private final DomainKeyCheck keyCheck;
  private final Clock clock;
  private final Duration lookupTimeout;

  /**
   * @param keys          our key store (state-dir/keys): its selectors are the DKIM records checked, read as the
   *                      owner of the store would (so {@code sudo postseal doctor} judges the files as serve does)
   * @param lookupTimeout longest wait for one DNS answer (the resolver's own timeout bounds it already)
   */
  public DomainDoctor(DnsSource dns, SigningKeyStore keys, Clock clock, Duration lookupTimeout) {
    this.dns = Objects.requireNonNull(dns, "dns");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.keyCheck = new DomainKeyCheck(keys, dns);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.lookupTimeout = Objects.requireNonNull(lookupTimeout, "lookupTimeout");
  }

  /**
   * Every check for {@code domain} (lower case, no trailing dot); SPF for and reverse DNS of {@code serverIp} when
   * given.
   */
  public DoctorReport examine(String domain, Optional<InetAddress> serverIp) {
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(serverIp, "serverIp");
    List<Finding> findings = new ArrayList<>();
    Optional<String> silence = resolverSilence(domain);
    if (silence.isPresent()) {
      findings.add(Finding.error(DNS, ResolverProbe.blame(silence.get()) + ": nothing about " + domain
          + " could be checked", "point [dns] servers at a resolver that answers (e.g. \"127.0.0.53\" with"
          + " systemd-resolved), then run postseal doctor again"));
      return new DoctorReport(domain, serverIp.map(InetAddress::getHostAddress), findings);
    }
    checkMx(domain, findings);
    checkSpf(domain, serverIp, findings);
    checkDkim(domain, findings);
    checkDmarc(domain, findings);
    checkReverseDns(domain, serverIp, findings);
    return new DoctorReport(domain, serverIp.map(InetAddress::getHostAddress), findings);
  }

  /**
   * Empty when the resolver answers. The domain's MX lookup comes first anyway (its answer is cached for
   * {@link #checkMx}); only when it got no answer at all is the resolver itself probed.
   */
  private Optional<String> resolverSilence(String domain) {
    if (lookup(domain, RecordType.MX) instanceof DnsAnswer.Failed failed && failed.isNoAnswer()) {
      return ResolverProbe.silence(dns, lookupTimeout);
    }
    return Optional.empty();
  }

  // ---------------------------------------------------------------- MX

  private void checkMx(String domain, List<Finding> findings) {
    DnsAnswer answer = lookup(domain, RecordType.MX);
    if (answer instanceof DnsAnswer.Failed failed) {
      findings.add(Finding.error(MX, "DNS lookup of " + domain + " MX failed: " + failed.reason(),
          "make sure the name servers of " + domain + " answer (dig " + domain + " MX)"));
      return;
    }
    if (answer instanceof DnsAnswer.NotFound notFound) {
      if (notFound.nxdomain()) {
        findings.add(Finding.error(MX, domain + " does not exist in DNS (NXDOMAIN)",
            "check the spelling, or register the domain and publish its zone"));
      } else {
        findings.add(Finding.warning(MX, domain + " has no MX record: senders fall back to its A record (RFC 5321"
            + " section 5.1), and some receivers distrust senders whose domain takes no mail",
            "publish " + domain + ". IN MX 10 mail." + domain + ". (a host with an A record)"));
      }
      return;
    }
    for (String mx : ((DnsAnswer.Found) answer).records()) {
      String[] parts = mx.split(" ", 2);
      String host = parts.length == 2 ? parts[1] : mx;
      if (host.equals(".")) {
        // RFC 7505: "0 ." declares that the domain accepts no mail
        findings.add(Finding.warning(MX, domain + " has a null MX (RFC 7505): it accepts no mail, so replies and"
            + " bounces to it are refused", "remove the null MX and publish a real one if " + domain
            + " should receive mail"));
        continue;
      }
      List<String> addresses = addresses(host);
      if (addresses.isEmpty()) {
        findings.add(Finding.error(MX, "MX " + mx + " has no A or AAAA record: mail to " + domain
            + " cannot be delivered", "publish an A record for " + host + ", or point the MX at a host that has one"));
      } else {
        findings.add(Finding.ok(MX, "MX " + mx + " (" + String.join(", ", addresses) + ")"));
      }
    }
  }

  // ---------------------------------------------------------------- SPF

  private void checkSpf(String domain, Optional<InetAddress> serverIp, List<Finding> findings) {
    SpfDomainReport report = new SpfDomainCheck(dns, lookupTimeout).check(domain);
    switch (report.status()) {
      case DNS_FAILURE -> {
        findings.add(Finding.error(SPF, "DNS lookup of " + domain + " TXT failed: " + report.failure(),
            "make sure the name servers of " + domain + " answer (dig " + domain + " TXT)"));
        return;
      }
      case NO_RECORD -> {
        findings.add(Finding.error(SPF, domain + " has no SPF record: receivers get spf=none and many treat the mail"
            + " as suspect", "publish " + domain + ". IN TXT \"v=spf1 mx -all\" (listing every host that sends as "
            + domain + ")"));
        return;
      }
      case SEVERAL_RECORDS -> {
        findings.add(Finding.error(SPF, domain + " has " + report.failure() + " of SPF: receivers return permerror"
            + " (RFC 7208 section 4.5)", "merge them into one v=spf1 record"));
        return;
      }
      case INVALID -> {
        findings.add(Finding.error(SPF, "\"" + report.recordText() + "\" is not valid SPF: " + report.failure()
            + "; receivers return permerror", "correct the record's syntax (RFC 7208 section 12)"));
        return;
      }
      case FOUND -> findings.add(Finding.ok(SPF, "record: \"" + report.recordText() + "\""));
      default -> throw new IllegalStateException(report.status().toString());
    }
    for (String problem : report.problems()) {
      findings.add(Finding.error(SPF, problem, "fix or remove the include/redirect that points there"));
    }
    if (report.isOverLookupLimit()) {
      findings.add(Finding.error(SPF, "the record needs " + report.lookups() + " DNS lookups (include, a, mx, ptr,"
          + " exists, redirect, counted through every include); receivers stop at " + report.lookupLimit()
          + " and return permerror (RFC 7208 section 4.6.4)", "bring it to " + report.lookupLimit()
          + " or fewer: replace includes you do not need, and a/mx terms by ip4:/ip6: ranges"));
    } else {
      findings.add(Finding.ok(SPF, report.lookups() + " of " + report.lookupLimit() + " DNS lookups used"));
    }
    for (String note : report.notes()) {
      findings.add(Finding.info(SPF, note));
    }
    if (report.usesPtr()) {
      findings.add(Finding.warning(SPF, "the record uses ptr, which RFC 7208 section 5.5 says not to use: slow, and"
          + " some receivers skip it", "replace ptr by ip4:/ip6: ranges or a"));
    }
    if (report.ending().isEmpty()) {
      findings.add(Finding.warning(SPF, "the record does not end in an all: mail from other hosts gets neutral, which"
          + " protects nothing", "end the record with -all (or ~all while you are testing)"));
    } else {
      switch (report.ending().get()) {
        case FAIL -> findings.add(Finding.ok(SPF, "ends in -all: other hosts fail"));
        case SOFTFAIL -> findings.add(Finding.ok(SPF, "ends in ~all: other hosts soft-fail (-all is stricter, and"
            + " DMARC decides the rest)"));
        case NEUTRAL -> findings.add(Finding.warning(SPF, "ends in ?all: other hosts get neutral, which protects"
            + " nothing", "end the record with -all or ~all"));
        case PASS -> findings.add(Finding.error(SPF, "ends in +all: every host on the internet passes SPF for "
            + domain, "end the record with -all or ~all"));
        default -> throw new IllegalStateException(report.ending().get().toString());
      }
    }
    serverIp.ifPresent(ip -> findings.add(spfFor(domain, ip)));
  }

  /** check_host() for the server's address, as a receiver runs it for MAIL FROM postmaster@DOMAIN. */
  private Finding spfFor(String domain, InetAddress ip) {
    SpfEvaluator evaluator = new SpfEvaluator(dns, clock, "postseal-doctor");
    // the evaluator bounds itself (SpfEvaluator.DEFAULT_MAX_DURATION); the extra second only guards that bound
    SpfResult result = await(evaluator.evaluate(ip, "postmaster@" + domain, domain), null,
        SpfEvaluator.DEFAULT_MAX_DURATION.plusSeconds(1));
    String address = ip.getHostAddress();
    if (result == null) {
      return Finding.error(SPF, "SPF evaluation for " + address + " did not finish in time",
          "make sure the name servers of " + domain + " and of its includes answer");
    }
    if (result.isPass()) {
      return Finding.ok(SPF, "SPF passes for " + address + " (" + result.reason() + ")");
    }
    String mechanism = ip instanceof Inet6Address ? "ip6:" : "ip4:";
    return Finding.error(SPF, "SPF gives " + result.outcome().keyword() + " for " + address + " (" + result.reason()
        + "): receivers see mail from this server as not authorized by " + domain,
        "add " + mechanism + address + " to the SPF record of " + domain + ", before its all");
  }

  // ---------------------------------------------------------------- DKIM

  private void checkDkim(String domain, List<Finding> findings) {
    KeyCheckResult result = keyCheck.check(domain);
    if (result instanceof KeyRefusal refusal) {
      findings.add(Finding.error(DKIM, "our keys of " + domain + " cannot be read: " + refusal.message(),
          "fix the key store as the message says"));
      return;
    }
    KeyCheckResult.Checked checked = (KeyCheckResult.Checked) result;
    String keyDir = keys.keysDir().resolve(domain).toString();
    List<KeyListing.Row> rows = checked.rows().stream()
        .filter(r -> r.key().state() == KeyState.ACTIVE || r.key().state() == KeyState.PENDING
            || r.key().state() == KeyState.RETIRED)
        .toList();
    if (rows.isEmpty()) {
      findings.add(Finding.error(DKIM, "no DKIM key for " + domain + " in " + keyDir + ": mail goes out unsigned and"
          + " DMARC rests on SPF alone, which forwarding breaks", "postseal keygen " + domain
          + ", then publish the record it prints"));
      return;
    }
    // signing.algorithms: an active key of another algorithm signs nothing
    Set<DkimAlgorithm> signingAlgorithms = keys.signingAlgorithms();
    boolean anyActive = false;
    boolean anySigning = false;
    for (KeyListing.Row row : rows) {
      KeyEntry entry = row.key();
      KeyState state = entry.state();
      anyActive |= state == KeyState.ACTIVE;
      String what = "selector " + entry.selector() + " (" + entry.algorithmLabel() + ", " + state.label() + ")";
      if (state == KeyState.ACTIVE && !signingAlgorithms.contains(entry.algorithm())) {
        findings.add(Finding.warning(DKIM, what + ": signs nothing: signing.algorithms does not list "
            + entry.algorithm().tagValue(), "add \"" + entry.algorithm().tagValue() + "\" to signing.algorithms to"
            + " sign with it as well"));
        continue;
      }
      anySigning |= state == KeyState.ACTIVE;
      if (row.dns().isEmpty()) {
        String file = keyDir + "/" + entry.selector() + ".";
        String problem = checked.problems().stream().filter(p -> p.contains(file)).findFirst()
            .orElse("its key file cannot be loaded");
        findings.add(new Finding(DKIM, state == KeyState.ACTIVE ? Severity.ERROR : Severity.WARNING, what + ": "
            + problem, "fix the key file as the message says (postseal keys list shows every problem)"));
        continue;
      }
      PublicationStatus status = row.dns().get();
      String publish = "publish the record printed by postseal keys check " + domain + " (also in " + keyDir + "/"
          + entry.selector() + ".txt)";
      if (status.isMatch()) {
        findings.add(state == KeyState.PENDING
            ? Finding.info(DKIM, what + ": DNS serves it; serve activates it (or postseal keys activate " + domain + ")")
            : Finding.ok(DKIM, what + ": " + status.detail()));
      } else if (state == KeyState.ACTIVE) {
        findings.add(Finding.error(DKIM, what + ": it signs, but " + status.detail()
            + ", so receivers fail DKIM for mail from " + domain, publish));
      } else if (state == KeyState.PENDING) {
        findings.add(Finding.warning(DKIM, what + ": not usable yet: " + status.detail(), publish));
      } else if (!row.isRevocable()) {
        findings.add(Finding.warning(DKIM, what + ": " + status.detail() + "; mail it signed before its retirement"
            + " may fail to verify", "keep its record published until postseal keys list says it can be revoked"));
      }
    }
    if (anyActive && !anySigning) {
      findings.add(Finding.error(DKIM, domain + " has no active key of an algorithm in signing.algorithms ("
          + signingAlgorithms.stream().map(DkimAlgorithm::tagValue).sorted().collect(Collectors.joining(", "))
          + "): mail goes out unsigned", "add the active key's algorithm to signing.algorithms, or postseal keygen "
          + domain + " --algorithm rsa-2048"));
    } else if (!anyActive) {
      findings.add(Finding.error(DKIM, domain + " has no active key: mail goes out unsigned",
          "publish the pending key's record and run postseal keys activate " + domain + " (or postseal keygen "
              + domain + ")"));
    }
  }

  // ---------------------------------------------------------------- DMARC

  private void checkDmarc(String domain, List<Finding> findings) {
    String name = "_dmarc." + domain;
    DmarcDomainReport discovery = new DmarcDomainCheck(dns, lookupTimeout).check(domain);
    if (discovery.status() == DmarcDomainReport.Status.SEVERAL_RECORDS) {
      findings.add(Finding.error(DMARC, name + " has " + discovery.failure() + ": receivers ignore them all (RFC"
          + " 9989 section 4.10)", "keep exactly one v=DMARC1 record at " + name));
      return;
    }
    if (discovery.status() == DmarcDomainReport.Status.DNS_FAILURE) {
      findings.add(Finding.error(DMARC, "DMARC policy discovery failed: " + discovery.failure(),
          "make sure the name servers of " + domain + " answer (dig " + name + " TXT)"));
      return;
    }
    for (String invalid : discovery.invalidRecords()) {
      findings.add(Finding.error(DMARC, name + " has a record receivers ignore: " + invalid,
          "publish each tag once (RFC 9989 section 4.7)"));
    }
    findings.add(Finding.info(DMARC, "tree walk (RFC 9989 section 4.10): " + String.join(", ", discovery.walk())
        + discovery.walkStoppedEarly().map(why -> "; it stopped early (" + why + "), after finding the record it needs")
        .orElse("; organizational domain " + discovery.organizationalDomain())));
    if (discovery.status() == DmarcDomainReport.Status.NOT_FOUND) {
      findings.add(Finding.error(DMARC, "no DMARC record for " + domain + " or its organizational domain: receivers"
          + " apply no policy, anyone can send as " + domain + ", and you get no reports",
          "publish " + name + ". IN TXT \"v=DMARC1; p=none; rua=mailto:dmarc-reports@" + domain
              + "\", then raise p= once the reports show your mail passes"));
      return;
    }
    DmarcRecord record = discovery.record().orElseThrow();
    boolean fromParent = discovery.isFromParent();
    findings.add(Finding.ok(DMARC, "record at _dmarc." + discovery.policyDomain() + ": \"" + record.text() + "\""
        + (fromParent ? " (" + domain + " has none of its own; its organizational domain's applies)" : "")));
    if (!record.hasValidPolicy()) {
      // RFC 9989 section 4.10.1: an invalid p=, sp= or np= means p=none with a usable rua=, else no DMARC at all
      findings.add(Finding.error(DMARC, "the record's policy is not valid: " + String.join("; ", record.problems())
          + (record.aggregateReportUris().isEmpty() ? "; receivers apply no DMARC to mail from " + domain
          : "; receivers act as if it said p=none (no sp=, no np=)"), "use p=none, p=quarantine or p=reject"
          + " (and sp=/np= the same way)"));
      return;
    }
    DmarcPolicy policy = fromParent ? record.subdomainPolicy().orElse(record.policy()) : record.policy();
    String tag = fromParent && record.subdomainPolicy().isPresent() ? "sp=" : "p=";
    switch (policy) {
      case NONE -> findings.add(Finding.warning(DMARC, tag + "none: receivers only report; mail that fails DMARC,"
          + " forgeries of " + domain + " included, is delivered as usual", "once the aggregate reports show your own"
          + " mail passes, set p=quarantine, later p=reject"));
      case QUARANTINE -> findings.add(Finding.ok(DMARC, tag + "quarantine: mail failing DMARC goes to spam"));
      case REJECT -> findings.add(Finding.ok(DMARC, tag + "reject: mail failing DMARC is refused"));
      default -> throw new IllegalStateException(policy.toString());
    }
    if (record.isTesting()) {
      findings.add(Finding.warning(DMARC, "t=y: testing mode, receivers apply the policy one level milder",
          "remove t=y when testing is over"));
    }
    for (String problem : record.problems()) {
      if (record.hasValidPolicy()) {
        findings.add(Finding.warning(DMARC, "record problem: " + problem + " (receivers ignore that tag)",
            "correct the tag (RFC 9989 section 4.7)"));
      }
    }
    if (record.aggregateReportUris().isEmpty()) {
      findings.add(Finding.warning(DMARC, "no rua=: nobody sends you aggregate reports, so you cannot see who sends"
          + " as " + domain + " or whether your mail passes", "add rua=mailto:dmarc-reports@" + domain
          + " to the record"));
    } else {
      findings.add(Finding.ok(DMARC, "aggregate reports (rua) go to " + String.join(", ", record.aggregateReportUris())));
    }
    if (!record.failureReportUris().isEmpty()) {
      findings.add(Finding.info(DMARC, "failure reports (ruf) go to " + String.join(", ", record.failureReportUris())
          + " (few receivers send them)"));
    }
    findings.add(Finding.info(DMARC, "alignment: adkim=" + mode(record.dkimAlignment()) + " aspf="
        + mode(record.spfAlignment()) + (record.dkimAlignment() == DmarcAlignmentMode.STRICT
        || record.spfAlignment() == DmarcAlignmentMode.STRICT
        ? " (strict: the signing domain and MAIL FROM domain must be exactly the From: domain)"
        : " (relaxed: subdomains of the organizational domain align)")));
  }

  private static String mode(DmarcAlignmentMode mode) {
    return mode == DmarcAlignmentMode.STRICT ? "s" : "r";
  }


  // ---------------------------------------------------------------- reverse DNS

  private void checkReverseDns(String domain, Optional<InetAddress> serverIp, List<Finding> findings) {
    if (serverIp.isEmpty()) {
      findings.add(Finding.info(RDNS, "not checked: no server address given",
          "run postseal doctor " + domain + " --ip YOUR.SERVER.IP to check its reverse DNS and SPF"));
      return;
    }
    InetAddress ip = serverIp.get();
    String address = ip.getHostAddress();
    String reverse = ReverseMap.fromAddress(ip).toString(true);
    String setPtr = "ask whoever owns " + address + " (your hosting provider or ISP) to set its PTR to your mail"
        + " server's name, e.g. mail." + domain + ", whose A" + (ip instanceof Inet6Address ? "AAAA" : "")
        + " record must be " + address;
    DnsAnswer answer = lookup(reverse, RecordType.PTR);
    if (answer instanceof DnsAnswer.Failed failed) {
      findings.add(Finding.error(RDNS, "DNS lookup of " + reverse + " PTR failed: " + failed.reason(), setPtr));
      return;
    }
    if (!(answer instanceof DnsAnswer.Found found)) {
      findings.add(Finding.error(RDNS, address + " has no reverse DNS (no PTR at " + reverse + "): Gmail, Outlook and"
          + " many others reject or spam-file mail from addresses without it", setPtr));
      return;
    }
    List<String> names = found.records();
    if (names.size() > 1) {
      findings.add(Finding.warning(RDNS, address + " has " + names.size() + " PTR records (" + String.join(", ", names)
          + "): receivers pick one at random", "keep one PTR record"));
    }
    RecordType forward = ip instanceof Inet6Address ? RecordType.AAAA : RecordType.A;
    for (String name : names) {
      DnsAnswer back = lookup(name, forward);
      List<InetAddress> resolved = new ArrayList<>();
      if (back instanceof DnsAnswer.Found f) {
        for (String text : f.records()) {
          literal(text).ifPresent(resolved::add);
        }
      }
      if (resolved.contains(ip)) {
        findings.add(Finding.ok(RDNS, address + " -> " + name + " -> " + address
            + ": forward-confirmed reverse DNS (FCrDNS) holds"));
        if (!name.equals(domain) && !name.endsWith("." + domain)) {
          findings.add(Finding.info(RDNS, name + " is outside " + domain + "; that is fine, but the server's HELO name"
              + " should be " + name));
        }
      } else {
        String got = back instanceof DnsAnswer.Failed f ? "its lookup failed (" + f.reason() + ")"
            : resolved.isEmpty() ? "it has no " + forward + " record"
            : "it resolves to " + resolved.stream().map(InetAddress::getHostAddress).collect(Collectors.joining(", "));
        findings.add(Finding.error(RDNS, "the PTR of " + address + " is " + name + ", but " + got
            + ": forward-confirmed reverse DNS (FCrDNS) fails, and receivers treat the server as a dial-up or"
            + " hijacked host", "publish " + name + ". IN " + forward + " " + address
            + ", or have the PTR changed to a name that resolves to " + address));
      }
    }
  }

  // ---------------------------------------------------------------- shared

  /** The A and AAAA addresses of {@code host}, as text; empty when it has none or the lookups fail. */
  private List<String> addresses(String host) {
    List<String> out = new ArrayList<>();
    for (RecordType type : List.of(RecordType.A, RecordType.AAAA)) {
      if (lookup(host, type) instanceof DnsAnswer.Found found) {
        out.addAll(found.records());
      }
    }
    return out;
  }

  private DnsAnswer lookup(String name, RecordType type) {
    DnsAnswer answer = await(dns.lookup(name, type), null);
    return answer != null ? answer
        : new DnsAnswer.Failed("no answer within " + lookupTimeout.toMillis() + " ms", true);
  }

  private <T> T await(CompletableFuture<T> future, T onTimeout) {
    return await(future, onTimeout, lookupTimeout);
  }

  private static <T> T await(CompletableFuture<T> future, T onTimeout, Duration timeout) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return onTimeout;
    } catch (ExecutionException | TimeoutException e) {
      future.cancel(true);
      return onTimeout;
    }
  }

  private static Optional<InetAddress> literal(String text) {
    if (!text.matches("[0-9A-Fa-f:.]+")) {
      return Optional.empty();
    }
    try {
      // an IP literal: InetAddress parses it without any lookup
      return Optional.of(InetAddress.getByName(text));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }
}
