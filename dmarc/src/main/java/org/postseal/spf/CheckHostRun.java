package org.postseal.spf;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.postseal.dns.DnsAnswer;
import org.postseal.dns.DnsSource;
import org.postseal.dns.RecordType;

/**
 * One check_host() evaluation (RFC 7208 sections 4-7) with its include/redirect recursion, as a chain of
 * futures: a DNS answer continues the chain on whichever thread completed it, and nothing ever waits.
 *
 * <p>State (the term and void-lookup counters, the reverse-DNS answers shared by "ptr" and %{p}) belongs to
 * this one evaluation. Steps run one after another, each started by the completion of the previous one, so
 * plain fields are safe: every completion happens-before the stage it triggers. Lookups inside one mechanism
 * (the addresses of each MX name, of each PTR name) run in parallel and are combined in the next stage.
 */
final class CheckHostRun {

  /** Section 4.6.4: an "mx" may look up the addresses of at most 10 names, else permerror. */
  static final int MAX_MX_NAMES = 10;
  /** Section 4.6.4: of the PTR names, only the first 10 are considered. */
  static final int MAX_PTR_NAMES = 10;
  /** Section 7.3: expanded names longer than this lose labels on the left. */
  static final int MAX_DOMAIN_LENGTH = 253;
  private static final int MAX_LABEL_LENGTH = 63;
  /** Section 7.3: what %{p} is when no reverse name validates. */
  private static final String UNKNOWN = "unknown";

  /**
   * What one record (or the redirect chain that started at it) concluded. {@code domain} is the domain whose
   * record decided, {@code explanationSpec} that record's exp=, used only if this is the final fail.
   */
  record Verdict(SpfOutcome outcome, SpfCause cause, String detail, String domain,
                 Optional<String> explanationSpec) {

    static Verdict of(SpfOutcome outcome, SpfCause cause, String detail, String domain) {
      return new Verdict(outcome, cause, detail, domain, Optional.empty());
    }

    /** This verdict as reached through {@code path} ("include:x"), with {@code outcome} there. */
    Verdict via(SpfOutcome outcome, String path, String domain) {
      return of(outcome, cause, detail + ", in " + path, domain);
    }
  }

  /** A mechanism matched, did not, or ended the evaluation with {@code error}. */
  private record Match(boolean matched, Verdict error) {
    static final Match YES = new Match(true, null);
    static final Match NO = new Match(false, null);

    static Match error(Verdict verdict) {
      return new Match(false, verdict);
    }
  }

  /** The reverse names of the client: the first {@value #MAX_PTR_NAMES}, or why there are none. */
  private record PtrNames(List<String> names, boolean isVoid, boolean isFailed) {
  }

  private final DnsSource dns;
  private final byte[] ip;
  private final RecordType addressType;
  private final String sender;
  private final String localPart;
  private final String senderDomain;
  private final String helo;
  private final String receivingHost;
  private final long timestamp;
  private final SpfLimits limits;
  private int dnsTerms;
  private int voidLookups;
  private CompletableFuture<PtrNames> ptrNames;
  private final Map<String, CompletableFuture<Boolean>> validations = new HashMap<>();

  /**
   * @param ip the client address, IPv4 (4 bytes; IPv4-mapped IPv6 already turned into IPv4) or IPv6 (16)
   */
  CheckHostRun(DnsSource dns, SpfLimits limits, byte[] ip, String sender, String localPart, String senderDomain,
               String helo, String receivingHost, long timestamp) {
    this.dns = dns;
    this.limits = limits;
    this.ip = ip.clone();
    this.addressType = ip.length == 4 ? RecordType.A : RecordType.AAAA;
    this.sender = sender;
    this.localPart = localPart;
    this.senderDomain = senderDomain;
    this.helo = helo;
    this.receivingHost = receivingHost;
    this.timestamp = timestamp;
  }

  /**
   * Section 4.3: a &lt;domain&gt; that cannot be a DNS name, or has one label only, gives "none" without any
   * lookup. {@code domain} has no trailing dot. Empty when the domain is fine.
   */
  static Optional<String> domainProblem(String domain) {
    if (domain.isEmpty()) {
      return Optional.of("is empty");
    }
    if (domain.startsWith("[")) {
      return Optional.of("is an address literal, not a domain");
    }
    if (domain.length() > MAX_DOMAIN_LENGTH) {
      return Optional.of("is longer than " + MAX_DOMAIN_LENGTH + " characters");
    }
    String[] labels = domain.split("\\.", -1);
    if (labels.length < 2) {
      return Optional.of("is not a fully qualified domain name");
    }
    for (String label : labels) {
      if (label.isEmpty()) {
        return Optional.of("has an empty label");
      }
      if (label.length() > MAX_LABEL_LENGTH) {
        return Optional.of("has a label longer than " + MAX_LABEL_LENGTH + " characters");
      }
    }
    return Optional.empty();
  }

  /** check_host() for {@code domain}: fetch its record, evaluate it (section 4). */
  CompletableFuture<Verdict> checkHost(String domain) {
    Optional<String> problem = domainProblem(domain);
    if (problem.isPresent()) {
      return done(Verdict.of(SpfOutcome.NONE, SpfCause.MALFORMED_DOMAIN, "\"" + domain + "\" " + problem.get(),
          domain));
    }
    return dns.lookup(domain, RecordType.TXT).thenCompose(answer -> {
      Optional<Verdict> error = dnsError(answer, domain);
      if (error.isPresent()) {
        return done(error.get());
      }
      List<String> records = new ArrayList<>();
      if (answer instanceof DnsAnswer.Found found) {
        for (String txt : found.records()) {
          if (SpfRecordParser.isSpfRecord(txt)) {
            records.add(txt);
          }
        }
      }
      if (records.isEmpty()) {
        // section 4.5: no SPF record (NXDOMAIN included, section 4.3) is "none"
        return done(Verdict.of(SpfOutcome.NONE, SpfCause.NO_RECORD, domain, domain));
      }
      if (records.size() > 1) {
        return done(Verdict.of(SpfOutcome.PERMERROR, SpfCause.MULTIPLE_RECORDS, records.size() + " at " + domain,
            domain));
      }
      SpfRecordParser.Parsed parsed = SpfRecordParser.parse(records.get(0));
      if (parsed instanceof SpfRecordParser.Invalid invalid) {
        return done(Verdict.of(SpfOutcome.PERMERROR, SpfCause.RECORD_SYNTAX, invalid.reason() + " (at " + domain + ")",
            domain));
      }
      return evaluate(((SpfRecordParser.Valid) parsed).record(), domain, 0);
    });
  }

  /** Evaluates the directives from {@code from} on, then redirect= (sections 4.6.2, 6.1). */
  private CompletableFuture<Verdict> evaluate(SpfRecord record, String domain, int from) {
    List<SpfMechanism> mechanisms = record.mechanisms();
    for (int i = from; i < mechanisms.size(); i++) {
      SpfMechanism mechanism = mechanisms.get(i);
      if (mechanism instanceof SpfMechanism.All) {
        return done(matched(mechanism, record, domain));
      }
      if (mechanism instanceof SpfMechanism.Ip4 ip4) {
        if (ip4.network().contains(ip)) {
          return done(matched(mechanism, record, domain));
        }
        continue;
      }
      if (mechanism instanceof SpfMechanism.Ip6 ip6) {
        if (ip6.network().contains(ip)) {
          return done(matched(mechanism, record, domain));
        }
        continue;
      }
      Optional<Verdict> overLimit = countDnsTerm(mechanism.term(), domain);
      if (overLimit.isPresent()) {
        return done(overLimit.get());
      }
      int next = i + 1;
      return match(mechanism, domain).thenCompose(match -> {
        if (match.error() != null) {
          return done(match.error());
        }
        if (match.matched()) {
          return done(matched(mechanism, record, domain));
        }
        return evaluate(record, domain, next);
      });
    }
    if (record.redirect().isPresent() && !record.hasAll()) {
      String spec = record.redirect().get();
      Optional<Verdict> overLimit = countDnsTerm("redirect=" + spec, domain);
      if (overLimit.isPresent()) {
        return done(overLimit.get());
      }
      // section 6.1: the result is the target's, exp= included; no record there is a permerror
      return expandDomain(spec, domain).thenCompose(target -> checkHost(target).thenApply(verdict ->
          verdict.outcome() == SpfOutcome.NONE
              ? verdict.via(SpfOutcome.PERMERROR, "redirect=" + target + " of " + domain, domain)
              : verdict));
    }
    // section 4.7: no match and no redirect is "neutral"
    return done(Verdict.of(SpfOutcome.NEUTRAL, SpfCause.NO_MATCH, "in the SPF record of " + domain + " for "
        + IpNetwork.text(ip), domain));
  }

  private Verdict matched(SpfMechanism mechanism, SpfRecord record, String domain) {
    return new Verdict(mechanism.qualifier().outcome(), SpfCause.matched(mechanism), "\"" + mechanism.term()
        + "\" in the SPF record of " + domain + " for " + IpNetwork.text(ip), domain, record.explanation());
  }

  private Optional<Verdict> countDnsTerm(String term, String domain) {
    dnsTerms++;
    if (dnsTerms > limits.maxDnsTerms()) {
      return Optional.of(Verdict.of(SpfOutcome.PERMERROR, SpfCause.LOOKUP_LIMIT,
          "more than " + limits.maxDnsTerms() + ", at \"" + term + "\" of " + domain, domain));
    }
    return Optional.empty();
  }

  private CompletableFuture<Match> match(SpfMechanism mechanism, String domain) {
    if (mechanism instanceof SpfMechanism.Include include) {
      return expandDomain(include.domainSpec(), domain).thenCompose(target -> matchInclude(target, domain));
    }
    if (mechanism instanceof SpfMechanism.A a) {
      return target(a.domainSpec(), domain).thenCompose(target ->
          matchAddresses(target, a.ip4PrefixLength(), a.ip6PrefixLength(), domain));
    }
    if (mechanism instanceof SpfMechanism.Mx mx) {
      return target(mx.domainSpec(), domain).thenCompose(target ->
          matchMx(target, mx.ip4PrefixLength(), mx.ip6PrefixLength(), domain));
    }
    if (mechanism instanceof SpfMechanism.Ptr ptr) {
      return target(ptr.domainSpec(), domain).thenCompose(target -> matchPtr(target, domain));
    }
    if (mechanism instanceof SpfMechanism.Exists exists) {
      return expandDomain(exists.domainSpec(), domain).thenCompose(target -> matchExists(target, domain));
    }
    throw new IllegalStateException("not a DNS mechanism: " + mechanism);
  }

  /** Section 5.2: pass matches; fail, softfail and neutral do not; errors carry over; none is a permerror. */
  private CompletableFuture<Match> matchInclude(String target, String domain) {
    return checkHost(target).thenApply(verdict -> switch (verdict.outcome()) {
      case PASS -> Match.YES;
      case FAIL, SOFTFAIL, NEUTRAL -> Match.NO;
      case TEMPERROR -> Match.error(verdict.via(SpfOutcome.TEMPERROR, "include:" + target, domain));
      case PERMERROR, NONE -> Match.error(verdict.via(SpfOutcome.PERMERROR, "include:" + target, domain));
    });
  }

  /** Section 5.3: the client is in one of the target's addresses of its own family (A or AAAA). */
  private CompletableFuture<Match> matchAddresses(String target, int ip4Prefix, int ip6Prefix, String domain) {
    if (!isQueryable(target)) {
      return done(Match.NO);
    }
    return dns.lookup(target, addressType).thenApply(answer -> {
      Optional<Verdict> error = dnsError(answer, domain);
      if (error.isPresent()) {
        return Match.error(error.get());
      }
      if (answer instanceof DnsAnswer.NotFound) {
        return voidLookup(target + " " + addressType, domain);
      }
      return contains(((DnsAnswer.Found) answer).records(), ip4Prefix, ip6Prefix) ? Match.YES : Match.NO;
    });
  }

  /**
   * Section 5.4: the client is one of the addresses of the target's MX names. More than
   * {@value #MAX_MX_NAMES} names would take more than {@value #MAX_MX_NAMES} address lookups, which section 4.6.4
   * forbids: a permerror, before any address is looked up; a null MX
   * (RFC 7505, target ".") has no addresses.
   */
  private CompletableFuture<Match> matchMx(String target, int ip4Prefix, int ip6Prefix, String domain) {
    if (!isQueryable(target)) {
      return done(Match.NO);
    }
    return dns.lookup(target, RecordType.MX).thenCompose(answer -> {
      Optional<Verdict> error = dnsError(answer, domain);
      if (error.isPresent()) {
        return done(Match.error(error.get()));
      }
      if (answer instanceof DnsAnswer.NotFound) {
        return done(voidLookup(target + " MX", domain));
      }
      List<String> names = new ArrayList<>();
      for (String mx : ((DnsAnswer.Found) answer).records()) {
        String host = mx.substring(mx.indexOf(' ') + 1).trim();
        // a null MX (RFC 7505) names the root, "."
        if (!host.isEmpty() && !host.equals(".")) {
          names.add(host);
        }
      }
      if (names.size() > MAX_MX_NAMES) {
        // section 4.6.4: "the evaluation of each "MX" record MUST NOT result in querying more than 10 address
        // records"; one per MX name, so more names than that is the permerror, decided before any is asked
        return done(Match.error(Verdict.of(SpfOutcome.PERMERROR, SpfCause.MX_LOOKUP_LIMIT,
            target + " has " + names.size() + " MX names, one address lookup each", domain)));
      }
      List<CompletableFuture<DnsAnswer>> lookups = new ArrayList<>();
      for (String name : names) {
        lookups.add(isQueryable(name) ? dns.lookup(name, addressType)
            : done(new DnsAnswer.NotFound(true)));
      }
      return CompletableFuture.allOf(lookups.toArray(new CompletableFuture<?>[0])).thenApply(all -> {
        Verdict failure = null;
        for (int k = 0; k < lookups.size(); k++) {
          DnsAnswer a = lookups.get(k).join();
          if (a instanceof DnsAnswer.Found found && contains(found.records(), ip4Prefix, ip6Prefix)) {
            return Match.YES;
          }
          Optional<Verdict> e = dnsError(a, domain);
          if (failure == null && e.isPresent()) {
            failure = e.get();
          }
        }
        return failure == null ? Match.NO : Match.error(failure);
      });
    });
  }

  /**
   * Section 5.5: some validated reverse name of the client is the target or under it. A failed PTR lookup
   * is no match, and a name whose address lookup fails is skipped (section 5.5): no temperror here.
   */
  private CompletableFuture<Match> matchPtr(String target, String domain) {
    return ptrNames().thenCompose(ptr -> {
      if (ptr.isFailed()) {
        return done(Match.NO);
      }
      if (ptr.isVoid()) {
        return done(voidLookup(reverseName() + " PTR", domain));
      }
      String suffix = "." + target.toLowerCase(Locale.ROOT);
      List<String> candidates = new ArrayList<>();
      for (String name : ptr.names()) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.equals(target.toLowerCase(Locale.ROOT)) || lower.endsWith(suffix)) {
          candidates.add(name);
        }
      }
      return validated(candidates).thenApply(valid -> valid.isEmpty() ? Match.NO : Match.YES);
    });
  }

  /** Section 5.7: the name has an A record, whatever the client's family. */
  private CompletableFuture<Match> matchExists(String target, String domain) {
    if (!isQueryable(target)) {
      return done(Match.NO);
    }
    return dns.lookup(target, RecordType.A).thenApply(answer -> {
      Optional<Verdict> error = dnsError(answer, domain);
      if (error.isPresent()) {
        return Match.error(error.get());
      }
      return answer instanceof DnsAnswer.NotFound ? voidLookup(target + " A", domain) : Match.YES;
    });
  }

  /**
   * The one place where a DNS status becomes an SPF outcome and cause (RFC 7208 sections 2.6.6, 4.4, 5): a
   * lookup that failed (timeout, SERVFAIL, REFUSED, network error) is a temperror. A name that does not exist
   * or has no records is an answer, not an error: it is "none", no match or a void lookup where it occurs. The
   * lookups whose failures the RFC tells to ignore (PTR names, %{p}, exp=) do not call this.
   */
  private static Optional<Verdict> dnsError(DnsAnswer answer, String domain) {
    if (answer instanceof DnsAnswer.Failed failed) {
      // the DNS layer's reason names the query: "SERVFAIL from DNS server for example.com TXT"
      return Optional.of(Verdict.of(SpfOutcome.TEMPERROR,
          failed.timedOut() ? SpfCause.DNS_TIMEOUT : SpfCause.DNS_FAILURE, failed.reason(), domain));
    }
    return Optional.empty();
  }

  /** Section 4.6.4: a third lookup answered with no records is a permerror. */
  private Match voidLookup(String what, String domain) {
    voidLookups++;
    if (voidLookups > limits.maxVoidLookups()) {
      return Match.error(Verdict.of(SpfOutcome.PERMERROR, SpfCause.VOID_LOOKUP_LIMIT, "more than "
          + limits.maxVoidLookups() + ", the last was " + what, domain));
    }
    return Match.NO;
  }

  private boolean contains(List<String> addresses, int ip4Prefix, int ip6Prefix) {
    for (String text : addresses) {
      Optional<byte[]> address = ip.length == 4 ? IpNetwork.parseIpv4(text) : IpNetwork.parseIpv6(text);
      if (address.isPresent() && address.get().length == ip.length
          && IpNetwork.of(address.get(), ip.length == 4 ? ip4Prefix : ip6Prefix).contains(ip)) {
        return true;
      }
    }
    return false;
  }

  /** The client's PTR names, looked up once per evaluation and shared by every "ptr" and %{p}. */
  private CompletableFuture<PtrNames> ptrNames() {
    if (ptrNames == null) {
      ptrNames = dns.lookup(reverseName(), RecordType.PTR).thenApply(answer -> {
        if (answer instanceof DnsAnswer.Failed) {
          return new PtrNames(List.of(), false, true);
        }
        if (answer instanceof DnsAnswer.NotFound) {
          return new PtrNames(List.of(), true, false);
        }
        List<String> names = new ArrayList<>();
        for (String name : ((DnsAnswer.Found) answer).records()) {
          if (names.size() == MAX_PTR_NAMES) {
            // section 4.6.4: "all records other than the first 10 MUST be ignored"
            break;
          }
          names.add(name);
        }
        return new PtrNames(List.copyOf(names), false, false);
      });
    }
    return ptrNames;
  }

  /** Of {@code names}, in order, those with an address equal to the client's (section 5.5). */
  private CompletableFuture<List<String>> validated(List<String> names) {
    List<CompletableFuture<Boolean>> checks = new ArrayList<>();
    for (String name : names) {
      checks.add(validations.computeIfAbsent(name.toLowerCase(Locale.ROOT), key -> !isQueryable(name)
          ? done(false)
          : dns.lookup(name, addressType).thenApply(answer ->
              answer instanceof DnsAnswer.Found found && contains(found.records(), 32, 128))));
    }
    return CompletableFuture.allOf(checks.toArray(new CompletableFuture<?>[0])).thenApply(all -> {
      List<String> out = new ArrayList<>();
      for (int k = 0; k < names.size(); k++) {
        if (checks.get(k).join()) {
          out.add(names.get(k));
        }
      }
      return out;
    });
  }

  /**
   * Section 7.3 %{p}: the validated reverse name equal to {@code domain}, else one under it, else any, else
   * "unknown". DNS errors give "unknown" too.
   */
  private CompletableFuture<String> validatedName(String domain) {
    return ptrNames().thenCompose(ptr -> validated(ptr.names())).thenApply(valid -> {
      String lower = domain.toLowerCase(Locale.ROOT);
      for (String name : valid) {
        if (name.toLowerCase(Locale.ROOT).equals(lower)) {
          return name;
        }
      }
      for (String name : valid) {
        if (name.toLowerCase(Locale.ROOT).endsWith("." + lower)) {
          return name;
        }
      }
      return valid.isEmpty() ? UNKNOWN : valid.get(0);
    });
  }

  /** "d.c.b.a.in-addr.arpa" or the 32 reversed nibbles + ".ip6.arpa". */
  private String reverseName() {
    StringBuilder out = new StringBuilder(72);
    if (ip.length == 4) {
      for (int i = 3; i >= 0; i--) {
        out.append(ip[i] & 0xFF).append('.');
      }
      return out.append("in-addr.arpa").toString();
    }
    for (int i = 15; i >= 0; i--) {
      out.append(Character.forDigit(ip[i] & 0xF, 16)).append('.')
          .append(Character.forDigit((ip[i] >> 4) & 0xF, 16)).append('.');
    }
    return out.append("ip6.arpa").toString();
  }

  /**
   * Section 6.2: the exp= text of a final fail. Every problem (the name does not expand to a usable name, DNS
   * error, no record or several, not US-ASCII, bad macro syntax) means "no explanation", never an error.
   */
  CompletableFuture<Optional<String>> explanation(Verdict verdict) {
    if (verdict.outcome() != SpfOutcome.FAIL || verdict.explanationSpec().isEmpty()) {
      return done(Optional.empty());
    }
    String domain = verdict.domain();
    return expandDomain(verdict.explanationSpec().get(), domain).thenCompose(target -> {
      if (!isQueryable(target)) {
        return done(Optional.<String>empty());
      }
      return dns.lookup(target, RecordType.TXT).thenCompose(answer -> {
        if (!(answer instanceof DnsAnswer.Found found) || found.records().size() != 1) {
          return done(Optional.<String>empty());
        }
        String text = found.records().get(0);
        for (int i = 0; i < text.length(); i++) {
          if (text.charAt(i) < 0x20 || text.charAt(i) > 0x7E) {
            return done(Optional.<String>empty());
          }
        }
        MacroString explainString = MacroString.parse(text, MacroString.Syntax.EXPLANATION);
        if (explainString.error().isPresent()) {
          return done(Optional.<String>empty());
        }
        return expand(explainString, domain).thenApply(Optional::of);
      });
    });
  }

  /** The target of a, mx and ptr: the expanded domain-spec, or the current domain when there is none. */
  private CompletableFuture<String> target(String domainSpec, String domain) {
    return domainSpec.isEmpty() ? done(domain) : expandDomain(domainSpec, domain);
  }

  /** Expands a domain-spec and makes it a name to query (section 7.3): no trailing dot, at most 253 chars. */
  private CompletableFuture<String> expandDomain(String domainSpec, String domain) {
    MacroString spec = MacroString.parse(domainSpec, MacroString.Syntax.DOMAIN_SPEC);
    return expand(spec, domain).thenApply(CheckHostRun::asQueryName);
  }

  private CompletableFuture<String> expand(MacroString macro, String domain) {
    if (macro.usesValidatedName()) {
      return validatedName(domain).thenApply(p -> macro.expand(values(domain, p), limits.maxMacroBytes()));
    }
    return done(macro.expand(values(domain, UNKNOWN), limits.maxMacroBytes()));
  }

  private MacroString.Values values(String domain, String validatedName) {
    return new MacroString.Values(sender, localPart, senderDomain, domain, ip, helo, validatedName, receivingHost,
        timestamp);
  }

  /** Section 7.3: a trailing dot is dropped, and labels are cut from the left until 253 characters remain. */
  static String asQueryName(String expanded) {
    String name = withoutTrailingDot(expanded);
    while (name.length() > MAX_DOMAIN_LENGTH && name.indexOf('.') >= 0) {
      name = name.substring(name.indexOf('.') + 1);
    }
    return name;
  }

  /** False for a name no DNS query can carry (empty label, label over 63, over 253): it matches nothing. */
  private static boolean isQueryable(String name) {
    if (name.isEmpty() || name.length() > MAX_DOMAIN_LENGTH) {
      return false;
    }
    for (String label : name.split("\\.", -1)) {
      if (label.isEmpty() || label.length() > MAX_LABEL_LENGTH) {
        return false;
      }
    }
    return true;
  }

  private static String withoutTrailingDot(String name) {
    return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
  }

  private static <T> CompletableFuture<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }
}
