package org.postseal.web;

import java.time.Instant;

/** Aggregate reports as receivers write them, for the report page's tests. */
public final class PageFixtures {

  /** An org_name and a policy domain no honest reporter sends: markup and a quote to break out of attributes. */
  public static final String HOSTILE_ORG = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>";
  /** Lower case: the reader lower-cases the policy domain as receivers' case varies. */
  public static final String HOSTILE_DOMAIN = "\"><svg onload=alert(3)>.example";

  private PageFixtures() {
  }

  /**
   * A report as receivers write it (RFC 7489, no namespace); rows are "ip count dkim spf", the evaluated DKIM and
   * SPF results. {@code org} and {@code domain} are written as XML text, escaped.
   */
  public static String report(String org, String id, String domain, String p, Instant begin, String... rows) {
    StringBuilder xml = new StringBuilder("<?xml version=\"1.0\"?>\n<feedback>\n<report_metadata><org_name>" + xml(org)
        + "</org_name><email>noreply@reporter.example</email><report_id>" + xml(id) + "</report_id><date_range><begin>"
        + begin.getEpochSecond() + "</begin><end>" + (begin.getEpochSecond() + 86_399)
        + "</end></date_range></report_metadata>\n<policy_published><domain>" + xml(domain) + "</domain><adkim>r</adkim>"
        + "<aspf>r</aspf><p>" + p + "</p><sp>" + p + "</sp><pct>100</pct></policy_published>\n");
    for (String row : rows) {
      String[] f = row.split(" ");
      xml.append("<record><row><source_ip>").append(f[0]).append("</source_ip><count>").append(f[1])
          .append("</count><policy_evaluated><disposition>none</disposition><dkim>").append(f[2]).append("</dkim><spf>")
          .append(f[3]).append("</spf></policy_evaluated></row><identifiers><header_from>").append(xml(domain))
          .append("</header_from></identifiers><auth_results><spf><domain>").append(xml(domain))
          .append("</domain><result>").append(f[3]).append("</result></spf></auth_results></record>\n");
    }
    return xml.append("</feedback>\n").toString();
  }

  private static String xml(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
