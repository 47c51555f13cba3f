package org.postseal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.postseal.config.Network;
import org.postseal.config.SigningConfig;

class DirectionEvaluatorTest {

  private static final SigningConfig SIGNING = new SigningConfig(List.of("example.com"), "", SigningConfig.DEFAULT_DOMAINS_REFRESH,
      List.of(Network.parse("10.0.0.0/8"), Network.parse("2001:db8::/32")), true, SigningConfig.DEFAULT_ALGORITHMS);

  private static java.net.InetAddress ip(String literal) {
    return Network.parseAddressLiteral(literal).orElseThrow();
  }

  @Test
  void internalNetworksAndAuthenticatedClientsAreOutbound() {
    assertThat(DirectionEvaluator.evaluate(SIGNING, ip("10.9.8.7"), "")).isEqualTo(Direction.OUTBOUND);
    assertThat(DirectionEvaluator.evaluate(SIGNING, ip("2001:db8::1"), "")).isEqualTo(Direction.OUTBOUND);
    assertThat(DirectionEvaluator.evaluate(SIGNING, ip("203.0.113.5"), "alice")).isEqualTo(Direction.OUTBOUND);
    assertThat(DirectionEvaluator.evaluate(SIGNING, null, "alice")).isEqualTo(Direction.OUTBOUND);
  }

  @Test
  void everythingElseIsInbound() {
    assertThat(DirectionEvaluator.evaluate(SIGNING, ip("203.0.113.5"), "")).isEqualTo(Direction.INBOUND);
    assertThat(DirectionEvaluator.evaluate(SIGNING, null, "")).isEqualTo(Direction.INBOUND);
  }

  @Test
  void authenticationCountsOnlyWhenSignAuthenticatedIsOn() {
    SigningConfig off = new SigningConfig(SIGNING.domains(), "", SIGNING.domainsRefresh(), SIGNING.internalNetworks(), false, SIGNING.algorithms());
    assertThat(DirectionEvaluator.evaluate(off, ip("203.0.113.5"), "alice")).isEqualTo(Direction.INBOUND);
    assertThat(DirectionEvaluator.evaluate(off, ip("10.0.0.1"), "")).isEqualTo(Direction.OUTBOUND);
  }
}
