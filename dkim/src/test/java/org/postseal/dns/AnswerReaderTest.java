package org.postseal.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/** Responses the fake server never sends but other servers do. */
class AnswerReaderTest {

  private static final Name QNAME = Name.fromConstantString("sel._domainkey.example.com.");

  private static Message response(int rcode) {
    Message m = Message.newQuery(Record.newRecord(QNAME, Type.TXT, DClass.IN));
    m.getHeader().setFlag(Flags.QR);
    m.getHeader().setRcode(rcode);
    return m;
  }

  @Test
  void nodataWithoutSoa_isCachedForSixtySeconds() {
    AnswerReader.Reading reading = AnswerReader.read(response(Rcode.NOERROR), QNAME, RecordType.TXT);

    assertThat(reading.answer()).isEqualTo(new DnsAnswer.NotFound(false));
    assertThat(reading.cacheFor()).isEqualTo(DnsResolver.NEGATIVE_TTL_WITHOUT_SOA);
  }

  @Test
  void nxdomainWithoutSoa_isCachedForSixtySeconds() {
    AnswerReader.Reading reading = AnswerReader.read(response(Rcode.NXDOMAIN), QNAME, RecordType.TXT);

    assertThat(reading.answer()).isEqualTo(new DnsAnswer.NotFound(true));
    assertThat(reading.cacheFor()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void cnameWithoutTheTargetsRecords_isFailedAsIncomplete() {
    Message m = response(Rcode.NOERROR);
    m.addRecord(new CNAMERecord(QNAME, DClass.IN, 300, Name.fromConstantString("elsewhere.example.net.")),
        Section.ANSWER);

    AnswerReader.Reading reading = AnswerReader.read(m, QNAME, RecordType.TXT);

    assertThat(reading.answer()).isInstanceOf(DnsAnswer.Failed.class);
    assertThat(((DnsAnswer.Failed) reading.answer()).reason()).contains("elsewhere.example.net");
    assertThat(reading.cacheFor()).isEqualTo(DnsResolver.FAILURE_TTL);
  }

  @Test
  void cnameLoop_isFailed() {
    Name other = Name.fromConstantString("loop.example.com.");
    Message m = response(Rcode.NOERROR);
    m.addRecord(new CNAMERecord(QNAME, DClass.IN, 300, other), Section.ANSWER);
    m.addRecord(new CNAMERecord(other, DClass.IN, 300, QNAME), Section.ANSWER);

    assertThat(AnswerReader.read(m, QNAME, RecordType.TXT).answer()).isInstanceOf(DnsAnswer.Failed.class);
  }

  @Test
  void recordsOfOtherNames_areIgnored() {
    Message m = response(Rcode.NOERROR);
    m.addRecord(new TXTRecord(Name.fromConstantString("other.example.com."), DClass.IN, 300, "not ours"),
        Section.ANSWER);
    m.addRecord(new TXTRecord(QNAME, DClass.IN, 300, "ours"), Section.ANSWER);

    assertThat(AnswerReader.read(m, QNAME, RecordType.TXT).answer())
        .isEqualTo(new DnsAnswer.Found(java.util.List.of("ours"), Duration.ofSeconds(300)));
  }

  @Test
  void formerr_isFailed() {
    DnsAnswer answer = AnswerReader.read(response(Rcode.FORMERR), QNAME, RecordType.TXT).answer();

    assertThat(answer).isInstanceOf(DnsAnswer.Failed.class);
    assertThat(((DnsAnswer.Failed) answer).reason()).contains("FORMERR");
  }

  @Test
  void ipv6Text_followsRfc5952() throws Exception {
    assertThat(ipv6("2001:db8:0:0:0:0:2:1")).isEqualTo("2001:db8::2:1");
    assertThat(ipv6("2001:db8:0:1:1:1:1:1")).isEqualTo("2001:db8:0:1:1:1:1:1");
    assertThat(ipv6("2001:0:0:1:0:0:0:1")).isEqualTo("2001:0:0:1::1");
    assertThat(ipv6("2001:db8:0:0:1:0:0:1")).isEqualTo("2001:db8::1:0:0:1");
    assertThat(ipv6("0:0:0:0:0:0:0:0")).isEqualTo("::");
    assertThat(ipv6("0:0:0:0:0:0:0:1")).isEqualTo("::1");
    assertThat(ipv6("fe80:0:0:0:0:0:0:0")).isEqualTo("fe80::");
    assertThat(ipv6("2001:DB8:AAAA:0:0:0:0:0")).isEqualTo("2001:db8:aaaa::");
  }

  private static String ipv6(String text) throws Exception {
    return AddressText.ipv6(InetAddress.getByName(text).getAddress());
  }
}
