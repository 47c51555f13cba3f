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

/** {@code postseal keys list}: a table for people, or with {@code --json} an object for scripts. */
final class KeyListingOutput {

  private static final String NONE = "-";

  private KeyListingOutput() {
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
    return JsonOutput.write(root);
  }

  private static String instant(Optional<Instant> instant) {
    return instant.map(Instant::toString).orElse(null);
  }
}
