package org.postseal.dkim;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.postseal.dns.DnsAnswer;
import org.postseal.dns.DnsSource;
import org.postseal.dns.RecordType;

/**
 * Where verification keys are looked up: TXT records through {@link DnsSource}, turned into a
 * {@link KeyLookup}. Parsed records are kept by their text (the DNS layer caches answers, so the same
 * text comes back for every message signed with a key), so an RSA key is decoded once rather than per
 * message. Thread-safe.
 */
final class DkimKeySource {

  /** The key for one name, or why there is none. */
  sealed interface KeyLookup {
  }

  record Found(KeyRecord record) implements KeyLookup {
  }

  record Unusable(DkimCause cause, String detail) implements KeyLookup {
  }

  /** Bounds the parsed-record cache; it is simply emptied when full (keys are cheap to parse again). */
  static final int MAX_CACHED_RECORDS = 4096;

  private final DnsSource dns;
  private final ConcurrentMap<String, KeyRecordParser.Parse> parsedRecords = new ConcurrentHashMap<>();

  /** Key records longer than this are not parsed (verify.max-key-record-bytes). */
  private final int maxRecordBytes;

  DkimKeySource(DnsSource dns, int maxRecordBytes) {
    this.dns = dns;
    this.maxRecordBytes = maxRecordBytes;
  }

  /** Starts the lookup of {@code name}; the future always completes normally. */
  CompletableFuture<KeyLookup> lookup(String name) {
    CompletableFuture<DnsAnswer> answer;
    try {
      answer = dns.lookup(name, RecordType.TXT);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(new Unusable(DkimCause.DNS_FAILURE, "lookup of " + name + ": " + e));
    }
    return answer.handle((value, error) -> {
      if (error != null) {
        // DnsSource promises never to fail its future; if one does, it is still a temporary problem
        return new Unusable(DkimCause.DNS_FAILURE, "lookup of " + name + ": " + error);
      }
      return fromAnswer(name, value);
    });
  }

  /**
   * The one place where a DNS outcome becomes a DKIM cause (RFC 6376 section 6.1.2): a failed lookup is
   * temporary, a missing or unusable record permanent.
   */
  KeyLookup fromAnswer(String name, DnsAnswer answer) {
    if (answer instanceof DnsAnswer.Failed failed) {
      // the DNS layer's reason names the query: "no answer for sel._domainkey.example.com TXT within 5000 ms"
      return new Unusable(failed.timedOut() ? DkimCause.DNS_TIMEOUT : DkimCause.DNS_FAILURE, failed.reason());
    }
    if (answer instanceof DnsAnswer.NotFound notFound) {
      return new Unusable(DkimCause.KEY_NOT_FOUND,
          notFound.nxdomain() ? name + " does not exist" : "no TXT record at " + name);
    }
    if (answer instanceof DnsAnswer.Found found) {
      if (found.records().isEmpty()) {
        return new Unusable(DkimCause.KEY_NOT_FOUND, "no TXT record at " + name);
      }
      KeyRecordParser.SyntaxError firstError = null;
      // several TXT records at the name: the first that parses is the key (RFC 6376 section 3.6.2.2)
      for (String text : found.records()) {
        KeyRecordParser.Parse parse = parse(text);
        if (parse instanceof KeyRecordParser.Parsed parsed) {
          return new Found(parsed.record());
        }
        if (firstError == null) {
          firstError = (KeyRecordParser.SyntaxError) parse;
        }
      }
      return new Unusable(firstError.cause(), firstError.detail() + " (at " + name + ")");
    }
    // a DnsSource that completed with null: as good as no answer
    return new Unusable(DkimCause.DNS_FAILURE, "no DNS answer for " + name);
  }

  private KeyRecordParser.Parse parse(String text) {
    if (text.length() > maxRecordBytes) {
      // checked before the cache: such text is never parsed, nor kept
      return new KeyRecordParser.SyntaxError(DkimCause.KEY_RECORD_TOO_LONG, text.length() + " characters, the"
          + " maximum is " + maxRecordBytes);
    }
    KeyRecordParser.Parse cached = parsedRecords.get(text);
    if (cached != null) {
      return cached;
    }
    KeyRecordParser.Parse parse;
    try {
      parse = KeyRecordParser.parse(text);
    } catch (RuntimeException e) {
      // DNS content must never become an exception on a DNS thread; a parser bug is still a bad record
      parse = new KeyRecordParser.SyntaxError(DkimCause.INTERNAL_ERROR, "key record could not be parsed: " + e);
    }
    if (parsedRecords.size() >= MAX_CACHED_RECORDS) {
      parsedRecords.clear();
    }
    parsedRecords.put(text, parse);
    return parse;
  }
}
