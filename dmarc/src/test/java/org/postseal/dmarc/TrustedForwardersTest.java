package org.postseal.dmarc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postseal.mail.EnvelopeAddress;
import org.postseal.spf.IpNetwork;

class TrustedForwardersTest {

  @Test
  void entries_areNetworksOrHostNames() {
    TrustedForwarders f = TrustedForwarders.parse(List.of("192.0.2.0/24", "2001:db8::1", "Lists.Example.NET.",
        "192.0.2.9"));

    assertThat(f.networks()).containsExactly(IpNetwork.parse("192.0.2.0/24"), IpNetwork.parse("2001:db8::1"),
        IpNetwork.parse("192.0.2.9"));
    assertThat(f.hostNames()).containsExactly("lists.example.net");
  }

  @Test
  void hostNames_matchThemselvesAndNamesBelow_butNotLookalikes() {
    TrustedForwarders f = TrustedForwarders.parse(List.of("lists.example.net"));

    assertThat(f.contains(origin("lists.example.net"))).isTrue();
    assertThat(f.contains(origin("MX1.Lists.Example.Net."))).isTrue();
    assertThat(f.contains(origin("mx_1.lists.example.net"))).isTrue();
    assertThat(f.contains(origin("badlists.example.net"))).isFalse();
    assertThat(f.contains(origin("lists.example.net.attacker.example"))).isFalse();
    assertThat(f.contains(origin("unknown"))).isFalse();
    assertThat(f.contains(origin(""))).isFalse();
  }

  private static MessageOrigin origin(String host) {
    return new MessageOrigin(Optional.of(DmarcDispositionEvaluatorTest.ip("203.0.113.1")), host, false, false, "",
        EnvelopeAddress.parse(""));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "not a host", "192.0.2.0/40", "-bad.example", "*.example.com", "host_name.example"})
  void invalidEntries_areRefusedNamingTheEntry(String entry) {
    assertThatThrownBy(() -> TrustedForwarders.parse(List.of(entry)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dmarc.trusted-forwarders entry \"" + entry + "\"");
  }
}
