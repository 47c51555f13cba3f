package org.postseal.spf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpNetworkTest {

  @ParameterizedTest
  @CsvSource({
      "192.0.2.0/24, 192.0.2.77, true",
      "192.0.2.0/24, 192.0.3.1, false",
      "192.0.2.7, 192.0.2.7, true",
      "192.0.2.7, 192.0.2.8, false",
      "0.0.0.0/0, 203.0.113.9, true",
      "0.0.0.0/0, 2001:db8::1, false",
      "2001:db8::/32, 2001:db8:ffff::1, true",
      "2001:db8::/32, 2001:db9::1, false",
      "::/0, 192.0.2.1, false",
      "192.0.2.0/24, ::ffff:192.0.2.1, true",
  })
  void contains(String network, String address, boolean expected) throws Exception {
    assertThat(IpNetwork.parse(network).contains(InetAddress.getByName(address))).isEqualTo(expected);
  }

  @Test
  void ipv4MappedAddressBuiltFromBytes_isTheIpv4Address() throws Exception {
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xFF;
    mapped[11] = (byte) 0xFF;
    mapped[12] = (byte) 192;
    mapped[14] = 2;
    mapped[15] = 1;
    InetAddress address = Inet6Address.getByAddress(null, mapped, -1);

    assertThat(address).isInstanceOf(Inet6Address.class);
    assertThat(IpNetwork.unmapped(address).getHostAddress()).isEqualTo("192.0.2.1");
    assertThat(IpNetwork.parse("192.0.2.0/30").contains(address)).isTrue();
    assertThat(IpNetwork.parse("::ffff:0:0/96").contains(address)).isFalse();
  }

  @Test
  void hostBitsAreIgnored_andTheTextIsTheNetwork() {
    assertThat(IpNetwork.parse("192.0.2.77/24")).isEqualTo(IpNetwork.parse("192.0.2.0/24"));
    assertThat(IpNetwork.parse("2001:DB8:0:0:1::1/64").toString()).isEqualTo("2001:db8::/64");
    assertThat(IpNetwork.parse(" 192.0.2.1 ").toString()).isEqualTo("192.0.2.1/32");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "192.0.2", "192.0.2.256", "192.0.2.01", "192.0.2.0/33", "192.0.2.0/024",
      "2001:db8::/129", "2001:db8:::1", ":2001:db8::1", "1.2.3.4::", "host.example", "2001:db8::1%eth0",
      "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::"})
  void malformedNetworks_areRefusedNamingTheValue(String text) {
    assertThatThrownBy(() -> IpNetwork.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"" + text + "\"");
  }

  @ParameterizedTest
  @CsvSource({
      "::, ::",
      "::1.1.1.1, ::101:101",
      "::FFFF:1.2.3.4, ::ffff:102:304",
      "1:2:3:4:5:6:7::, 1:2:3:4:5:6:7:0",
      "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
      "1:0:0:2:0:0:0:3, 1:0:0:2::3",
  })
  void ipv6Text_isRfc5952(String text, String canonical) {
    assertThat(IpNetwork.ipv6Text(IpNetwork.parseIpv6(text).orElseThrow())).isEqualTo(canonical);
  }
}
