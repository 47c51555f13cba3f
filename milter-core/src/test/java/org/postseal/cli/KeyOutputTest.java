package org.postseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.dkim.DkimAlgorithm;
import org.postseal.keys.ActivationResult;
import org.postseal.keys.DkimTxtRecord;
import org.postseal.keys.KeyAlgorithmChoice;
import org.postseal.keys.KeyCheckResult;
import org.postseal.keys.KeyEntry;
import org.postseal.keys.KeyListing;
import org.postseal.keys.KeyRefusal;
import org.postseal.keys.KeyState;
import org.postseal.keys.KeyUpdateResult;
import org.postseal.keys.Keygen;
import org.postseal.keys.KeygenResult;
import org.postseal.keys.PublicationStatus;
import org.postseal.keys.SigningKeyStore;

/** What each key command prints for each result, and its exit code (0 stdout; 1 and 2 stderr). */
class KeyOutputTest {

  private static final Instant CREATED = Instant.parse("2026-11-15T10:00:00Z");
  private static final Instant SWITCHED = Instant.parse("2026-12-15T10:06:00Z");
  private static final Duration WEEK = Duration.ofDays(7);
  private static final Path DIR = Path.of("/var/lib/postseal/keys/example.com");

  @TempDir
  static Path keys;

  /** A real RSA-2048 key as keygen makes it: its record spans two lines of zone text. */
  private static KeygenResult.Created rsa;

  @BeforeAll
  static void generateKey() {
    KeygenResult result = new Keygen(new SigningKeyStore(keys, java.time.Clock.systemUTC(), WEEK))
        .generate("example.com", Optional.of("s202612"), KeyAlgorithmChoice.RSA_2048);
    rsa = (KeygenResult.Created) result;
  }

  private static KeyEntry entry(String selector, KeyState state, Optional<Instant> activated,
                                Optional<Instant> retired) {
    return new KeyEntry(selector, state, DkimAlgorithm.RSA_SHA256, 2048, CREATED, activated, retired,
        Optional.empty(), Optional.empty());
  }

  private static PublicationStatus status(PublicationStatus.Kind kind, String detail) {
    return new PublicationStatus(kind, "s202612._domainkey.example.com", detail, List.of());
  }

  private static ActivationResult.Activation activation(ActivationResult.Outcome outcome, KeyState state,
                                                        PublicationStatus.Kind kind, String detail,
                                                        Optional<KeyEntry> retired, String why) {
    return new ActivationResult.Activation("example.com", entry("s202612", state, Optional.empty(), Optional.empty()),
        outcome, Optional.of(status(kind, detail)), retired, Optional.of(rsa.record()), why, WEEK);
  }

  @Test
  void refusals_printTheirMessage_exitTwoForBadInputElseOne() {
    assertThat(KeyOutput.of(new KeyRefusal(KeyRefusal.Kind.USAGE, "invalid domain \"x\"")))
        .isEqualTo(new KeyOutput(2, "invalid domain \"x\"\n"));
    assertThat(KeyOutput.of(new KeyRefusal(KeyRefusal.Kind.CONFLICT, "selector taken"))).isEqualTo(new KeyOutput(1,
        "selector taken\n"));
    assertThat(KeyOutput.of((KeygenResult) new KeyRefusal(KeyRefusal.Kind.IO, "cannot write"))).isEqualTo(
        new KeyOutput(1, "cannot write\n"));
  }

  @Test
  void keygen_printsTheFileTheRecordAndTheNextStep() {
    assertThat(KeyOutput.of(rsa)).isEqualTo(new KeyOutput(0, """
        Created rsa-2048 key s202612 for example.com (pending): %s

        Publish this TXT record in the DNS zone of example.com (also in %s):

        %s

        Then run: postseal keys activate example.com
        (postseal serve activates it by itself once DNS serves it, with [keys] auto-activate = true.)
        """.formatted(rsa.privateKeyFile(), rsa.recordFile(), rsa.record().zoneText())));
    assertThat(rsa.record().zoneText()).contains("\n\t\"");
  }

  @Test
  void rotation_saysWhichKeyItReplaces_andNotesFollow() {
    KeygenResult.Created successor = new KeygenResult.Created("example.com", rsa.key(), rsa.record(),
        DIR.resolve("s202612.pem"), DIR.resolve("s202612.txt"),
        Optional.of(entry("s202611", KeyState.ACTIVE, Optional.of(CREATED), Optional.empty())),
        List.of("removed pending key s202611b from keys.state"));

    String text = KeyOutput.of(successor).text();

    assertThat(text).startsWith("Created rsa-2048 key s202612 for example.com (pending): " + DIR.resolve("s202612.pem")
        + "\nOnce active it replaces s202611, which then stays published for retire-after so that mail in flight still"
        + " verifies.\n\n").endsWith("\nNote: removed pending key s202611b from keys.state\n");
  }

  @Test
  void import_saysWhetherTheKeySignsNow() {
    KeyEntry active = entry("test", KeyState.ACTIVE, Optional.of(SWITCHED), Optional.empty());
    KeyEntry old = entry("old", KeyState.RETIRED, Optional.of(CREATED), Optional.of(SWITCHED));
    KeygenResult.Imported signing = new KeygenResult.Imported("example.com", active, rsa.record(),
        Path.of("/etc/opendkim/mail.private"), DIR.resolve("test.pem"), DIR.resolve("test.txt"),
        status(PublicationStatus.Kind.MATCH, "DNS serves our rsa key at test._domainkey.example.com"),
        Optional.of(old), WEEK, List.of());
    KeygenResult.Imported pending = new KeygenResult.Imported("example.com",
        entry("test", KeyState.PENDING, Optional.empty(), Optional.empty()), rsa.record(),
        Path.of("/etc/opendkim/mail.private"), DIR.resolve("test.pem"), DIR.resolve("test.txt"),
        status(PublicationStatus.Kind.MISSING, "DNS has no TXT record at test._domainkey.example.com"),
        Optional.empty(), WEEK, List.of());

    assertThat(KeyOutput.of(signing)).isEqualTo(new KeyOutput(0, "Imported /etc/opendkim/mail.private as rsa-2048"
        + " key test for example.com: " + DIR.resolve("test.pem") + "\nDNS serves our rsa key at"
        + " test._domainkey.example.com: it signs now.\nRetired old; leave its record published until 2026-12-22.\n"));
    assertThat(KeyOutput.of(pending).text()).isEqualTo("Imported /etc/opendkim/mail.private as rsa-2048 key test for"
        + " example.com: " + DIR.resolve("test.pem") + "\nDNS has no TXT record at test._domainkey.example.com, so it"
        + " is pending. Publish this record (also in " + DIR.resolve("test.txt") + "):\n\n" + rsa.record().zoneText()
        + "\n\nThen run: postseal keys activate example.com\n");
  }

  @Test
  void activation_saysWhatHappenedToEachKey_andExitsZeroOnlyWhenAllWereActivated() {
    KeyEntry retired = entry("s202611", KeyState.RETIRED, Optional.of(CREATED), Optional.of(SWITCHED));
    ActivationResult.Activation activated = activation(ActivationResult.Outcome.ACTIVATED, KeyState.ACTIVE,
        PublicationStatus.Kind.MATCH, "DNS serves our rsa key at s202612._domainkey.example.com", Optional.of(retired),
        "");
    ActivationResult.Activation unusable = activation(ActivationResult.Outcome.UNUSABLE, KeyState.PENDING,
        PublicationStatus.Kind.MATCH, "", Optional.empty(), DIR + "/s202612.pem: refused: mode 0640; fix: chmod 600");
    ActivationResult.Activation changed = activation(ActivationResult.Outcome.CHANGED, KeyState.PENDING,
        PublicationStatus.Kind.MATCH, "", Optional.empty(), "its state changed meanwhile (now active)");

    KeyOutput one = KeyOutput.of(new ActivationResult.Activations("example.com", List.of(activated)));
    KeyOutput three = KeyOutput.of(new ActivationResult.Activations("example.com",
        List.of(activated, unusable, changed)));

    assertThat(one).isEqualTo(new KeyOutput(0, "Activated s202612 for example.com (rsa-2048): DNS serves our rsa key"
        + " at s202612._domainkey.example.com.\nRetired s202611: it no longer signs; leave its record published until"
        + " 2026-12-22 (retire-after 7d), then postseal keys list prints the revoked record to put in its place.\n"));
    assertThat(three.exitCode()).isEqualTo(1);
    assertThat(three.text()).startsWith(one.text()).endsWith("Not activating s202612 for example.com (rsa-2048): "
        + DIR + "/s202612.pem: refused: mode 0640; fix: chmod 600\nLeft s202612 for example.com (rsa-2048) alone: its"
        + " state changed meanwhile (now active)\n");
  }

  @Test
  void activation_thatDnsDoesNotServe_printsTheRecord_andForcingWarnsLoudly() {
    ActivationResult.Activation notPublished = activation(ActivationResult.Outcome.NOT_PUBLISHED, KeyState.PENDING,
        PublicationStatus.Kind.MISSING, "DNS has no TXT record at s202612._domainkey.example.com", Optional.empty(),
        "");
    ActivationResult.Activation forced = activation(ActivationResult.Outcome.FORCED, KeyState.ACTIVE,
        PublicationStatus.Kind.DIFFERENT_KEY, "DNS serves another rsa-2048 key", Optional.empty(), "");

    KeyOutput refused = KeyOutput.of(new ActivationResult.Activations("example.com", List.of(notPublished)));
    KeyOutput warned = KeyOutput.of(new ActivationResult.Activations("example.com", List.of(forced)));

    assertThat(refused).isEqualTo(new KeyOutput(1, "Not activating s202612 for example.com (rsa-2048): DNS has no TXT"
        + " record at s202612._domainkey.example.com.\nPublish this record:\n\n" + rsa.record().zoneText() + "\n\nthen"
        + " run postseal keys activate example.com again (--force records it as active now; serve still signs with it"
        + " only once DNS serves this record).\n"));
    assertThat(warned).isEqualTo(new KeyOutput(0, "WARNING: activated s202612 for example.com (rsa-2048) although DNS"
        + " does not serve its key (DNS serves another rsa-2048 key).\nWARNING: serve signs with it only once DNS"
        + " serves this record (until then it signs nothing); publish it:\n\n" + rsa.record().zoneText() + "\n\n"));
  }

  @Test
  void check_printsOkOrFailPerSelector_theFixIndented_andASummary() {
    KeyEntry active = entry("s202611", KeyState.ACTIVE, Optional.of(CREATED), Optional.empty());
    KeyEntry pending = entry("s202612", KeyState.PENDING, Optional.empty(), Optional.empty());
    KeyEntry deleted = new KeyEntry("s202609", KeyState.DELETED, DkimAlgorithm.RSA_SHA256, 2048, CREATED,
        Optional.of(CREATED), Optional.of(CREATED), Optional.of(CREATED), Optional.of(CREATED));
    KeyListing.Row ok = new KeyListing.Row("example.com", active, Optional.of(status(PublicationStatus.Kind.MATCH,
        "DNS serves our rsa key at s202611._domainkey.example.com")), Optional.empty(), false, Optional.empty(),
        Optional.empty());
    KeyListing.Row fail = new KeyListing.Row("example.com", pending, Optional.of(status(PublicationStatus.Kind.MISSING,
        "DNS has no TXT record at s202612._domainkey.example.com")), Optional.empty(), false,
        Optional.of(rsa.record()), Optional.of("pending, DNS: missing; publish its record"));
    KeyListing.Row gone = new KeyListing.Row("example.com", deleted, Optional.empty(), Optional.empty(), false,
        Optional.empty(), Optional.empty());

    KeyOutput failed = KeyOutput.of(new KeyCheckResult.Checked("example.com", List.of(gone, ok, fail),
        List.of("example.com: a problem")));
    KeyOutput passed = KeyOutput.of(new KeyCheckResult.Checked("example.com", List.of(ok), List.of()));
    KeyOutput empty = KeyOutput.of(new KeyCheckResult.Checked("example.com", List.of(gone), List.of()));

    assertThat(failed).isEqualTo(new KeyOutput(1, "ok    s202611 (rsa-2048, active): DNS serves our rsa key at"
        + " s202611._domainkey.example.com\nFAIL  s202612 (rsa-2048, pending): DNS has no TXT record at"
        + " s202612._domainkey.example.com\n      pending, DNS: missing; publish its record\n        "
        + rsa.record().zoneText().replace("\n", "\n        ") + "\nproblem: example.com: a problem\nSome keys of"
        + " example.com are not published correctly: fix the records above; DNS changes may take the zone's TTL to be"
        + " seen.\n"));
    assertThat(passed).isEqualTo(new KeyOutput(0, "ok    s202611 (rsa-2048, active): DNS serves our rsa key at"
        + " s202611._domainkey.example.com\nEvery active and pending key of example.com is published correctly.\n"));
    assertThat(empty).isEqualTo(new KeyOutput(1, "example.com has no active or pending key; create one with: postseal"
        + " keygen example.com\n"));
  }

  @Test
  void revokeAndDelete_sayWhatChanged() {
    KeyEntry revoked = new KeyEntry("s202611", KeyState.REVOKED, DkimAlgorithm.RSA_SHA256, 2048, CREATED,
        Optional.of(CREATED), Optional.of(SWITCHED), Optional.of(SWITCHED), Optional.empty());
    DkimTxtRecord record = DkimTxtRecord.revoked("example.com", "s202611", DkimAlgorithm.RSA_SHA256);

    assertThat(KeyOutput.of(new KeyUpdateResult.Updated("example.com", revoked, Optional.of(record))))
        .isEqualTo(new KeyOutput(0, "Revoked s202611 for example.com. Put this record in place of its key record:\n\n"
            + "s202611._domainkey.example.com. IN TXT ( \"v=DKIM1; k=rsa; p=\" )\n\nIts private key stays until:"
            + " postseal keys delete example.com s202611\n"));
    KeyEntry deleted = new KeyEntry("s202611", KeyState.DELETED, DkimAlgorithm.RSA_SHA256, 2048, CREATED,
        Optional.of(CREATED), Optional.of(SWITCHED), Optional.of(SWITCHED), Optional.of(SWITCHED));
    assertThat(KeyOutput.of(new KeyUpdateResult.Updated("example.com", deleted, Optional.empty())))
        .isEqualTo(new KeyOutput(0, "Deleted the private key of s202611 for example.com; the selector stays recorded"
            + " so that it is never reused.\n"));
  }
}
