package org.postseal.dmarc.report;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import org.xml.sax.SAXException;

/** The RFC 9990 schema (test resources, with its SOURCE.txt): every report the tests build must validate. */
public final class ReportSchema {

  private static final Schema SCHEMA = load();

  private ReportSchema() {
  }

  /** Throws {@link AssertionError} naming the line and the problem when {@code xml} does not validate. */
  public static void validate(byte[] xml) {
    try {
      SCHEMA.newValidator().validate(new StreamSource(new ByteArrayInputStream(xml)));
    } catch (SAXException e) {
      throw new AssertionError("not valid against dmarc-xml-0.2.xsd: " + e.getMessage() + "\n"
          + new String(xml, java.nio.charset.StandardCharsets.UTF_8), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Schema load() {
    URL xsd = ReportSchema.class.getResource("/dmarc-aggregate-xsd/rfc9990/dmarc-xml-0.2.xsd");
    if (xsd == null) {
      throw new IllegalStateException("dmarc-aggregate-xsd/rfc9990/dmarc-xml-0.2.xsd is missing from test resources");
    }
    try {
      return SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI).newSchema(xsd);
    } catch (SAXException e) {
      throw new IllegalStateException("the RFC 9990 schema does not load", e);
    }
  }
}
