package org.postseal.dmarc.received;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * Finds the XML documents in a received file: plain XML, gzip (RFC 1952), zip, or a mail message (RFC 5322 with
 * MIME parts, RFC 2045-2046) whose attachments are any of these. What the file is comes from its first bytes,
 * never from its name (a ".xml" may be gzip). Decompression is counted as it happens: more than
 * {@link ImportLimits#maxXmlBytes} in all, or more than {@link ImportLimits#maxRatio} bytes per compressed byte,
 * and the file is refused before any more is read (gzip and zip bombs). A zip entry whose name tries to leave its
 * directory refuses the file: it was made to attack something.
 */
final class ReportUnpacker {

  /** Message, zip and gzip may nest (a message with a zip of an XML); deeper is not a report. */
  private static final int MAX_NESTING = 3;
  /** Ratios are judged from this much output on: a small XML file may compress well. */
  private static final long RATIO_GRACE_BYTES = 64 * 1024;
  private static final Pattern HEADER_LINE = Pattern.compile("[!-9;-~]+:.*");
  private static final Pattern BOUNDARY = Pattern.compile("(?i);\\s*boundary\\s*=\\s*(?:\"([^\"]+)\"|([^;\\s]+))");

  private final ImportLimits limits;
  private long producedTotal;

  ReportUnpacker(ImportLimits limits) {
    this.limits = limits;
  }

  /** The XML documents of {@code input}, each at most {@link ImportLimits#maxXmlBytes}. */
  List<byte[]> documents(byte[] input) throws Refusal {
    if (input.length > limits.maxInputBytes()) {
      throw new Refusal("the file is " + input.length + " bytes, more than the " + limits.maxInputBytes()
          + " a report may be");
    }
    if (input.length == 0) {
      throw new Refusal("the file is empty");
    }
    List<byte[]> out = new ArrayList<>();
    unpack(input, 0, out);
    if (out.isEmpty()) {
      throw new Refusal("the message has no report attached (no XML, gzip or zip part)");
    }
    return out;
  }

  private void unpack(byte[] data, int depth, List<byte[]> out) throws Refusal {
    if (depth > MAX_NESTING) {
      throw new Refusal("archives nested more than " + MAX_NESTING + " deep");
    }
    switch (kind(data)) {
      case GZIP -> unpack(gunzip(data), depth + 1, out);
      case ZIP -> {
        for (byte[] entry : unzip(data)) {
          unpack(entry, depth + 1, out);
        }
      }
      case XML -> add(out, data);
      case MESSAGE -> {
        if (depth > 0) {
          // an archive of a message is no report format anyone sends
          throw new Refusal("an archive holds a mail message, not a report");
        }
        for (byte[] part : attachments(data, 0)) {
          unpack(part, depth + 1, out);
        }
      }
      case OTHER -> throw new Refusal(depth == 0 ? "not a report: neither XML, gzip, zip nor a mail message"
          : "an attachment or archive entry is neither XML, gzip nor zip");
      default -> throw new IllegalStateException();
    }
  }

  private void add(List<byte[]> out, byte[] xml) throws Refusal {
    if (out.size() >= limits.maxArchiveEntries()) {
      throw new Refusal("more than " + limits.maxArchiveEntries() + " reports in one file");
    }
    out.add(xml);
  }

  enum Kind { GZIP, ZIP, XML, MESSAGE, OTHER }

  static Kind kind(byte[] data) {
    if (data.length >= 2 && (data[0] & 0xFF) == 0x1F && (data[1] & 0xFF) == 0x8B) {
      return Kind.GZIP;
    }
    if (data.length >= 4 && data[0] == 'P' && data[1] == 'K' && data[2] == 3 && data[3] == 4) {
      return Kind.ZIP;
    }
    int i = 0;
    if (data.length >= 3 && (data[0] & 0xFF) == 0xEF && (data[1] & 0xFF) == 0xBB && (data[2] & 0xFF) == 0xBF) {
      i = 3;
    }
    while (i < data.length && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n')) {
      i++;
    }
    if (i < data.length && data[i] == '<') {
      return Kind.XML;
    }
    String firstLine = firstLine(data, i);
    return HEADER_LINE.matcher(firstLine).matches() ? Kind.MESSAGE : Kind.OTHER;
  }

  private static String firstLine(byte[] data, int from) {
    int end = from;
    while (end < data.length && end - from < 1000 && data[end] != '\n' && data[end] != '\r') {
      end++;
    }
    return new String(data, from, end - from, StandardCharsets.ISO_8859_1);
  }

  // ---------------------------------------------------------------- gzip and zip

  private byte[] gunzip(byte[] data) throws Refusal {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(data), 8192)) {
      return inflate(in, data.length, "gzip");
    } catch (EOFException e) {
      throw new Refusal("the gzip data is truncated (it ends before its last block and checksum)", e);
    } catch (ZipException e) {
      throw new Refusal("the gzip data is corrupt: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new Refusal("the gzip data cannot be read: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new Refusal("the gzip data is corrupt: " + e.getMessage(), e);
    }
  }

  private List<byte[]> unzip(byte[] data) throws Refusal {
    List<byte[]> entries = new ArrayList<>();
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(data))) {
      ZipEntry entry;
      while ((entry = zip.getNextEntry()) != null) {
        String name = entry.getName();
        if (isPathTrick(name)) {
          throw new Refusal("the zip has an entry named \"" + printable(name) + "\", a path that leaves its directory"
              + " (a path-traversal attack)");
        }
        if (entry.isDirectory()) {
          continue;
        }
        if (entries.size() >= limits.maxArchiveEntries()) {
          throw new Refusal("the zip has more than " + limits.maxArchiveEntries() + " entries");
        }
        entries.add(inflate(zip, data.length, "zip"));
      }
    } catch (EOFException e) {
      throw new Refusal("the zip data is truncated", e);
    } catch (ZipException e) {
      throw new Refusal("the zip data is corrupt: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new Refusal("the zip data cannot be read: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      // found by ReceivedReportFuzzTest: ZipInputStream throws this for an entry name that is not UTF-8
      throw new Refusal("the zip data is corrupt: an entry name is not valid UTF-8 (" + e.getMessage() + ")", e);
    }
    if (entries.isEmpty()) {
      throw new Refusal("the zip holds no file");
    }
    return entries;
  }

  /** "../x", "/etc/x", "a/../../x", "C:x", "a\\..\\x": names an unpacker writing to disk would be tricked by. */
  static boolean isPathTrick(String name) {
    String n = name.replace('\\', '/');
    if (n.startsWith("/") || (n.length() >= 2 && n.charAt(1) == ':') || n.indexOf('\0') >= 0) {
      return true;
    }
    for (String segment : n.split("/", -1)) {
      if (segment.equals("..")) {
        return true;
      }
    }
    return false;
  }

  /** Reads {@code in} to its end, refusing as soon as the output is over a limit. */
  private byte[] inflate(InputStream in, long compressedBytes, String format) throws IOException, Refusal {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    long produced = 0;
    int n;
    while ((n = in.read(buffer)) > 0) {
      produced += n;
      producedTotal += n;
      if (producedTotal > limits.maxXmlBytes()) {
        throw new Refusal("the " + format + " data decompresses to more than " + limits.maxXmlBytes()
            + " bytes (a decompression bomb?)");
      }
      if (produced > RATIO_GRACE_BYTES && produced > compressedBytes * limits.maxRatio()) {
        throw new Refusal("the " + format + " data decompresses more than " + limits.maxRatio() + " times ("
            + compressedBytes + " bytes to over " + produced + ", a decompression bomb)");
      }
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }

  // ---------------------------------------------------------------- mail messages

  /** A part: its header fields (unfolded, names lower-cased) and its body. */
  private record Part(List<String[]> fields, byte[] body) {
    String field(String name) {
      for (String[] f : fields) {
        if (f[0].equals(name)) {
          return f[1];
        }
      }
      return "";
    }
  }

  /** The decoded leaves of a message that may be reports: any part that is not text/plain or text/html. */
  private List<byte[]> attachments(byte[] message, int depth) throws Refusal {
    if (depth > 8) {
      throw new Refusal("MIME parts nested more than 8 deep");
    }
    Part part = split(message);
    String type = part.field("content-type").toLowerCase(Locale.ROOT).strip();
    List<byte[]> out = new ArrayList<>();
    if (type.startsWith("multipart/")) {
      Matcher m = BOUNDARY.matcher(part.field("content-type"));
      if (!m.find()) {
        throw new Refusal("a multipart part has no boundary");
      }
      String boundary = m.group(1) != null ? m.group(1) : m.group(2);
      for (byte[] child : children(part.body(), boundary)) {
        out.addAll(attachments(child, depth + 1));
        if (out.size() > limits.maxArchiveEntries()) {
          throw new Refusal("the message has more than " + limits.maxArchiveEntries() + " attachments");
        }
      }
      return out;
    }
    if (type.startsWith("message/rfc822")) {
      return attachments(decode(part), depth + 1);
    }
    if (type.startsWith("text/plain") || type.startsWith("text/html") || (type.isEmpty() && depth > 0)) {
      return out;
    }
    byte[] decoded = decode(part);
    if (kind(decoded) != Kind.OTHER && kind(decoded) != Kind.MESSAGE) {
      out.add(decoded);
    }
    return out;
  }

  /** Header fields up to the first empty line, and the body after it. */
  private static Part split(byte[] data) {
    List<String[]> fields = new ArrayList<>();
    int i = 0;
    StringBuilder current = null;
    while (i < data.length) {
      int end = i;
      while (end < data.length && data[end] != '\n') {
        end++;
      }
      String line = new String(data, i, end - i, StandardCharsets.ISO_8859_1);
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      i = Math.min(end + 1, data.length);
      if (line.isEmpty()) {
        break;
      }
      if ((line.startsWith(" ") || line.startsWith("\t")) && current != null) {
        current.append(' ').append(line.strip());
      } else {
        if (current != null) {
          fields.add(field(current.toString()));
        }
        current = new StringBuilder(line);
      }
    }
    if (current != null) {
      fields.add(field(current.toString()));
    }
    byte[] body = new byte[data.length - i];
    System.arraycopy(data, i, body, 0, body.length);
    return new Part(fields, body);
  }

  private static String[] field(String line) {
    int colon = line.indexOf(':');
    if (colon < 0) {
      return new String[] {"", line};
    }
    return new String[] {line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip()};
  }

  /** The parts between "--boundary" lines, up to "--boundary--" (RFC 2046 section 5.1.1). */
  private static List<byte[]> children(byte[] body, String boundary) {
    String text = new String(body, StandardCharsets.ISO_8859_1);
    String delimiter = "--" + boundary;
    List<byte[]> parts = new ArrayList<>();
    int start = -1;
    int pos = 0;
    while (pos <= text.length()) {
      int end = text.indexOf('\n', pos);
      String line = text.substring(pos, end < 0 ? text.length() : end);
      String stripped = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
      if (stripped.startsWith(delimiter)) {
        if (start >= 0) {
          int partEnd = pos;
          // the CRLF before the delimiter belongs to it
          if (partEnd > start && text.charAt(partEnd - 1) == '\n') {
            partEnd--;
          }
          if (partEnd > start && text.charAt(partEnd - 1) == '\r') {
            partEnd--;
          }
          parts.add(text.substring(start, Math.max(start, partEnd)).getBytes(StandardCharsets.ISO_8859_1));
        }
        if (stripped.strip().equals(delimiter + "--")) {
          return parts;
        }
        start = end < 0 ? text.length() : end + 1;
      }
      if (end < 0) {
        break;
      }
      pos = end + 1;
    }
    if (start >= 0 && start < text.length()) {
      // no closing delimiter: the last part runs to the end
      parts.add(text.substring(start).getBytes(StandardCharsets.ISO_8859_1));
    }
    return parts;
  }

  private static byte[] decode(Part part) throws Refusal {
    String encoding = part.field("content-transfer-encoding").toLowerCase(Locale.ROOT).strip();
    if (encoding.equals("base64")) {
      try {
        return Base64.getMimeDecoder().decode(part.body());
      } catch (IllegalArgumentException e) {
        throw new Refusal("an attachment's base64 is corrupt: " + e.getMessage(), e);
      }
    }
    if (encoding.equals("quoted-printable")) {
      return quotedPrintable(part.body());
    }
    return part.body();
  }

  /** RFC 2045 section 6.7; a malformed escape is kept as written. */
  private static byte[] quotedPrintable(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length);
    for (int i = 0; i < body.length; i++) {
      byte b = body[i];
      if (b == '=' && i + 1 < body.length && (body[i + 1] == '\n' || body[i + 1] == '\r')) {
        i += body[i + 1] == '\r' && i + 2 < body.length && body[i + 2] == '\n' ? 2 : 1;
      } else if (b == '=' && i + 2 < body.length && hex(body[i + 1]) >= 0 && hex(body[i + 2]) >= 0) {
        out.write(hex(body[i + 1]) * 16 + hex(body[i + 2]));
        i += 2;
      } else {
        out.write(b);
      }
    }
    return out.toByteArray();
  }

  private static int hex(byte b) {
    return Character.digit((char) b, 16);
  }

  static String printable(String text) {
    StringBuilder out = new StringBuilder();
    for (char c : text.toCharArray()) {
      out.append(c < 0x20 || c == 0x7F ? '?' : c);
      if (out.length() > 200) {
        return out + "...";
      }
    }
    return out.toString();
  }
}
