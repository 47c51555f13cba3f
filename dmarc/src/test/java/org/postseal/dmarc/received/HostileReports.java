package org.postseal.dmarc.received;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Files made to hurt a report reader, each with what it tries: the import tests refuse every one, the fuzz test
 * starts from them. Built in memory (a bomb is a few hundred kilobytes of deflate; its output is never stored).
 */
public final class HostileReports {

  /** A small valid RFC 7489 report, to wrap in hostile containers. */
  public static final String VALID = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feedback>\n  <report_metadata>\n"
      + "    <org_name>hostile.example</org_name>\n    <email>noreply@hostile.example</email>\n"
      + "    <report_id>h-1</report_id>\n    <date_range><begin>1764288000</begin><end>1764374399</end></date_range>\n"
      + "  </report_metadata>\n  <policy_published>\n    <domain>example.com</domain>\n    <p>none</p>\n"
      + "  </policy_published>\n  <record>\n    <row>\n      <source_ip>192.0.2.1</source_ip>\n      <count>1</count>\n"
      + "      <policy_evaluated><disposition>none</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated>\n"
      + "    </row>\n    <identifiers><header_from>example.com</header_from></identifiers>\n"
      + "    <auth_results><spf><domain>example.com</domain><result>fail</result></spf></auth_results>\n"
      + "  </record>\n</feedback>\n";

  /** Bytes of zeros in each bomb: deflate packs them about 1,000 times. */
  static final int BOMB_BYTES = 80 << 20;

  private HostileReports() {
  }

  /** Name -> file, in the order of the table in the note. */
  public static Map<String, byte[]> all() {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("xxe.xml", xxe());
    files.put("billion-laughs.xml", billionLaughs());
    files.put("gzip-bomb.xml.gz", gzipBomb());
    files.put("zip-bomb.zip", zipBomb());
    files.put("path-traversal.zip", pathTraversalZip());
    files.put("truncated.xml.gz", truncatedGzip());
    files.put("not-xml.pdf", nonXml());
    return files;
  }

  /** An external entity naming a local file (XXE): a reader that resolved it would store /etc/passwd. */
  public static byte[] xxe() {
    return VALID.replace("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", "<?xml version=\"1.0\"?>\n"
        + "<!DOCTYPE feedback [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n")
        .replace("<org_name>hostile.example</org_name>", "<org_name>&xxe;</org_name>").getBytes(StandardCharsets.UTF_8);
  }

  /** Nine levels of ten entities each: a billion "lol"s, 3 GB, from 1 KB. */
  public static byte[] billionLaughs() {
    StringBuilder dtd = new StringBuilder("<!DOCTYPE feedback [\n <!ENTITY lol0 \"lol\">\n");
    for (int i = 1; i <= 9; i++) {
      dtd.append(" <!ENTITY lol").append(i).append(" \"");
      for (int j = 0; j < 10; j++) {
        dtd.append("&lol").append(i - 1).append(';');
      }
      dtd.append("\">\n");
    }
    dtd.append("]>\n");
    return ("<?xml version=\"1.0\"?>\n" + dtd + VALID.substring(VALID.indexOf("<feedback>"))
        .replace("<org_name>hostile.example</org_name>", "<org_name>&lol9;</org_name>"))
        .getBytes(StandardCharsets.UTF_8);
  }

  /** The valid report followed by 80 MiB of zeros, gzipped: about 80 KB that would take 80 MB. */
  public static byte[] gzipBomb() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out, 65536)) {
      gzip.write(VALID.getBytes(StandardCharsets.UTF_8));
      writeZeros(gzip, BOMB_BYTES);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** One entry of 80 MiB of zeros. */
  public static byte[] zipBomb() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.setLevel(Deflater.BEST_COMPRESSION);
      zip.putNextEntry(new ZipEntry("report.xml"));
      writeZeros(zip, BOMB_BYTES);
      zip.closeEntry();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** A valid report under a name that climbs out of any directory it would be unpacked into. */
  public static byte[] pathTraversalZip() {
    return zip("../../../etc/cron.d/report.xml", VALID.getBytes(StandardCharsets.UTF_8));
  }

  /** A valid report's gzip cut in the middle (a mail client that gave up, a disk that filled). */
  public static byte[] truncatedGzip() {
    byte[] whole = gzip(VALID.getBytes(StandardCharsets.UTF_8));
    return Arrays.copyOf(whole, whole.length / 2);
  }

  /** Not a report at all: the start of a PDF, as a misfiled attachment would be. */
  public static byte[] nonXml() {
    return "%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  public static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  public static byte[] zip(String name, byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry(name));
      zip.write(data);
      zip.closeEntry();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void writeZeros(java.io.OutputStream out, int bytes) throws IOException {
    byte[] zeros = new byte[1 << 20];
    for (int written = 0; written < bytes; written += zeros.length) {
      out.write(zeros);
    }
  }
}
