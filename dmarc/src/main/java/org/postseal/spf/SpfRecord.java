package org.postseal.spf;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A syntactically valid SPF record (RFC 7208 section 4.6), as {@link SpfRecordParser} read it.
 *
 * @param mechanisms       the directives in record order, evaluated left to right
 * @param redirect         the redirect= domain spec, unexpanded; ignored when the record has an "all"
 *                         (section 6.1)
 * @param explanation      the exp= domain spec, unexpanded
 * @param unknownModifiers other modifiers ("name=value"), which check_host() ignores (section 6)
 */
record SpfRecord(List<SpfMechanism> mechanisms, Optional<String> redirect, Optional<String> explanation,
                        List<String> unknownModifiers) {

  public SpfRecord {
    mechanisms = List.copyOf(mechanisms);
    Objects.requireNonNull(redirect, "redirect");
    Objects.requireNonNull(explanation, "explanation");
    unknownModifiers = List.copyOf(unknownModifiers);
  }

  /** True when an "all" mechanism makes any redirect= meaningless (RFC 7208 section 6.1). */
  public boolean hasAll() {
    for (SpfMechanism m : mechanisms) {
      if (m instanceof SpfMechanism.All) {
        return true;
      }
    }
    return false;
  }
}
