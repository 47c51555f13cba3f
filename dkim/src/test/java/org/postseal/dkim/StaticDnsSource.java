package org.postseal.dkim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.postseal.dns.DnsAnswer;
import org.postseal.dns.DnsSource;
import org.postseal.dns.RecordType;

/**
 * An in-memory {@link DnsSource} for DKIM tests: TXT answers by name, scripted failures, and held
 * lookups whose future the test completes late (or never). Unknown names are NXDOMAIN. Records every
 * lookup so tests can count them. Thread-safe.
 */
final class StaticDnsSource implements DnsSource {

  private final Map<String, DnsAnswer> answers = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<DnsAnswer>> held = new ConcurrentHashMap<>();
  private final List<String> lookups = java.util.Collections.synchronizedList(new ArrayList<>());

  /** TXT records at {@code name}, in order. */
  StaticDnsSource txt(String name, String... records) {
    answers.put(key(name), new DnsAnswer.Found(List.of(records), Duration.ofMinutes(5)));
    return this;
  }

  StaticDnsSource answer(String name, DnsAnswer answer) {
    answers.put(key(name), answer);
    return this;
  }

  /** Lookups of {@code name} get this future, which the test completes when it likes. */
  CompletableFuture<DnsAnswer> hold(String name) {
    return held.computeIfAbsent(key(name), k -> new CompletableFuture<>());
  }

  /** Zone lines as in the fixtures: {@code <name> <TXT value>}; ";" starts a comment line. */
  static StaticDnsSource fromLines(List<String> lines) {
    Map<String, List<String>> records = new java.util.LinkedHashMap<>();
    for (String line : lines) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith(";")) {
        continue;
      }
      int space = trimmed.indexOf(' ');
      records.computeIfAbsent(trimmed.substring(0, space), k -> new ArrayList<>())
          .add(trimmed.substring(space + 1).strip());
    }
    StaticDnsSource dns = new StaticDnsSource();
    records.forEach((name, values) -> dns.txt(name, values.toArray(new String[0])));
    return dns;
  }

  List<String> lookups() {
    return List.copyOf(lookups);
  }

  @Override
  public CompletableFuture<DnsAnswer> lookup(String name, RecordType type) {
    lookups.add(key(name));
    CompletableFuture<DnsAnswer> late = held.get(key(name));
    if (late != null) {
      return late;
    }
    if (type != RecordType.TXT) {
      return CompletableFuture.completedFuture(new DnsAnswer.NotFound(false));
    }
    DnsAnswer answer = answers.get(key(name));
    return CompletableFuture.completedFuture(answer != null ? answer : new DnsAnswer.NotFound(true));
  }

  private static String key(String name) {
    return name.toLowerCase(Locale.ROOT);
  }
}
