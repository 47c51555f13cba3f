package org.postseal.dmarc.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuppressionTest {

  private final Suppression suppression = new Suppression(List.of(
      "mailto:DMARC@Reports.Example.", "noisy.example", "bücher.example"));

  @Test
  void anAddressEntry_matchesThatAddressOnly_whateverTheCaseOrTrailingDot() {
    assertThat(suppression.match("dmarc@reports.example")).contains("dmarc@reports.example");
    assertThat(suppression.match("Dmarc@REPORTS.example.")).contains("dmarc@reports.example");
    assertThat(suppression.match("other@reports.example")).isEmpty();
  }

  @Test
  void aDomainEntry_matchesEveryAddressAtOrBelowIt_butNotANameThatOnlyEndsTheSame() {
    assertThat(suppression.match("rua@noisy.example")).contains("noisy.example");
    assertThat(suppression.match("rua@mail.noisy.example")).contains("noisy.example");
    assertThat(suppression.match("rua@verynoisy.example")).isEmpty();
  }

  @Test
  void domainsAreComparedAsALabels() {
    assertThat(suppression.match("rua@xn--bcher-kva.example")).contains("xn--bcher-kva.example");
  }
}
