package org.postseal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postseal.keys.KeyStoreFixtures.refused;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** keys check: a domain without keys fails with nothing to publish; rows with DNS answers are in the rotation tests. */
class DomainKeyCheckTest {

  @TempDir
  Path root;

  private TestKeyStore test;
  private DomainKeyCheck check;

  @BeforeEach
  void start() {
    test = TestKeyStore.start(root.resolve("keys"), Duration.ofDays(7));
    check = new DomainKeyCheck(test.store(), test.resolver());
  }

  @AfterEach
  void stop() {
    test.close();
  }

  @Test
  void invalidDomain_isAUsageError() {
    assertThat(refused(check.check("localhost"), KeyRefusal.Kind.USAGE).message()).contains("two labels");
  }

  @Test
  void domainWithoutKeys_hasNothingToPublishAndDoesNotPass() {
    KeyCheckResult.Checked checked = (KeyCheckResult.Checked) check.check("Example.COM.");

    assertThat(checked.domain()).isEqualTo("example.com");
    assertThat(checked.rows()).isEmpty();
    assertThat(checked.problems()).isEmpty();
    assertThat(checked.hasKeyToPublish()).isFalse();
    assertThat(checked.isPassed()).isFalse();
  }
}
