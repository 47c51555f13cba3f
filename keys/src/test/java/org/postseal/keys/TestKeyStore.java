package org.postseal.keys;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.postseal.dns.DnsResolver;
import org.postseal.dns.FakeDnsServer;
import org.postseal.dns.SettableClock;

/**
 * A key store in a test's directory and a DNS server on loopback, with the store and the resolver on one settable
 * clock that starts at {@link #START}. Close it after the test.
 */
record TestKeyStore(Path keys, FakeDnsServer dns, SettableClock clock, DnsResolver resolver, SigningKeyStore store)
    implements AutoCloseable {

  static final Instant START = Instant.parse("2026-11-15T10:00:00Z");

  static TestKeyStore start(Path keys, Duration retireAfter) {
    FakeDnsServer dns = FakeDnsServer.start();
    SettableClock clock = new SettableClock(START);
    DnsResolver resolver = DnsResolver.create(List.of(dns.address()), Duration.ofSeconds(2), clock);
    return new TestKeyStore(keys, dns, clock, resolver, new SigningKeyStore(keys, clock, retireAfter));
  }

  @Override
  public void close() {
    dns.close();
  }
}
