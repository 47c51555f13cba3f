/**
 * DNS for every mechanism: asynchronous lookups through dnsjava with a TTL-honouring cache. Answers are
 * values ({@link org.postseal.dns.DnsAnswer}); nothing here throws for a DNS outcome.
 */
package org.postseal.dns;
