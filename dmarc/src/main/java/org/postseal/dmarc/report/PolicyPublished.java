package org.postseal.dmarc.report;

import java.util.Objects;
import java.util.Optional;
import org.postseal.dmarc.DmarcAlignmentMode;
import org.postseal.dmarc.DmarcPolicy;

/**
 * policy_published (RFC 9990 section 3.1.1.5): the DMARC Policy Record that applied, with the defaults of tags
 * it left out. Reports we build fill every field; a report read back may leave the optional ones out.
 *
 * @param domain          the DMARC Policy Domain: where the record was found
 * @param discoveryMethod "treewalk" (RFC 9989) or "psl" (RFC 7489)
 * @param testing         t=: true for "y"
 */
public record PolicyPublished(String domain, Optional<String> discoveryMethod, DmarcPolicy p, Optional<DmarcPolicy> sp,
                              Optional<DmarcPolicy> np, Optional<String> fo, Optional<DmarcAlignmentMode> adkim,
                              Optional<DmarcAlignmentMode> aspf, Optional<Boolean> testing) {

  /** The discovery method of RFC 9989 section 4.10, the one Postseal uses. */
  public static final String TREEWALK = "treewalk";

  public PolicyPublished {
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(discoveryMethod, "discoveryMethod");
    Objects.requireNonNull(p, "p");
    Objects.requireNonNull(sp, "sp");
    Objects.requireNonNull(np, "np");
    Objects.requireNonNull(fo, "fo");
    Objects.requireNonNull(adkim, "adkim");
    Objects.requireNonNull(aspf, "aspf");
    Objects.requireNonNull(testing, "testing");
  }

  /**
   * A short stable text of the whole configuration ("p=reject sp=reject np=reject adkim=r aspf=r fo=0 t=n
   * treewalk"): one report is built per policy domain and configuration (RFC 9990 section 3.1: "A single report
   * MUST contain data for one policy configuration").
   */
  public String configuration() {
    return "p=" + p.keyword() + " sp=" + sp.map(DmarcPolicy::keyword).orElse("-")
        + " np=" + np.map(DmarcPolicy::keyword).orElse("-")
        + " adkim=" + adkim.map(DmarcAlignmentMode::tagValue).orElse("-")
        + " aspf=" + aspf.map(DmarcAlignmentMode::tagValue).orElse("-")
        + " fo=" + fo.orElse("-") + " t=" + testing.map(t -> t ? "y" : "n").orElse("-")
        + " " + discoveryMethod.orElse("-");
  }
}
