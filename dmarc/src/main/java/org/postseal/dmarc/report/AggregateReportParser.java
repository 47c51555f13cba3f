package org.postseal.dmarc.report;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.postseal.dkim.DkimOutcome;
import org.postseal.dmarc.DmarcAlignmentMode;
import org.postseal.dmarc.DmarcPolicy;
import org.postseal.spf.SpfOutcome;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * Reads the XML of an RFC 9990 aggregate report back into an {@link AggregateReport}: elements are matched by
 * local name in the dmarc-2.0 namespace. A document that is not such a report (another root, a required element
 * missing, a value outside its enumeration) is refused with {@link IllegalArgumentException} naming the element.
 * DTDs and external entities are refused: reports come from strangers (RFC 9990 section 9.1). Thread-safe.
 */
public final class AggregateReportParser {

  private AggregateReportParser() {
  }

  public static AggregateReport parse(byte[] xml) {
    Document document;
    try {
      document = builder().parse(new ByteArrayInputStream(xml));
    } catch (SAXException | IOException e) {
      throw new IllegalArgumentException("not well-formed XML: " + e.getMessage(), e);
    }
    Element feedback = document.getDocumentElement();
    if (!"feedback".equals(feedback.getLocalName()) || !AggregateReport.NAMESPACE.equals(feedback.getNamespaceURI())) {
      throw new IllegalArgumentException("the root element is {" + feedback.getNamespaceURI() + "}"
          + feedback.getLocalName() + ", not {" + AggregateReport.NAMESPACE + "}feedback");
    }
    String version = optional(feedback, "version").orElse("");
    ReportMetadata metadata = metadata(required(feedback, "report_metadata"));
    PolicyPublished policy = policy(required(feedback, "policy_published"));
    List<ReportRecord> records = new ArrayList<>();
    for (Element record : children(feedback, "record")) {
      records.add(record(record));
    }
    return new AggregateReport(version, metadata, policy, records);
  }

  private static ReportMetadata metadata(Element m) {
    Element range = required(m, "date_range");
    return new ReportMetadata(text(m, "org_name"), text(m, "email"), text(m, "report_id"),
        number(range, "begin"), number(range, "end"), optional(m, "error"), optional(m, "generator"));
  }

  private static PolicyPublished policy(Element p) {
    return new PolicyPublished(text(p, "domain"), optional(p, "discovery_method"),
        keyword(p, "p", DmarcPolicy::fromKeyword), optionalKeyword(p, "sp", DmarcPolicy::fromKeyword),
        optionalKeyword(p, "np", DmarcPolicy::fromKeyword), optional(p, "fo"),
        optionalKeyword(p, "adkim", AggregateReportParser::alignment),
        optionalKeyword(p, "aspf", AggregateReportParser::alignment),
        optionalKeyword(p, "testing", t -> t.equals("y") ? Optional.of(true) : t.equals("n") ? Optional.of(false)
            : Optional.empty()));
  }

  private static ReportRecord record(Element r) {
    Element row = required(r, "row");
    Element evaluated = required(row, "policy_evaluated");
    List<PolicyOverride> reasons = new ArrayList<>();
    for (Element reason : children(evaluated, "reason")) {
      reasons.add(new PolicyOverride(keyword(reason, "type", OverrideType::fromKeyword),
          optional(reason, "comment").orElse("")));
    }
    PolicyEvaluated policyEvaluated = new PolicyEvaluated(
        keyword(evaluated, "disposition", ReportDisposition::fromKeyword),
        keyword(evaluated, "dkim", AggregateReportParser::passOrFail),
        keyword(evaluated, "spf", AggregateReportParser::passOrFail), reasons);
    Element ids = required(r, "identifiers");
    Identifiers identifiers = new Identifiers(text(ids, "header_from"), optional(ids, "envelope_from"),
        optional(ids, "envelope_to"));
    Element auth = required(r, "auth_results");
    List<DkimAuthResult> dkim = new ArrayList<>();
    for (Element d : children(auth, "dkim")) {
      dkim.add(new DkimAuthResult(text(d, "domain"), text(d, "selector"),
          keyword(d, "result", v -> enumKeyword(DkimOutcome.values(), DkimOutcome::keyword, v))));
    }
    Optional<SpfAuthResult> spf = children(auth, "spf").stream().findFirst().map(s -> new SpfAuthResult(
        text(s, "domain"), optional(s, "scope"),
        keyword(s, "result", v -> enumKeyword(SpfOutcome.values(), SpfOutcome::keyword, v))));
    return new ReportRecord(text(row, "source_ip"), number(row, "count"), policyEvaluated, identifiers, dkim, spf);
  }

  private static Optional<DmarcAlignmentMode> alignment(String value) {
    return value.equals("r") ? Optional.of(DmarcAlignmentMode.RELAXED)
        : value.equals("s") ? Optional.of(DmarcAlignmentMode.STRICT) : Optional.empty();
  }

  private static Optional<Boolean> passOrFail(String value) {
    return value.equals("pass") ? Optional.of(true) : value.equals("fail") ? Optional.of(false) : Optional.empty();
  }

  private static <E> Optional<E> enumKeyword(E[] values, Function<E, String> keyword, String value) {
    for (E e : values) {
      if (keyword.apply(e).equals(value)) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  private static DocumentBuilder builder() {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setNamespaceAware(true);
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setXIncludeAware(false);
      factory.setExpandEntityReferences(false);
      DocumentBuilder builder = factory.newDocumentBuilder();
      // the default handler prints "[Fatal Error]" to stderr before throwing: the exception says it all
      builder.setErrorHandler(new org.xml.sax.helpers.DefaultHandler() {
        @Override
        public void fatalError(org.xml.sax.SAXParseException e) throws SAXException {
          throw e;
        }
      });
      return builder;
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("the JDK's XML parser lacks a standard feature", e);
    }
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && name.equals(e.getLocalName()) && AggregateReport.NAMESPACE.equals(e.getNamespaceURI())) {
        out.add(e);
      }
    }
    return out;
  }

  private static Element required(Element parent, String name) {
    List<Element> found = children(parent, name);
    if (found.size() != 1) {
      throw new IllegalArgumentException(parent.getLocalName() + " must have exactly one " + name + ", has "
          + found.size());
    }
    return found.get(0);
  }

  private static Optional<String> optional(Element parent, String name) {
    List<Element> found = children(parent, name);
    if (found.size() > 1) {
      throw new IllegalArgumentException(parent.getLocalName() + " has " + found.size() + " " + name
          + " elements, at most one is allowed");
    }
    return found.stream().findFirst().map(e -> e.getTextContent().strip());
  }

  private static String text(Element parent, String name) {
    return required(parent, name).getTextContent().strip();
  }

  private static long number(Element parent, String name) {
    String value = text(parent, name);
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(parent.getLocalName() + "/" + name + " is not a number: \"" + value + "\"");
    }
  }

  private static <T> T keyword(Element parent, String name, Function<String, Optional<T>> read) {
    String value = text(parent, name);
    return read.apply(value).orElseThrow(() -> new IllegalArgumentException(parent.getLocalName() + "/" + name
        + " has a value the schema does not allow: \"" + value + "\""));
  }

  private static <T> Optional<T> optionalKeyword(Element parent, String name, Function<String, Optional<T>> read) {
    Optional<String> value = optional(parent, name);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(read.apply(value.get()).orElseThrow(() -> new IllegalArgumentException(parent.getLocalName()
        + "/" + name + " has a value the schema does not allow: \"" + value.get() + "\"")));
  }
}
