package org.postseal.keys;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.postseal.dns.ResolverProbe;

/**
 * The rows that {@link KeyInventory} and {@link DomainKeyCheck} return: each key of a domain with what DNS serves
 * for it and what the operator should do about it. The DNS lookups of one domain run in parallel.
 */
final class KeyRows {

  private final SigningKeyStore store;
  private final KeyPublicationCheck publication;

  KeyRows(SigningKeyStore store, KeyPublicationCheck publication) {
    this.store = Objects.requireNonNull(store, "store");
    this.publication = Objects.requireNonNull(publication, "publication");
  }

  /** One row per key of {@code domain} in {@code snapshot}; deleted keys and unreadable key files are not looked up. */
  List<KeyListing.Row> rows(KeyDirectory snapshot, String domain, Instant now) {
    List<KeyEntry> entries = snapshot.entries(domain);
    Map<String, DkimPublicKey> keys = new LinkedHashMap<>();
    for (KeyEntry entry : entries) {
      if (entry.state() != KeyState.DELETED) {
        SigningKeyStore.publicKey(snapshot, domain, entry.selector()).ifPresent(key -> keys.put(entry.selector(), key));
      }
    }
    Map<String, PublicationStatus> answers = publication.checkAll(domain, keys);
    if (answers.values().stream().anyMatch(a -> a.kind() == PublicationStatus.Kind.DNS_ERROR)) {
      // a resolver that answers nothing must not read as a domain whose records are broken
      publication.resolverSilence().ifPresent(silence -> answers.replaceAll((selector, status) ->
          status.kind() == PublicationStatus.Kind.DNS_ERROR ? new PublicationStatus(PublicationStatus.Kind.DNS_ERROR,
              status.recordName(), ResolverProbe.blame(silence), List.of()) : status));
    }
    List<KeyListing.Row> rows = new ArrayList<>();
    for (KeyEntry entry : entries) {
      rows.add(row(domain, entry, Optional.ofNullable(keys.get(entry.selector())),
          Optional.ofNullable(answers.get(entry.selector())), now));
    }
    return rows;
  }

  /** What the operator should do about one key, given what DNS serves. */
  private KeyListing.Row row(String domain, KeyEntry entry, Optional<DkimPublicKey> key,
                             Optional<PublicationStatus> status, Instant now) {
    Optional<Instant> revocableAt = entry.revocableAt(store.retireAfter());
    boolean revocable = entry.isRevocable(store.retireAfter(), now);
    Optional<DkimTxtRecord> keyRecord = key.map(k -> DkimTxtRecord.of(domain, entry.selector(), k));
    DkimTxtRecord revokedRecord = DkimTxtRecord.revoked(domain, entry.selector(), entry.algorithm());
    PublicationStatus.Kind kind = status.map(PublicationStatus::kind).orElse(null);
    String label = status.map(s -> s.kind().label()).orElse("not checked");
    String note = null;
    Optional<DkimTxtRecord> publish = Optional.empty();
    switch (entry.state()) {
      case PENDING -> {
        if (kind == PublicationStatus.Kind.MATCH) {
          note = "DNS serves it: activate it with postseal keys activate " + domain + " (serve does so by itself with"
              + " [keys] auto-activate)";
        } else if (kind == PublicationStatus.Kind.DNS_ERROR) {
          note = "pending; DNS lookup failed, publication unknown: " + status.get().detail();
        } else if (keyRecord.isPresent()) {
          note = "pending, DNS: " + label + "; publish its record, then run postseal keys activate " + domain;
          publish = keyRecord;
        } else {
          note = "pending, but its key file cannot be used (see the problems)";
        }
      }
      case ACTIVE -> {
        if (!store.signingAlgorithms().contains(entry.algorithm())) {
          note = "active, but it signs nothing: signing.algorithms does not list " + entry.algorithm().tagValue()
              + "; add it there to sign with this key as well";
        } else if (kind == PublicationStatus.Kind.DNS_ERROR) {
          note = "DNS lookup failed, publication unknown: " + status.get().detail();
        } else if (kind != PublicationStatus.Kind.MATCH && keyRecord.isPresent()) {
          note = "ACTION NEEDED: it signs, but DNS does not serve its key (" + label + "), so receivers fail DKIM;"
              + " publish its record now";
          publish = keyRecord;
        } else if (kind == null) {
          note = "it should sign, but its key file cannot be used (see the problems)";
        }
      }
      case RETIRED -> {
        if (revocable) {
          if (kind == PublicationStatus.Kind.REVOKED || kind == PublicationStatus.Kind.MISSING) {
            note = "retire-after has passed and DNS no longer serves its key: record that with postseal keys revoke "
                + domain + " " + entry.selector();
          } else {
            note = "retired on " + entry.retired().map(KeyMessages::date).orElse("?") + " and retire-after ("
                + KeyMessages.duration(store.retireAfter()) + ") has passed: replace its DNS record with the revoked"
                + " one, then run postseal keys revoke " + domain + " " + entry.selector();
            publish = Optional.of(revokedRecord);
          }
        } else if (revocableAt.isPresent() && kind != null && kind != PublicationStatus.Kind.MATCH
            && kind != PublicationStatus.Kind.DNS_ERROR && keyRecord.isPresent()) {
          note = "retired, but DNS no longer serves its key (" + label + "): mail signed before "
              + entry.retired().map(KeyMessages::date).orElse("?") + " may fail to verify; keep its record published"
              + " until " + KeyMessages.date(revocableAt.get());
          publish = keyRecord;
        }
      }
      case REVOKED -> {
        if (kind != null && kind != PublicationStatus.Kind.REVOKED && kind != PublicationStatus.Kind.MISSING
            && kind != PublicationStatus.Kind.DNS_ERROR) {
          note = "revoked, but DNS still serves a key record (" + label + "): replace it with the revoked one";
          publish = Optional.of(revokedRecord);
        }
      }
      case DELETED -> {
        // nothing to check: the key is gone, its selector stays reserved
      }
      default -> throw new IllegalStateException(entry.state().toString());
    }
    return new KeyListing.Row(domain, entry, status, revocableAt, revocable, publish, Optional.ofNullable(note));
  }
}
