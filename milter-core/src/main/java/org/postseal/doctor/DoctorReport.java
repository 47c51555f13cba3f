package org.postseal.doctor;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The findings about one domain in check order (MX, SPF, DKIM, DMARC, rDNS), with a text rendering for people
 * and a JSON one for scripts.
 *
 * @param domain the domain examined, lower case
 * @param ip     the server address given with --ip, as text
 */
public record DoctorReport(String domain, Optional<String> ip, List<Finding> findings) {

  public DoctorReport {
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(ip, "ip");
    findings = List.copyOf(findings);
  }

  public long count(Severity severity) {
    return findings.stream().filter(f -> f.severity() == severity).count();
  }

  public boolean hasErrors() {
    return count(Severity.ERROR) > 0;
  }

  /** 0 without error findings, else 1. */
  public int exitCode() {
    return hasErrors() ? 1 : 0;
  }

  /**
   * One block per area, one line per finding ({@code severity  message}), its fix indented under it, then a
   * summary line.
   */
  public String toText() {
    StringBuilder text = new StringBuilder("Doctor report for ").append(domain)
        .append(ip.map(a -> " (server " + a + ")").orElse("")).append('\n');
    String area = null;
    for (Finding f : findings) {
      if (!f.area().equals(area)) {
        area = f.area();
        text.append('\n').append(area).append('\n');
      }
      text.append("  ").append(String.format("%-8s", f.severity().label())).append(f.message()).append('\n');
      if (!f.fix().isEmpty()) {
        text.append("          fix: ").append(f.fix()).append('\n');
      }
    }
    text.append('\n').append(count(Severity.ERROR)).append(" error(s), ").append(count(Severity.WARNING))
        .append(" warning(s)").append(hasErrors() ? ": receivers will distrust or reject mail from " + domain
            + " until the errors are fixed." : ".").append('\n');
    return text.toString();
  }

  /**
   * {@code {"domain": "...", "ip": "..."|null, "errors": n, "warnings": n, "findings": [{"area", "severity",
   * "message", "fix"}]}}, one line.
   */
  public String toJson() {
    StringBuilder json = new StringBuilder("{\"domain\":").append(quote(domain))
        .append(",\"ip\":").append(ip.map(DoctorReport::quote).orElse("null"))
        .append(",\"errors\":").append(count(Severity.ERROR))
        .append(",\"warnings\":").append(count(Severity.WARNING))
        .append(",\"findings\":[");
    for (int i = 0; i < findings.size(); i++) {
      Finding f = findings.get(i);
      json.append(i == 0 ? "" : ",").append("{\"area\":").append(quote(f.area()))
          .append(",\"severity\":").append(quote(f.severity().label()))
          .append(",\"message\":").append(quote(f.message()))
          .append(",\"fix\":").append(quote(f.fix())).append('}');
    }
    return json.append("]}").toString();
  }

  /** A JSON string (RFC 8259 section 7): quotes, backslashes and control characters escaped. */
  static String quote(String value) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
