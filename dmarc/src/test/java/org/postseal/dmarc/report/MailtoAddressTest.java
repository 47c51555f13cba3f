package org.postseal.dmarc.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MailtoAddressTest {

  @Test
  void theAddressOfAMailtoUri_withoutItsQuery_domainInLowerCase() {
    assertThat(MailtoAddress.of("mailto:dmarc@Example.COM")).contains("dmarc@example.com");
    assertThat(MailtoAddress.of("MAILTO:dmarc+rua@example.com?subject=report")).contains("dmarc+rua@example.com");
    assertThat(MailtoAddress.of("mailto:d%6Darc@example.com.")).contains("dmarc@example.com");
  }

  @Test
  void otherSchemesAndMalformedAddresses_giveNothing() {
    assertThat(MailtoAddress.of("https://reports.example.com/dmarc")).isEmpty();
    assertThat(MailtoAddress.of("mailto:")).isEmpty();
    assertThat(MailtoAddress.of("mailto:nobody")).isEmpty();
    assertThat(MailtoAddress.of("mailto:a@example.com,b@example.com")).isEmpty();
    assertThat(MailtoAddress.of("mailto:a b@example.com")).isEmpty();
    assertThat(MailtoAddress.of("mailto:a@-bad-.example")).isEmpty();
    assertThat(MailtoAddress.of("mailto:a@example%")).isEmpty();
  }
}
