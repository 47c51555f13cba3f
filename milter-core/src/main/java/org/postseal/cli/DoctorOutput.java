package org.postseal.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postseal.doctor.DoctorReport;
import org.postseal.doctor.Finding;
import org.postseal.doctor.Severity;

/** {@code postseal doctor}: the report as text for people, or with {@code --json} as an object for scripts. */
final class DoctorOutput {

  private DoctorOutput() {
  }

  /**
   * One block per area, one line per finding ({@code severity  message}), its fix indented under it, then a
   * summary line.
   */
  static String text(DoctorReport report) {
    StringBuilder text = new StringBuilder("Doctor report for ").append(report.domain())
        .append(report.ip().map(a -> " (server " + a + ")").orElse("")).append('\n');
    String area = null;
    for (Finding f : report.findings()) {
      if (!f.area().equals(area)) {
        area = f.area();
        text.append('\n').append(area).append('\n');
      }
      text.append("  ").append(String.format("%-8s", f.severity().label())).append(f.message()).append('\n');
      if (!f.fix().isEmpty()) {
        text.append("          fix: ").append(f.fix()).append('\n');
      }
    }
    text.append('\n').append(report.count(Severity.ERROR)).append(" error(s), ").append(report.count(Severity.WARNING))
        .append(" warning(s)").append(report.hasErrors() ? ": receivers will distrust or reject mail from "
            + report.domain() + " until the errors are fixed." : ".").append('\n');
    return text.toString();
  }

  /**
   * {@code {"domain": "...", "ip": "..."|null, "errors": n, "warnings": n, "findings": [{"area", "severity",
   * "message", "fix"}]}}.
   */
  static String json(DoctorReport report) {
    List<Object> findings = new ArrayList<>();
    for (Finding f : report.findings()) {
      Map<String, Object> finding = new LinkedHashMap<>();
      finding.put("area", f.area());
      finding.put("severity", f.severity().label());
      finding.put("message", f.message());
      finding.put("fix", f.fix());
      findings.add(finding);
    }
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("domain", report.domain());
    root.put("ip", report.ip().orElse(null));
    root.put("errors", report.count(Severity.ERROR));
    root.put("warnings", report.count(Severity.WARNING));
    root.put("findings", findings);
    return JsonOutput.write(root);
  }
}
