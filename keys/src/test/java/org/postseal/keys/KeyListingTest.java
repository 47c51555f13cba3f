package org.postseal.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.postseal.dkim.DkimAlgorithm;

class KeyListingTest {

  private static final Instant T0 = Instant.parse("2026-10-01T09:00:00Z");
  private static final Instant T1 = Instant.parse("2026-11-02T09:00:00Z");
  private static final Duration WEEK = Duration.ofDays(7);

  private static KeyListing listing() {
    KeyEntry retired = KeyEntry.pending("s202610", DkimAlgorithm.RSA_SHA256, 2048, T0).activate(T0).retire(T1);
    KeyEntry active = KeyEntry.pending("s202611", DkimAlgorithm.RSA_SHA256, 2048, T0).activate(T1);
    KeyEntry pending = KeyEntry.pending("ed1", DkimAlgorithm.ED25519_SHA256, 256, T1);
    PublicationStatus match = new PublicationStatus(PublicationStatus.Kind.MATCH, "s202611._domainkey.example.com",
        "DNS serves our rsa key at s202611._domainkey.example.com", List.of());
    PublicationStatus missing = new PublicationStatus(PublicationStatus.Kind.MISSING, "ed1._domainkey.example.com",
        "DNS has no TXT record at ed1._domainkey.example.com (the name does not exist)", List.of());
    DkimTxtRecord revoked = DkimTxtRecord.revoked("example.com", "s202610", DkimAlgorithm.RSA_SHA256);
    DkimTxtRecord edRecord = DkimTxtRecord.of("example.com", "ed1",
        DkimPublicKey.ed25519(new byte[32]));
    return new KeyListing(List.of(
        new KeyListing.Row("example.com", retired, Optional.of(match), retired.revocableAt(WEEK), true,
            Optional.of(revoked), Optional.of("retire-after has passed: replace its record")),
        new KeyListing.Row("example.com", active, Optional.of(match), Optional.empty(), false, Optional.empty(),
            Optional.empty()),
        new KeyListing.Row("example.org", pending, Optional.of(missing), Optional.empty(), false,
            Optional.of(edRecord), Optional.of("pending, DNS: \"missing\"\tpublish it"))),
        List.of("/keys/x.org/s1.pem: refused: mode 0644"), WEEK);
  }

  @Test
  void table_alignsColumnsAndPrintsWhatToDoUnderneath() {
    assertThat(listing().toTable()).isEqualTo("""
        DOMAIN       SELECTOR  ALGORITHM  BITS  STATE                CREATED     ACTIVATED   DNS
        example.com  s202610   rsa        2048  retired (revocable)  2026-10-01  2026-10-01  match
        example.com  s202611   rsa        2048  active               2026-10-01  2026-11-02  match
        example.org  ed1       ed25519    256   pending              2026-11-02  -           missing

        example.com s202610: retire-after has passed: replace its record
          s202610._domainkey.example.com. IN TXT ( "v=DKIM1; k=rsa; p=" )

        example.org ed1: pending, DNS: "missing"\tpublish it
          ed1._domainkey.example.com. IN TXT ( "v=DKIM1; k=ed25519; p=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" )

        Problems:
          /keys/x.org/s1.pem: refused: mode 0644
        """);
    assertThat(listing().text()).isEqualTo(listing().toTable());
    assertThat(listing().exitCode()).isZero();
  }

  @Test
  void json_hasEveryFieldWithNullsAndEscapes() {
    String json = listing().toJson();

    assertThat(json).startsWith("{\n  \"keys\": [\n    {\n      \"domain\": \"example.com\",\n")
        .contains("""
                  "selector": "s202611",
                  "algorithm": "rsa-sha256",
                  "key_type": "rsa",
                  "bits": 2048,
                  "state": "active",
                  "created": "2026-10-01T09:00:00Z",
                  "activated": "2026-11-02T09:00:00Z",
                  "retired": null,
                  "revoked": null,
                  "deleted": null,
                  "revocable_at": null,
                  "revocable": false,
                  "dns": {
                    "status": "match",
                    "detail": "DNS serves our rsa key at s202611._domainkey.example.com"
                  },
                  "publish": null,
                  "note": null
                }""".indent(4).stripTrailing())
        .contains("\"revocable_at\": \"2026-11-09T09:00:00Z\",\n      \"revocable\": true,")
        .contains("\"note\": \"pending, DNS: \\\"missing\\\"\\tpublish it\"")
        .contains("\"status\": \"missing\"")
        .contains("""
                  "publish": {
                    "name": "s202610._domainkey.example.com",
                    "value": "v=DKIM1; k=rsa; p=",
                    "zone_text": "s202610._domainkey.example.com. IN TXT ( \\"v=DKIM1; k=rsa; p=\\" )"
                  },""".indent(6).stripTrailing())
        .endsWith("  \"problems\": [\n    \"/keys/x.org/s1.pem: refused: mode 0644\"\n  ]\n}\n");
  }

  @Test
  void emptyListing_saysHowToStart() {
    KeyListing empty = new KeyListing(List.of(), List.of(), WEEK);

    assertThat(empty.toTable()).isEqualTo("No keys. Create one with: postseal keygen DOMAIN\n");
    assertThat(empty.toJson()).isEqualTo("{\n  \"keys\": [],\n  \"problems\": []\n}\n");
  }

  @Test
  void durations_areSpelledAsInTheConfig() {
    assertThat(KeyListing.duration(Duration.ofDays(7))).isEqualTo("7d");
    assertThat(KeyListing.duration(Duration.ofHours(36))).isEqualTo("36h");
    assertThat(KeyListing.duration(Duration.ofMinutes(90))).isEqualTo("90m");
    assertThat(KeyListing.duration(Duration.ofSeconds(45))).isEqualTo("45s");
  }
}
