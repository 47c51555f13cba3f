package org.postseal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.postseal.dkim.DkimAlgorithm;

class KeyAlgorithmChoiceTest {

  @Test
  void everyCommandLineSpelling_parsesToItsAlgorithmAndSize() {
    assertThat(KeyAlgorithmChoice.parse("rsa-2048")).isEqualTo(KeyAlgorithmChoice.RSA_2048);
    assertThat(KeyAlgorithmChoice.parse("rsa-3072").bits()).isEqualTo(3072);
    assertThat(KeyAlgorithmChoice.parse(" RSA-4096 ").algorithm()).isEqualTo(DkimAlgorithm.RSA_SHA256);
    assertThat(KeyAlgorithmChoice.parse("ed25519").algorithm()).isEqualTo(DkimAlgorithm.ED25519_SHA256);
    assertThat(KeyAlgorithmChoice.labels()).isEqualTo("rsa-2048, rsa-3072, rsa-4096, ed25519");
    assertThat(KeyAlgorithmChoice.DEFAULT).hasToString("rsa-2048");
  }

  @Test
  void unknownAlgorithm_isRefusedNamingTheValueAndTheChoices() {
    assertThatThrownBy(() -> KeyAlgorithmChoice.parse("rsa-1024"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown key algorithm \"rsa-1024\"; use one of rsa-2048, rsa-3072, rsa-4096, ed25519");
    assertThat(KeyAlgorithmChoice.find("ed448")).isEmpty();
    assertThat(KeyAlgorithmChoice.find(null)).isEmpty();
  }

  @Test
  void successor_keepsTheSizeRoundedUpToAnOfferedOne() {
    assertThat(KeyAlgorithmChoice.successorOf(DkimAlgorithm.RSA_SHA256, 1024)).isEqualTo(KeyAlgorithmChoice.RSA_2048);
    assertThat(KeyAlgorithmChoice.successorOf(DkimAlgorithm.RSA_SHA256, 2048)).isEqualTo(KeyAlgorithmChoice.RSA_2048);
    assertThat(KeyAlgorithmChoice.successorOf(DkimAlgorithm.RSA_SHA256, 3072)).isEqualTo(KeyAlgorithmChoice.RSA_3072);
    assertThat(KeyAlgorithmChoice.successorOf(DkimAlgorithm.RSA_SHA256, 4096)).isEqualTo(KeyAlgorithmChoice.RSA_4096);
    assertThat(KeyAlgorithmChoice.successorOf(DkimAlgorithm.RSA_SHA256, 8192)).isEqualTo(KeyAlgorithmChoice.RSA_4096);
    assertThat(KeyAlgorithmChoice.successorOf(DkimAlgorithm.ED25519_SHA256, 256)).isEqualTo(KeyAlgorithmChoice.ED25519);
  }
}
