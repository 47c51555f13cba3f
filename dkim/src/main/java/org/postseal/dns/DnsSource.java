package org.postseal.dns;

import java.util.concurrent.CompletableFuture;

/**
 * Where the mechanisms look names up. Implementations never block the caller and never complete the
 * future exceptionally: every outcome is a {@link DnsAnswer}.
 */
public interface DnsSource {

  CompletableFuture<DnsAnswer> lookup(String name, RecordType type);
}
