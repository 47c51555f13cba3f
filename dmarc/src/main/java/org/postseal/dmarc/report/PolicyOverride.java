package org.postseal.dmarc.report;

import java.util.Objects;

/**
 * One policy_evaluated/reason (RFC 9990 section 3.1.1.10).
 *
 * @param type    the registered override type
 * @param comment further detail, empty for none
 */
public record PolicyOverride(OverrideType type, String comment) {

  public PolicyOverride {
    Objects.requireNonNull(type, "type");
    comment = comment == null ? "" : comment;
  }
}
