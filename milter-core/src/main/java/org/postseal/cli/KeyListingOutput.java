package org.postseal.cli;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.postseal.keys.KeyEntry;
import org.postseal.keys.KeyListing;
import org.postseal.keys.KeyState;
import org.postseal.server.DomainsQuery;

/** {@code postseal keys list}: a table for people, or with {@code --json} an object for scripts. */
final class KeyListingOutput {

  private static final String NONE = "-";

  private KeyListingOutput() {
  }

  /** The keys, and the signing domains they are for. */
  record Listed(KeyListing listing, DomainsQuery.SigningDomains signing) {

    /** Signing domains with no active key, each with what it has: "no key" or "pending key only". */
    Map<String, String> withoutActiveKey() {
      Map<String, String> out = new LinkedHashMap<>();
      for (String domain : signing.all()) {
        List<KeyEntry> keys = listing.rows().stream().filter(r -> r.domain().equals(domain)).map(KeyListing.Row::key)
            .toList();
        if (keys.stream().noneMatch(k -> k.state() == KeyState.ACTIVE)) {
          out.put(domain, keys.stream().anyMatch(k -> k.state() == KeyState.PENDING) ? "pending key only" : "no key");
        }
      }
      return out;
    }
  }

  /** {@link #table(KeyListing)}, then the signing domains without an active key. */
  static String table(Listed listed) {
    StringBuilder text = new StringBuilder(table(listed.listing()));
    listed.signing().queryFailure().ifPresent(f -> text.append("\nsigning.domains-query failed: ").append(f)
        .append(" (the domains it returns are not listed below)\n"));
    Map<String, String> missing = listed.withoutActiveKey();
    if (!missing.isEmpty()) {
      text.append("\nSigning domains without an active key (their mail goes out unsigned):\n");
      missing.forEach((domain, what) -> text.append("  ").append(domain)
          .append(listed.signing().queried().contains(domain) && !listed.signing().configured().contains(domain)
              ? " (from domains-query)" : "").append(": ").append(what).append(what.equals("no key")
              ? "; create one with postseal keygen " + domain : "; publish it, then postseal keys activate " + domain)
          .append('\n'));
    }
    return text.toString();
  }

  /** {@link #json(KeyListing)} with {@code "signing_domains_without_key": [{"domain", "has", "from_query"}]}. */
  static String json(Listed listed) {
    Map<String, Object> root = jsonTree(listed.listing());
    List<Object> missing = new ArrayList<>();
    listed.withoutActiveKey().forEach((domain, what) -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("domain", domain);
      m.put("has", what.replace(' ', '_'));
      m.put("from_query", listed.signing().queried().contains(domain) && !listed.signing().configured().contains(domain));
      missing.add(m);
    });
    root.put("signing_domains_without_key", missing);
    root.put("domains_query_failure", listed.signing().queryFailure().orElse(null));
    return JsonOutput.write(root);
  }

  /**
   * One line per key (domain, selector, algorithm, bits, state, created, activated, DNS), then one paragraph per
   * key that needs something done (with the record to publish), then the problems.
   */
  static String table(KeyListing listing) {
    StringBuilder text = new StringBuilder();
    if (listing.rows().isEmpty()) {
      text.append("No keys. Create one with: postseal keygen DOMAIN\n");
    } else {
      List<String[]> cells = new ArrayList<>();
      cells.add(new String[] {"DOMAIN", "SELECTOR", "ALGORITHM", "BITS", "STATE", "CREATED", "ACTIVATED", "DNS"});
      for (KeyListing.Row row : listing.rows()) {
        KeyEntry k = row.key();
        String state = k.state().label() + (row.isRevocable() ? " (revocable)" : "");
        cells.add(new String[] {row.domain(), k.selector(), k.keyType(), Integer.toString(k.bits()), state,
            KeyOutput.date(k.created()), k.activated().map(KeyOutput::date).orElse(NONE),
            row.dns().map(s -> s.kind().label()).orElse(NONE)});
      }
      text.append(TextTable.render(cells));
    }
    for (KeyListing.Row row : listing.rows()) {
      if (row.note().isPresent()) {
        text.append('\n').append(row.domain()).append(' ').append(row.key().selector()).append(": ")
            .append(row.note().get()).append('\n');
        row.record().ifPresent(r -> text.append("  ").append(r.zoneText().replace("\n", "\n  ")).append('\n'));
      }
    }
    if (!listing.problems().isEmpty()) {
      text.append("\nProblems:\n");
      for (String problem : listing.problems()) {
        text.append("  ").append(problem).append('\n');
      }
    }
    return text.toString();
  }

  /**
   * {@code {"keys": [...], "problems": [...]}}; dates are ISO-8601 instants (UTC), absent ones null; {@code dns}
   * is null or {@code {"status": "match|missing|different_key|revoked|malformed|dns_error", "detail": "..."}};
   * {@code publish} is null or the record to publish, {@code {"name", "value", "zone_text"}}.
   */
  static String json(KeyListing listing) {
    return JsonOutput.write(jsonTree(listing));
  }

  private static Map<String, Object> jsonTree(KeyListing listing) {
    List<Object> keys = new ArrayList<>();
    for (KeyListing.Row row : listing.rows()) {
      KeyEntry k = row.key();
      Map<String, Object> key = new LinkedHashMap<>();
      key.put("domain", row.domain());
      key.put("selector", k.selector());
      key.put("algorithm", k.algorithm().tagValue());
      key.put("key_type", k.keyType());
      key.put("bits", k.bits());
      key.put("state", k.state().label());
      key.put("created", k.created().toString());
      key.put("activated", instant(k.activated()));
      key.put("retired", instant(k.retired()));
      key.put("revoked", instant(k.revoked()));
      key.put("deleted", instant(k.deleted()));
      key.put("revocable_at", instant(row.revocableAt()));
      key.put("revocable", row.isRevocable());
      key.put("dns", row.dns().map(s -> {
        Map<String, Object> dns = new LinkedHashMap<>();
        dns.put("status", s.kind().name().toLowerCase(Locale.ROOT));
        dns.put("detail", s.detail());
        return (Object) dns;
      }).orElse(null));
      key.put("publish", row.record().map(r -> {
        Map<String, Object> publish = new LinkedHashMap<>();
        publish.put("name", r.name());
        publish.put("value", r.value());
        publish.put("zone_text", r.zoneText());
        return (Object) publish;
      }).orElse(null));
      key.put("note", row.note().orElse(null));
      keys.add(key);
    }
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("keys", keys);
    root.put("problems", listing.problems());
    return root;
  }

  private static String instant(Optional<Instant> instant) {
    return instant.map(Instant::toString).orElse(null);
  }
}
