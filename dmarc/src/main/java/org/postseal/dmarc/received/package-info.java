/**
 * Aggregate reports that receivers send us (RFC 7489 and RFC 9990): the file as it arrives (XML, gzip, zip or a
 * whole message) unpacked within limits, read leniently into {@link org.postseal.dmarc.received.ReceivedReport},
 * stored once per reporter, report id, policy domain and period, and summarized per source, reporter and day.
 * Every input is hostile: a refusal is a value with its reason, and nothing of a refused file is stored.
 */
package org.postseal.dmarc.received;
