package org.postseal.dns;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/** Turns one DNS response into a {@link DnsAnswer} and how long it may be cached. Pure: no I/O, no clock. */
final class AnswerReader {

  /** More hops than any sane zone uses; also ends CNAME loops inside one answer. */
  static final int MAX_CNAME_HOPS = 16;

  /** An answer and its cache lifetime (zero: do not cache). */
  record Reading(DnsAnswer answer, Duration cacheFor) {
  }

  private AnswerReader() {
  }

  static Reading failure(DnsAnswer.Failed failed) {
    return new Reading(failed, DnsResolver.FAILURE_TTL);
  }

  static int dnsType(RecordType type) {
    return switch (type) {
      case TXT -> Type.TXT;
      case A -> Type.A;
      case AAAA -> Type.AAAA;
      case MX -> Type.MX;
      case PTR -> Type.PTR;
    };
  }

  static Reading read(Message response, Name qname, RecordType type) {
    String what = qname + " " + type;
    int rcode = response.getRcode();
    if (rcode == Rcode.NXDOMAIN) {
      return negative(response, true);
    }
    if (rcode != Rcode.NOERROR) {
      return failure(new DnsAnswer.Failed(Rcode.string(rcode) + " from DNS server for " + what, false));
    }
    int qtype = dnsType(type);
    List<Record> answers = response.getSection(Section.ANSWER);
    Name current = qname;
    long minTtl = Long.MAX_VALUE;
    // a recursive server puts the whole CNAME chain in the answer section (RFC 1034 section 4.3.2)
    for (int hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
      List<String> records = new ArrayList<>();
      CNAMERecord cname = null;
      for (Record r : answers) {
        if (!r.getName().equals(current)) {
          continue;
        }
        if (r.getType() == qtype) {
          records.add(text(r));
          minTtl = Math.min(minTtl, r.getTTL());
        } else if (r.getType() == Type.CNAME && cname == null) {
          cname = (CNAMERecord) r;
        }
      }
      if (!records.isEmpty()) {
        Duration ttl = cap(Duration.ofSeconds(minTtl), DnsResolver.MAX_POSITIVE_TTL);
        return new Reading(new DnsAnswer.Found(records, ttl), ttl);
      }
      if (cname == null) {
        if (!current.equals(qname) && soaOf(response) == null) {
          // a recursive server resolves the chain; a bare CNAME without SOA is an incomplete answer
          return failure(new DnsAnswer.Failed("answer for " + what + " ends at CNAME target " + current
              + " without records", false));
        }
        return negative(response, false);
      }
      minTtl = Math.min(minTtl, cname.getTTL());
      current = cname.getTarget();
    }
    return failure(new DnsAnswer.Failed("CNAME chain for " + what + " longer than " + MAX_CNAME_HOPS, false));
  }

  /** RFC 2308 section 5: a negative answer lives min(SOA TTL, SOA MINIMUM). */
  private static Reading negative(Message response, boolean nxdomain) {
    SOARecord soa = soaOf(response);
    Duration ttl = soa == null
        ? DnsResolver.NEGATIVE_TTL_WITHOUT_SOA
        : cap(Duration.ofSeconds(Math.min(soa.getTTL(), soa.getMinimum())), DnsResolver.MAX_NEGATIVE_TTL);
    return new Reading(new DnsAnswer.NotFound(nxdomain), ttl);
  }

  private static SOARecord soaOf(Message response) {
    for (Record r : response.getSection(Section.AUTHORITY)) {
      if (r instanceof SOARecord soa) {
        return soa;
      }
    }
    return null;
  }

  private static Duration cap(Duration ttl, Duration max) {
    return ttl.compareTo(max) > 0 ? max : ttl;
  }

  static String text(Record r) {
    if (r instanceof TXTRecord txt) {
      // one record's character-strings are concatenated without separator (RFC 6376 3.6.2.2, RFC 7208 3.3);
      // the raw bytes, since getStrings() escapes quotes and backslashes for zone-file output
      StringBuilder joined = new StringBuilder();
      for (byte[] part : txt.getStringsAsByteArrays()) {
        joined.append(new String(part, StandardCharsets.UTF_8));
      }
      return joined.toString();
    }
    if (r instanceof ARecord a) {
      return a.getAddress().getHostAddress();
    }
    if (r.getType() == Type.AAAA) {
      // the wire bytes: InetAddress would turn an IPv4-mapped address into an IPv4 one
      return AddressText.ipv6(r.rdataToWireCanonical());
    }
    if (r instanceof MXRecord mx) {
      return mx.getPriority() + " " + mx.getTarget().toString(true);
    }
    if (r instanceof PTRRecord ptr) {
      return ptr.getTarget().toString(true);
    }
    throw new IllegalArgumentException("unexpected record type " + Type.string(r.getType()));
  }

}
