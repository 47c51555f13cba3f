package org.postseal.dmarc.report;

import java.util.Locale;
import java.util.Optional;

/** reason/type (RFC 9990 PolicyOverrideType): why the disposition is not what the published policy asked. */
public enum OverrideType {
  LOCAL_POLICY, MAILING_LIST, OTHER, POLICY_TEST_MODE, TRUSTED_FORWARDER;

  /** "local_policy", "mailing_list", "other", "policy_test_mode", "trusted_forwarder". */
  public String keyword() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<OverrideType> fromKeyword(String keyword) {
    for (OverrideType t : values()) {
      if (t.keyword().equals(keyword)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
