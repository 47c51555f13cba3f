package org.postseal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class NetworkTest {

  private static InetAddress ip(String literal) {
    return Network.parseAddressLiteral(literal).orElseThrow();
  }

  @Test
  void containsAddressesInsideThePrefixOnly() {
    Network net = Network.parse("192.0.2.128/25");
    assertThat(net.contains(ip("192.0.2.200"))).isTrue();
    assertThat(net.contains(ip("192.0.2.127"))).isFalse();
    assertThat(Network.parse("2001:db8::/32").contains(ip("2001:db8:1::5"))).isTrue();
    assertThat(Network.parse("2001:db8::/32").contains(ip("2001:db9::5"))).isFalse();
    assertThat(Network.parse("0.0.0.0/0").contains(ip("203.0.113.9"))).isTrue();
    assertThat(Network.parse("0.0.0.0/0").contains(ip("::1"))).isFalse();
    assertThat(Network.parse("127.0.0.1").contains(ip("127.0.0.1"))).isTrue();
    assertThat(Network.parse("127.0.0.1").contains(ip("127.0.0.2"))).isFalse();
  }

  @Test
  void literalsAreParsedWithoutDns() {
    assertThat(Network.parseAddressLiteral("IPv6:2001:db8::1")).contains(ip("2001:db8::1"));
    assertThat(Network.parseAddressLiteral("[::1]")).contains(ip("::1"));
    assertThat(Network.parseAddressLiteral("localhost")).isEmpty();
    assertThat(Network.parseAddressLiteral("256.1.1.1")).isEmpty();
    assertThat(Network.parseAddressLiteral("1.2.3")).isEmpty();
  }

  @Test
  void badNetworksSayWhy() {
    assertThatThrownBy(() -> Network.parse("10.0.0.0/33")).hasMessage("prefix length must be 0..32 for 10.0.0.0, was 33");
    assertThatThrownBy(() -> Network.parse("mail.example/24")).hasMessage("\"mail.example\" is not an IP address");
  }
}
