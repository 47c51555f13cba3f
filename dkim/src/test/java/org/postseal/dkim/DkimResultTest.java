package org.postseal.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DkimResultTest {

  private static DkimResult result(DkimCause cause, String detail) {
    return new DkimResult(cause, detail, "example.com", "sel", "rsa-sha256", "c2ln", "");
  }

  @Test
  void reason_isTheCauseInWordsThenTheDetail() {
    assertThat(result(DkimCause.KEY_REVOKED, "empty p= at sel._domainkey.example.com").reason())
        .isEqualTo("key revoked: empty p= at sel._domainkey.example.com");
    assertThat(result(DkimCause.BODY_HASH_MISMATCH, "").reason()).isEqualTo("body hash did not verify");
    assertThat(result(DkimCause.VERIFIED, null).reason()).isEqualTo("signature verified");
  }

  @Test
  void outcome_followsFromTheCause() {
    assertThat(result(DkimCause.VERIFIED_TEST_MODE, "").outcome()).isEqualTo(DkimOutcome.PASS);
    assertThat(result(DkimCause.VERIFIED_TEST_MODE, "").isPass()).isTrue();
    assertThat(result(DkimCause.DNS_TIMEOUT, "").outcome()).isEqualTo(DkimOutcome.TEMPERROR);
    assertThat(result(DkimCause.BODY_LENGTH_PARTIAL, "").isPass()).isFalse();
  }

  @Test
  void keywords_areLowerSnakeAndDistinct() {
    assertThat(DkimCause.BODY_HASH_MISMATCH.keyword()).isEqualTo("body_hash_mismatch");
    assertThat(Arrays.stream(DkimCause.values()).map(DkimCause::keyword))
        .allMatch(k -> k.matches("[a-z0-9]+(_[a-z0-9]+)*")).doesNotHaveDuplicates();
    assertThat(Arrays.stream(DkimCause.values()).map(DkimCause::text)).allMatch(t -> !t.isBlank());
  }

  @Test
  void summary_isOneLogTokenWithTheCauseKeyword() {
    assertThat(result(DkimCause.BODY_HASH_MISMATCH, "").summary()).isEqualTo("example.com/sel=fail(body_hash_mismatch)");
    assertThat(new DkimResult(DkimCause.SIGNATURE_SYNTAX, "x", "", "", "", "", "").summary())
        .isEqualTo("?/?=permerror(signature_syntax)");
  }

  @Test
  void noResultIsNone() {
    // dkim=none is the absence of signatures, never the result of one
    assertThat(Arrays.stream(DkimCause.values()).map(DkimCause::outcome)).doesNotContain(DkimOutcome.NONE);
  }
}
