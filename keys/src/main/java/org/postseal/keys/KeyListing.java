package org.postseal.keys;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Every key of the store with its state and what DNS serves for it: the model of {@code postseal keys list},
 * with its two renderings, {@link #toTable()} for people and {@link #toJson()} for scripts ({@code --json}).
 *
 * @param rows        by domain, then selector
 * @param problems    lines about files that could not be used (refused modes, unreadable state files)
 * @param retireAfter the {@code [keys] retire-after} the revocable dates were computed with
 */
public record KeyListing(List<Row> rows, List<String> problems, Duration retireAfter) implements KeyCommandOutput {

  private static final DateTimeFormatter DATE = DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC);
  private static final String NONE = "-";

  /**
   * One key.
   *
   * @param dns         what DNS serves; empty for deleted keys and keys whose file cannot be read
   * @param revocableAt for a retired key: when retire-after has passed
   * @param isRevocable retired and retire-after has passed: the record may be replaced by the revoked one
   * @param record      the record to publish now because DNS does not serve it yet: the key's own (pending,
   *                    active, retired within retire-after) or the revoked one (revocable, revoked); empty when
   *                    DNS already serves what it should, for deleted keys and for unreadable key files
   * @param note        what the operator should do about this key, if anything
   */
  public record Row(String domain, KeyEntry key, Optional<PublicationStatus> dns, Optional<Instant> revocableAt,
                    boolean isRevocable, Optional<DkimTxtRecord> record, Optional<String> note) {

    public Row {
      Objects.requireNonNull(domain, "domain");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(dns, "dns");
      Objects.requireNonNull(revocableAt, "revocableAt");
      Objects.requireNonNull(record, "record");
      Objects.requireNonNull(note, "note");
    }

    /** For an active or pending key: DNS serves exactly its key. Other states: always true. */
    public boolean isPublishedCorrectly() {
      boolean mustBePublished = key.state() == KeyState.ACTIVE || key.state() == KeyState.PENDING;
      return !mustBePublished || dns.map(PublicationStatus::isMatch).orElse(false);
    }

    /** The DNS column: "match", "missing", ... or "-" when not checked. */
    public String dnsLabel() {
      return dns.map(s -> s.kind().label()).orElse(NONE);
    }
  }

  public KeyListing {
    rows = List.copyOf(rows);
    problems = List.copyOf(problems);
    Objects.requireNonNull(retireAfter, "retireAfter");
  }

  @Override
  public int exitCode() {
    return 0;
  }

  /** {@link #toTable()}. */
  @Override
  public String text() {
    return toTable();
  }

  /**
   * A table with one line per key (domain, selector, algorithm, bits, state, created, activated, DNS), then one
   * paragraph per key that needs something done (with the record to publish), then the problems.
   */
  public String toTable() {
    StringBuilder text = new StringBuilder();
    if (rows.isEmpty()) {
      text.append("No keys. Create one with: postseal keygen DOMAIN\n");
    } else {
      List<String[]> cells = new ArrayList<>();
      cells.add(new String[] {"DOMAIN", "SELECTOR", "ALGORITHM", "BITS", "STATE", "CREATED", "ACTIVATED", "DNS"});
      for (Row row : rows) {
        KeyEntry k = row.key();
        String state = k.state().label() + (row.isRevocable() ? " (revocable)" : "");
        cells.add(new String[] {row.domain(), k.selector(), DkimPublicKey.keyType(k.algorithm()),
            Integer.toString(k.bits()), state, date(k.created()), k.activated().map(KeyListing::date).orElse(NONE),
            row.dnsLabel()});
      }
      int[] widths = new int[cells.get(0).length];
      for (String[] line : cells) {
        for (int i = 0; i < line.length; i++) {
          widths[i] = Math.max(widths[i], line[i].length());
        }
      }
      for (String[] line : cells) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < line.length; i++) {
          out.append(line[i]);
          if (i + 1 < line.length) {
            out.append(" ".repeat(widths[i] - line[i].length() + 2));
          }
        }
        text.append(out.toString().stripTrailing()).append('\n');
      }
    }
    for (Row row : rows) {
      if (row.note().isPresent()) {
        text.append('\n').append(row.domain()).append(' ').append(row.key().selector()).append(": ")
            .append(row.note().get()).append('\n');
        row.record().ifPresent(r -> text.append("  ").append(r.zoneText().replace("\n", "\n  ")).append('\n'));
      }
    }
    if (!problems.isEmpty()) {
      text.append("\nProblems:\n");
      for (String problem : problems) {
        text.append("  ").append(problem).append('\n');
      }
    }
    return text.toString();
  }

  /**
   * The same as an object {@code {"keys": [...], "problems": [...]}}; dates are ISO-8601 instants (UTC), absent
   * ones null; {@code dns} is null or {@code {"status": "match|missing|different_key|revoked|malformed|dns_error",
   * "detail": "..."}}; {@code publish} is null or the record to publish, {@code {"name", "value", "zone_text"}}.
   */
  public String toJson() {
    List<Object> keys = new ArrayList<>();
    for (Row row : rows) {
      KeyEntry k = row.key();
      Map<String, Object> key = new LinkedHashMap<>();
      key.put("domain", row.domain());
      key.put("selector", k.selector());
      key.put("algorithm", k.algorithm().tagValue());
      key.put("key_type", DkimPublicKey.keyType(k.algorithm()));
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
        dns.put("status", s.kind().jsonName());
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
    root.put("problems", new ArrayList<Object>(problems));
    return JsonWriter.write(root);
  }

  private static String instant(Optional<Instant> instant) {
    return instant.map(Instant::toString).orElse(null);
  }

  /** A date as listings print it: yyyy-mm-dd in UTC. */
  static String date(Instant instant) {
    return DATE.format(instant);
  }

  /** A duration as the config spells it: "7d", "36h", "90m", "45s". */
  static String duration(Duration duration) {
    long seconds = duration.getSeconds();
    if (seconds % 86_400 == 0 && seconds > 0) {
      return seconds / 86_400 + "d";
    }
    if (seconds % 3_600 == 0 && seconds > 0) {
      return seconds / 3_600 + "h";
    }
    if (seconds % 60 == 0 && seconds > 0) {
      return seconds / 60 + "m";
    }
    return seconds + "s";
  }
}
