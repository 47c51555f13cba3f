package org.postseal.dmarc.received;

import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.postseal.dmarc.report.AggregateReport;
import org.postseal.dns.AddressText;
import org.postseal.mail.DomainName;
import org.postseal.spf.IpNetwork;

/**
 * Reads a received file into its reports: {@link ReportUnpacker} finds the XML, then each document is read with
 * a streaming parser that refuses a DTD outright (no external entities, no entity expansion: XXE and "billion
 * laughs" need one, and no report does), and counts elements, depth, text per element and records as it goes.
 *
 * <p>Reading is lenient where real reports differ and strict where the meaning would be lost: elements are
 * matched by local name in any namespace or none (RFC 7489 wrote none, its drafts dmarc-xml/0.1, RFC 9990
 * urn:ietf:params:xml:ns:dmarc-2.0); unknown elements are skipped; keywords are lower-cased and kept as written;
 * numbers may have a fraction ("1337270400.0", as OpenDMARC wrote them). A report without reporter, report id,
 * period or policy domain, or with a record without a source IP or count, cannot be stored or deduplicated and is
 * refused, naming the element. Thread-safe; stateless.
 */
public final class ReceivedReportReader {

  /** The largest number read: far above any count or time, far below what arithmetic on it could overflow. */
  private static final long MAX_NUMBER = 1_000_000_000_000_000L;
  /** 9999-12-31T23:59:59Z: later periods are clamped here (Instant and the database hold them either way). */
  private static final long LAST_SECOND = 253_402_300_799L;

  private ReceivedReportReader() {
  }

  /** The reports {@code input} holds, or why it is refused; never throws for any input. */
  public static ReadOutcome read(byte[] input, ImportLimits limits) {
    Objects.requireNonNull(input, "input");
    try {
      List<ReceivedReport> reports = new ArrayList<>();
      for (byte[] xml : new ReportUnpacker(limits).documents(input)) {
        reports.add(report(tree(xml, limits), limits));
      }
      return new ReadOutcome.Read(reports);
    } catch (Refusal r) {
      return new ReadOutcome.Refused(r.getMessage());
    }
  }

  // ---------------------------------------------------------------- a bounded element tree

  /**
   * An element: local name, namespace ("" for none), its text (character data of a leaf, stripped; "" for an element
   * with children), children.
   */
  record Node(String name, String namespace, String text, List<Node> children) {

    List<Node> all(String child) {
      return children.stream().filter(n -> n.name.equals(child)).toList();
    }

    Optional<Node> first(String child) {
      return children.stream().filter(n -> n.name.equals(child)).findFirst();
    }

    /** The text of the first {@code child}, "" when there is none. */
    String text(String child) {
      return first(child).map(Node::text).orElse("");
    }
  }

  private static final class Building {
    final String name;
    final String namespace;
    final StringBuilder text = new StringBuilder();
    /** An element with children keeps no text: only leaves carry values (and a root's whitespace adds up). */
    boolean hasChildren;
    final List<Node> children = new ArrayList<>();

    Building(String name, String namespace) {
      this.name = name;
      this.namespace = namespace;
    }
  }

  static XMLInputFactory factory() {
    XMLInputFactory factory = XMLInputFactory.newFactory();
    factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
    factory.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
    factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    factory.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
    return factory;
  }

  private static final XMLInputFactory FACTORY = factory();

  private static final java.util.regex.Pattern DECLARED_ENCODING = java.util.regex.Pattern.compile(
      "^\\s*<\\?xml[^>]*encoding\\s*=\\s*[\"']([A-Za-z0-9._-]+)[\"']");

  /**
   * The policy domain as a domain name (lower case, A-labels, no trailing dot). Anything else cannot be a domain that
   * published a DMARC record: a report about it is refused, not stored and shown as one of "our domains" (a report
   * naming {@code "><svg onload=...>.example} was, escaped but still listed).
   */
  private static String policyDomain(String text) throws Refusal {
    DomainName.Parse parsed = DomainName.parse(text, DomainName.Syntax.WITH_UNDERSCORE);
    if (parsed instanceof DomainName.Invalid invalid) {
      throw new Refusal("policy_published/domain is not a domain name: it " + invalid.problem() + " ("
          + (text.length() > 80 ? text.substring(0, 80) + "..." : text) + ")");
    }
    return parsed.toOptional().orElseThrow().value();
  }

  /**
   * A document in UTF-8 (declared, or by default without a BOM) must be valid UTF-8: checked here, because the JDK's
   * parser prints "[Fatal Error]" to standard error on an invalid byte before it throws.
   */
  static void requireValidUtf8(byte[] xml) throws Refusal {
    if (xml.length >= 2 && ((xml[0] & 0xFF) == 0xFE || (xml[0] & 0xFF) == 0xFF)) {
      return; // a UTF-16 byte order mark: the parser reads it
    }
    String head = new String(xml, 0, Math.min(xml.length, 200), java.nio.charset.StandardCharsets.ISO_8859_1);
    java.util.regex.Matcher declared = DECLARED_ENCODING.matcher(head.startsWith("\u00ef\u00bb\u00bf")
        ? head.substring(3) : head);
    if (declared.find() && !declared.group(1).equalsIgnoreCase("UTF-8")) {
      return;
    }
    try {
      java.nio.charset.StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(xml));
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new Refusal("not well-formed XML: the document is not valid UTF-8 (" + e.getMessage() + ")");
    }
  }

  static Node tree(byte[] xml, ImportLimits limits) throws Refusal {
    requireValidUtf8(xml);
    XMLStreamReader reader = null;
    try {
      reader = FACTORY.createXMLStreamReader(new ByteArrayInputStream(xml));
      List<Building> open = new ArrayList<>();
      Node root = null;
      int elements = 0;
      int records = 0;
      while (reader.hasNext()) {
        int event = reader.next();
        switch (event) {
          case XMLStreamConstants.DTD -> throw new Refusal("the document has a DTD (<!DOCTYPE ...>): refused, since no"
              + " report needs one and external entities (XXE) and entity expansion (billion laughs) work through it");
          case XMLStreamConstants.ENTITY_REFERENCE -> throw new Refusal("the document refers to an undeclared entity &"
              + reader.getLocalName() + ";");
          case XMLStreamConstants.START_ELEMENT -> {
            if (++elements > limits.maxElements()) {
              throw new Refusal("more than " + limits.maxElements() + " elements");
            }
            if (open.size() >= limits.maxDepth()) {
              throw new Refusal("elements nested more than " + limits.maxDepth() + " deep");
            }
            String name = reader.getLocalName();
            if (open.size() == 1 && name.equals("record") && ++records > limits.maxRecords()) {
              throw new Refusal("more than " + limits.maxRecords() + " records in one report");
            }
            if (!open.isEmpty()) {
              Building parent = open.get(open.size() - 1);
              parent.hasChildren = true;
              parent.text.setLength(0);
            }
            open.add(new Building(name, Objects.requireNonNullElse(reader.getNamespaceURI(), "")));
          }
          case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
            if (!open.isEmpty() && !open.get(open.size() - 1).hasChildren) {
              Building current = open.get(open.size() - 1);
              current.text.append(reader.getTextCharacters(), reader.getTextStart(), reader.getTextLength());
              if (current.text.length() > limits.maxElementChars()) {
                throw new Refusal("the text of " + current.name + " is longer than " + limits.maxElementChars()
                    + " characters");
              }
            }
          }
          case XMLStreamConstants.END_ELEMENT -> {
            Building done = open.remove(open.size() - 1);
            Node node = new Node(done.name, done.namespace, done.text.toString().strip(), List.copyOf(done.children));
            if (open.isEmpty()) {
              root = node;
            } else {
              open.get(open.size() - 1).children.add(node);
            }
          }
          default -> {
            // comments, processing instructions, the document's start and end
          }
        }
      }
      if (root == null) {
        throw new Refusal("the document is empty");
      }
      return root;
    } catch (XMLStreamException e) {
      throw new Refusal("not well-formed XML: " + oneLine(e.getMessage()), e);
    } catch (RuntimeException e) {
      // the JDK's parser reports some malformed input (bad encodings, limits it enforces) this way
      throw new Refusal("not well-formed XML: " + oneLine(String.valueOf(e.getMessage())), e);
    } finally {
      if (reader != null) {
        try {
          reader.close();
        } catch (XMLStreamException e) {
          // nothing is held open: the input is an array
        }
      }
    }
  }

  private static String oneLine(String message) {
    String text = message.replaceAll("\\s+", " ").strip();
    // "ParseError at [row,col]:[3,17] Message: ..." is the JDK's shape: keep where and what
    return ReportUnpacker.printable(text.length() > 300 ? text.substring(0, 300) + "..." : text);
  }

  // ---------------------------------------------------------------- the report

  static ReceivedReport report(Node feedback, ImportLimits limits) throws Refusal {
    if (!feedback.name().equals("feedback")) {
      throw new Refusal("the root element is " + feedback.name() + ", not feedback: not a DMARC aggregate report");
    }
    Node metadata = required(feedback, "report_metadata");
    Node range = required(metadata, "date_range");
    Instant begin = Instant.ofEpochSecond(Math.min(number(range, "begin"), LAST_SECOND));
    Instant end = Instant.ofEpochSecond(Math.min(number(range, "end"), LAST_SECOND));
    if (end.isBefore(begin)) {
      throw new Refusal("report_metadata/date_range ends (" + end + ") before it begins (" + begin + ")");
    }
    String orgName = orgName(metadata);
    String reportId = requiredText(metadata, "report_id");
    List<String> errors = metadata.all("error").stream().map(Node::text).filter(t -> !t.isEmpty()).toList();
    Node published = required(feedback, "policy_published");
    // RFC 9990's namespace, or (some write its elements without it) one of the policy tags only it reports
    String format = AggregateReport.NAMESPACE.equals(feedback.namespace()) || published.first("np").isPresent()
        || published.first("testing").isPresent() || published.first("discovery_method").isPresent()
        ? ReceivedReport.RFC9990 : ReceivedReport.RFC7489;
    String domain = policyDomain(requiredText(published, "domain"));
    ReceivedReport.Policy policy = new ReceivedReport.Policy(domain, keyword(published, "p"), keyword(published, "sp"),
        keyword(published, "np"), keyword(published, "adkim"), keyword(published, "aspf"), published.text("pct"),
        published.text("fo"), keyword(published, "testing"), keyword(published, "discovery_method"));
    List<ReceivedReport.Row> rows = new ArrayList<>();
    for (Node record : feedback.all("record")) {
      rows.add(row(record, rows.size() + 1));
    }
    return new ReceivedReport(format, orgName, metadata.text("email"), reportId, begin, end, String.join("\n", errors),
        metadata.text("generator"), policy, rows);
  }

  /**
   * org_name, or when a reporter left it empty (some small ones do) the domain of its email: the reporter is part
   * of what identifies a report, and the admin wants to know who sent it.
   */
  private static String orgName(Node metadata) throws Refusal {
    String orgName = required(metadata, "org_name").text();
    if (!orgName.isEmpty()) {
      return orgName;
    }
    String email = metadata.text("email");
    int at = email.lastIndexOf('@');
    if (at >= 0 && at < email.length() - 1) {
      return email.substring(at + 1).toLowerCase(Locale.ROOT);
    }
    throw new Refusal("report_metadata/org_name is empty, and there is no email to name the reporter by");
  }

  private static ReceivedReport.Row row(Node record, int index) throws Refusal {
    String where = "record " + index;
    Node row = required(record, "row", where);
    String ipText = requiredText(row, "source_ip", where);
    String ip = IpNetwork.parseAddress(ipText).map(AddressText::of)
        .orElseThrow(() -> new Refusal(where + ": source_ip \"" + ReportUnpacker.printable(ipText)
            + "\" is not an IP address"));
    long count = number(row, "count", where);
    Node evaluated = row.first("policy_evaluated").orElse(new Node("policy_evaluated", "", "", List.of()));
    List<ReceivedReport.Reason> reasons = new ArrayList<>();
    for (Node reason : evaluated.all("reason")) {
      reasons.add(new ReceivedReport.Reason(keyword(reason, "type"), reason.text("comment")));
    }
    Node ids = record.first("identifiers").orElse(new Node("identifiers", "", "", List.of()));
    Node auth = record.first("auth_results").orElse(new Node("auth_results", "", "", List.of()));
    List<ReceivedReport.AuthResult> dkim = new ArrayList<>();
    for (Node d : auth.all("dkim")) {
      dkim.add(new ReceivedReport.AuthResult(d.text("domain").toLowerCase(Locale.ROOT), d.text("selector"),
          keyword(d, "result")));
    }
    List<ReceivedReport.AuthResult> spf = new ArrayList<>();
    for (Node s : auth.all("spf")) {
      spf.add(new ReceivedReport.AuthResult(s.text("domain").toLowerCase(Locale.ROOT), keyword(s, "scope"),
          keyword(s, "result")));
    }
    return new ReceivedReport.Row(ip, count, keyword(evaluated, "disposition"), keyword(evaluated, "dkim"),
        keyword(evaluated, "spf"), reasons, ids.text("header_from").toLowerCase(Locale.ROOT),
        ids.text("envelope_from").toLowerCase(Locale.ROOT), ids.text("envelope_to").toLowerCase(Locale.ROOT), dkim, spf);
  }

  private static Node required(Node parent, String name) throws Refusal {
    return required(parent, name, "");
  }

  private static Node required(Node parent, String name, String where) throws Refusal {
    return parent.first(name).orElseThrow(() -> new Refusal((where.isEmpty() ? "" : where + ": ") + parent.name()
        + " has no " + name));
  }

  private static String requiredText(Node parent, String name) throws Refusal {
    return requiredText(parent, name, "");
  }

  private static String requiredText(Node parent, String name, String where) throws Refusal {
    String text = required(parent, name, where).text();
    if (text.isEmpty()) {
      throw new Refusal((where.isEmpty() ? "" : where + ": ") + parent.name() + "/" + name + " is empty");
    }
    return text;
  }

  private static String keyword(Node parent, String name) {
    return parent.text(name).toLowerCase(Locale.ROOT);
  }

  private static long number(Node parent, String name) throws Refusal {
    return number(parent, name, "");
  }

  /** A whole number; "1337270400.0" as OpenDMARC wrote its periods is read as its whole part. */
  private static long number(Node parent, String name, String where) throws Refusal {
    String text = requiredText(parent, name, where);
    try {
      BigDecimal value = new BigDecimal(text);
      if (value.signum() < 0 || value.compareTo(BigDecimal.valueOf(MAX_NUMBER)) > 0) {
        throw new NumberFormatException();
      }
      return value.longValue();
    } catch (NumberFormatException e) {
      throw new Refusal((where.isEmpty() ? "" : where + ": ") + parent.name() + "/" + name + " is not a number: \""
          + ReportUnpacker.printable(text.length() > 40 ? text.substring(0, 40) : text) + "\"");
    }
  }
}
