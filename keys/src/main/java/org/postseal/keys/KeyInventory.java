package org.postseal.keys;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.postseal.dns.DnsSource;

/** {@code postseal keys list}: every key of every domain with what DNS serves for it and what to do next. */
public final class KeyInventory {

  private final SigningKeyStore store;
  private final KeyRows rows;

  /** @param dns where publication is checked */
  public KeyInventory(SigningKeyStore store, DnsSource dns) {
    this.store = Objects.requireNonNull(store, "store");
    this.rows = new KeyRows(store, new KeyPublicationCheck(dns));
  }

  /** By domain, then selector; the lookups of each domain run in parallel. */
  public KeyListing list() {
    KeyDirectory snapshot = store.scan();
    Instant now = store.now();
    List<KeyListing.Row> all = new ArrayList<>();
    for (String domain : snapshot.domains()) {
      all.addAll(rows.rows(snapshot, domain, now));
    }
    return new KeyListing(all, snapshot.problems(), store.retireAfter());
  }
}
