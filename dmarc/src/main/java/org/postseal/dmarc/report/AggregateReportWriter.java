package org.postseal.dmarc.report;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import org.postseal.dmarc.DmarcAlignmentMode;
import org.postseal.dmarc.DmarcPolicy;

/**
 * Writes an {@link AggregateReport} as the XML of RFC 9990 appendix A: root "feedback" in the
 * urn:ietf:params:xml:ns:dmarc-2.0 namespace, elements in the order the schema's sequences ask, indented by two
 * spaces. The same report always gives the same bytes. Stateless and thread-safe.
 */
public final class AggregateReportWriter {

  private static final XMLOutputFactory FACTORY = XMLOutputFactory.newFactory();

  private AggregateReportWriter() {
  }

  /** The report as UTF-8 XML. */
  public static byte[] write(AggregateReport report) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      XMLStreamWriter xml = FACTORY.createXMLStreamWriter(bytes, "UTF-8");
      Indented out = new Indented(xml);
      xml.writeStartDocument("UTF-8", "1.0");
      xml.writeCharacters("\n");
      xml.setDefaultNamespace(AggregateReport.NAMESPACE);
      xml.writeStartElement(AggregateReport.NAMESPACE, "feedback");
      xml.writeDefaultNamespace(AggregateReport.NAMESPACE);
      out.depth = 1;
      if (!report.version().isEmpty()) {
        out.leaf("version", report.version());
      }
      writeMetadata(out, report.metadata());
      writePolicy(out, report.policy());
      for (ReportRecord record : report.records()) {
        writeRecord(out, record);
      }
      xml.writeCharacters("\n");
      xml.writeEndElement();
      xml.writeCharacters("\n");
      xml.writeEndDocument();
      xml.close();
    } catch (XMLStreamException e) {
      // a writer over a byte array fails only on a bug (an unpaired element)
      throw new IllegalStateException("cannot write the report XML", e);
    }
    return bytes.toByteArray();
  }

  private static void writeMetadata(Indented out, ReportMetadata m) throws XMLStreamException {
    out.open("report_metadata");
    out.leaf("org_name", m.orgName());
    out.leaf("email", m.email());
    out.leaf("report_id", m.reportId());
    out.open("date_range");
    out.leaf("begin", Long.toString(m.begin()));
    out.leaf("end", Long.toString(m.end()));
    out.close();
    out.leaf("error", m.error());
    out.leaf("generator", m.generator());
    out.close();
  }

  private static void writePolicy(Indented out, PolicyPublished p) throws XMLStreamException {
    out.open("policy_published");
    out.leaf("domain", p.domain());
    out.leaf("discovery_method", p.discoveryMethod());
    out.leaf("p", p.p().keyword());
    out.leaf("sp", p.sp().map(DmarcPolicy::keyword));
    out.leaf("np", p.np().map(DmarcPolicy::keyword));
    out.leaf("fo", p.fo());
    out.leaf("adkim", p.adkim().map(DmarcAlignmentMode::tagValue));
    out.leaf("aspf", p.aspf().map(DmarcAlignmentMode::tagValue));
    out.leaf("testing", p.testing().map(t -> t ? "y" : "n"));
    out.close();
  }

  private static void writeRecord(Indented out, ReportRecord r) throws XMLStreamException {
    out.open("record");
    out.open("row");
    out.leaf("source_ip", r.sourceIp());
    out.leaf("count", Long.toString(r.count()));
    out.open("policy_evaluated");
    PolicyEvaluated e = r.evaluated();
    out.leaf("disposition", e.disposition().keyword());
    out.leaf("dkim", e.isDkimAligned() ? "pass" : "fail");
    out.leaf("spf", e.isSpfAligned() ? "pass" : "fail");
    for (PolicyOverride reason : e.reasons()) {
      out.open("reason");
      out.leaf("type", reason.type().keyword());
      if (!reason.comment().isEmpty()) {
        out.leaf("comment", reason.comment());
      }
      out.close();
    }
    out.close();
    out.close();
    out.open("identifiers");
    Identifiers ids = r.identifiers();
    out.leaf("header_from", ids.headerFrom());
    out.leaf("envelope_from", ids.envelopeFrom());
    out.leaf("envelope_to", ids.envelopeTo());
    out.close();
    out.open("auth_results");
    for (DkimAuthResult d : r.dkim()) {
      out.open("dkim");
      out.leaf("domain", d.domain());
      out.leaf("selector", d.selector());
      out.leaf("result", d.result().keyword());
      out.close();
    }
    if (r.spf().isPresent()) {
      SpfAuthResult s = r.spf().get();
      out.open("spf");
      out.leaf("domain", s.domain());
      out.leaf("scope", s.scope());
      out.leaf("result", s.result().keyword());
      out.close();
    }
    out.close();
    out.close();
  }

  /** Elements on lines of their own, two spaces per level. */
  private static final class Indented {
    private final XMLStreamWriter xml;
    private int depth;

    Indented(XMLStreamWriter xml) {
      this.xml = xml;
    }

    void open(String name) throws XMLStreamException {
      xml.writeCharacters("\n" + "  ".repeat(depth));
      xml.writeStartElement(AggregateReport.NAMESPACE, name);
      depth++;
    }

    void close() throws XMLStreamException {
      depth--;
      xml.writeCharacters("\n" + "  ".repeat(depth));
      xml.writeEndElement();
    }

    void leaf(String name, String value) throws XMLStreamException {
      xml.writeCharacters("\n" + "  ".repeat(depth));
      xml.writeStartElement(AggregateReport.NAMESPACE, name);
      xml.writeCharacters(value);
      xml.writeEndElement();
    }

    void leaf(String name, Optional<String> value) throws XMLStreamException {
      if (value.isPresent()) {
        leaf(name, value.get());
      }
    }
  }
}
