package org.postseal.spf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SpfResultTest {

  private static SpfResult result(SpfOutcome outcome, SpfCause cause, String detail) {
    return new SpfResult(outcome, cause, SpfIdentity.MAILFROM, "a@example.com", "example.com", detail,
        Optional.empty());
  }

  @Test
  void reason_isTheCauseInWordsThenTheDetail() {
    assertThat(result(SpfOutcome.SOFTFAIL, SpfCause.MATCHED_ALL, "\"~all\" in the SPF record of example.com for"
        + " 192.0.2.9").reason())
        .isEqualTo("matched all: \"~all\" in the SPF record of example.com for 192.0.2.9");
    assertThat(result(SpfOutcome.NONE, SpfCause.NO_CLIENT_ADDRESS, "").reason()).isEqualTo("client address unknown");
  }

  @Test
  void aCauseAllowsOnlyItsOutcomes() {
    assertThat(result(SpfOutcome.FAIL, SpfCause.MATCHED_IP4, "").outcome()).isEqualTo(SpfOutcome.FAIL);
    assertThat(result(SpfOutcome.PERMERROR, SpfCause.NO_RECORD, "").cause()).isEqualTo(SpfCause.NO_RECORD);
    assertThatThrownBy(() -> result(SpfOutcome.NONE, SpfCause.MATCHED_ALL, ""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MATCHED_ALL");
    assertThatThrownBy(() -> result(SpfOutcome.PASS, SpfCause.DNS_TIMEOUT, ""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(SpfCause.MATCHED_ALL.defaultOutcome()).isEmpty();
    assertThat(SpfCause.NO_RECORD.defaultOutcome()).contains(SpfOutcome.NONE);
  }

  @Test
  void summary_isOneLogTokenWithTheCauseKeyword() {
    assertThat(result(SpfOutcome.SOFTFAIL, SpfCause.MATCHED_ALL, "x").summary()).isEqualTo("softfail(matched_all)");
  }

  @Test
  void keywords_areLowerSnakeAndDistinct() {
    assertThat(SpfCause.MATCHED_ALL.keyword()).isEqualTo("matched_all");
    assertThat(Arrays.stream(SpfCause.values()).map(SpfCause::keyword))
        .allMatch(k -> k.matches("[a-z0-9]+(_[a-z0-9]+)*")).doesNotHaveDuplicates();
  }
}
