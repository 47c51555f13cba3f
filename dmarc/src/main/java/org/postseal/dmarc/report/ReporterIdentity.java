package org.postseal.dmarc.report;

import java.util.Objects;

/**
 * Who sends our reports, as they name us.
 *
 * @param orgName   report_metadata/org_name
 * @param email     report_metadata/email, and the From of the report mail (reports.from): an address in one of
 *                  our signing domains, so that the report is signed by us and passes DMARC aligned (RFC 9990
 *                  section 3.1.6.2)
 * @param receiver  our domain in file names, subjects and Message-IDs ("Submitter"): the domain of {@code email}
 * @param generator report_metadata/generator, e.g. "Postseal 0.1.0"
 */
public record ReporterIdentity(String orgName, String email, String receiver, String generator) {

  public ReporterIdentity {
    Objects.requireNonNull(orgName, "orgName");
    Objects.requireNonNull(email, "email");
    Objects.requireNonNull(receiver, "receiver");
    Objects.requireNonNull(generator, "generator");
    if (receiver.isEmpty()) {
      throw new IllegalArgumentException("the receiver domain of reports must not be empty");
    }
  }

  /**
   * The identity for reports from {@code from}; {@code orgName} empty means the receiver domain (org_name is
   * required).
   */
  public static ReporterIdentity of(String orgName, String from, String generator) {
    int at = from.lastIndexOf('@');
    if (at <= 0 || at == from.length() - 1) {
      throw new IllegalArgumentException("reports.from must be an address, was \"" + from + "\"");
    }
    String receiver = from.substring(at + 1).toLowerCase(java.util.Locale.ROOT);
    return new ReporterIdentity(orgName.isBlank() ? receiver : orgName, from, receiver, generator);
  }
}
