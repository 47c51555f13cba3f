package org.postseal.keys;

import java.util.Objects;
import org.postseal.dns.DnsSource;

/**
 * {@code postseal keys check DOMAIN}: per selector, whether DNS serves the record it should, with the fix. The
 * doctor's DKIM findings come from it too.
 */
public final class DomainKeyCheck {

  private final SigningKeyStore store;
  private final KeyRows rows;

  /** @param dns where publication is checked */
  public DomainKeyCheck(SigningKeyStore store, DnsSource dns) {
    this.store = Objects.requireNonNull(store, "store");
    this.rows = new KeyRows(store, new KeyPublicationCheck(dns));
  }

  /** The domain's keys as {@code keys list} shows them, with the problems of its files. */
  public KeyCheckResult check(String rawDomain) {
    Objects.requireNonNull(rawDomain, "domain");
    SigningNames.Checked checkedDomain = SigningNames.signingDomain(rawDomain);
    if (checkedDomain instanceof SigningNames.Refused refused) {
      return KeyRefusal.usage(refused.problem());
    }
    String domain = ((SigningNames.Accepted) checkedDomain).name();
    KeyDirectory snapshot = store.scan();
    return new KeyCheckResult.Checked(domain, rows.rows(snapshot, domain, store.now()),
        store.problemsOf(snapshot, domain));
  }
}
