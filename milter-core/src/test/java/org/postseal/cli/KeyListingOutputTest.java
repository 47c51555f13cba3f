package org.postseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postseal.dkim.DkimAlgorithm;
import org.postseal.keys.DkimTxtRecord;
import org.postseal.keys.KeyAlgorithmChoice;
import org.postseal.keys.KeyEntry;
import org.postseal.keys.KeyListing;
import org.postseal.keys.KeyState;
import org.postseal.keys.Keygen;
import org.postseal.keys.KeygenResult;
import org.postseal.keys.PublicationStatus;
import org.postseal.keys.SigningKeyStore;

class KeyListingOutputTest {

  private static final Instant T0 = Instant.parse("2026-10-01T09:00:00Z");
  private static final Instant T1 = Instant.parse("2026-11-02T09:00:00Z");
  private static final Duration WEEK = Duration.ofDays(7);

  @TempDir
  static Path keys;

  /** A real Ed25519 key's record, as keygen makes it. */
  private static DkimTxtRecord edRecord;

  @BeforeAll
  static void generateKey() {
    KeygenResult result = new Keygen(new SigningKeyStore(keys, java.time.Clock.systemUTC(), WEEK))
        .generate("example.org", Optional.of("ed1"), KeyAlgorithmChoice.ED25519);
    edRecord = ((KeygenResult.Created) result).record();
  }

  private static KeyEntry entry(String selector, KeyState state, DkimAlgorithm algorithm, int bits, Instant created,
                                Instant activated, Instant retired) {
    return new KeyEntry(selector, state, algorithm, bits, created, Optional.ofNullable(activated),
        Optional.ofNullable(retired), Optional.empty(), Optional.empty());
  }

  private static KeyListing listing() {
    KeyEntry retired = entry("s202610", KeyState.RETIRED, DkimAlgorithm.RSA_SHA256, 2048, T0, T0, T1);
    KeyEntry active = entry("s202611", KeyState.ACTIVE, DkimAlgorithm.RSA_SHA256, 2048, T0, T1, null);
    KeyEntry pending = entry("ed1", KeyState.PENDING, DkimAlgorithm.ED25519_SHA256, 256, T1, null, null);
    PublicationStatus match = new PublicationStatus(PublicationStatus.Kind.MATCH, "s202611._domainkey.example.com",
        "DNS serves our rsa key at s202611._domainkey.example.com", List.of());
    PublicationStatus missing = new PublicationStatus(PublicationStatus.Kind.MISSING, "ed1._domainkey.example.org",
        "DNS has no TXT record at ed1._domainkey.example.org (the name does not exist)", List.of());
    DkimTxtRecord revoked = DkimTxtRecord.revoked("example.com", "s202610", DkimAlgorithm.RSA_SHA256);
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
    assertThat(KeyListingOutput.table(listing())).isEqualTo("""
        DOMAIN       SELECTOR  ALGORITHM  BITS  STATE                CREATED     ACTIVATED   DNS
        example.com  s202610   rsa        2048  retired (revocable)  2026-10-01  2026-10-01  match
        example.com  s202611   rsa        2048  active               2026-10-01  2026-11-02  match
        example.org  ed1       ed25519    256   pending              2026-11-02  -           missing

        example.com s202610: retire-after has passed: replace its record
          s202610._domainkey.example.com. IN TXT ( "v=DKIM1; k=rsa; p=" )

        example.org ed1: pending, DNS: "missing"\tpublish it
          %s

        Problems:
          /keys/x.org/s1.pem: refused: mode 0644
        """.formatted(edRecord.zoneText()));
    assertThat(edRecord.zoneText()).startsWith("ed1._domainkey.example.org. IN TXT ( \"v=DKIM1; k=ed25519; p=");
  }

  @Test
  void json_hasEveryFieldWithNullsAndEscapes() throws Exception {
    JsonNode json = new ObjectMapper().readTree(KeyListingOutput.json(listing()));

    assertThat(fieldNames(json)).containsExactly("keys", "problems");
    JsonNode active = json.get("keys").get(1);
    assertThat(fieldNames(active)).containsExactly("domain", "selector", "algorithm", "key_type", "bits", "state",
        "created", "activated", "retired", "revoked", "deleted", "revocable_at", "revocable", "dns", "publish", "note");
    assertThat(active.get("domain").asText()).isEqualTo("example.com");
    assertThat(active.get("selector").asText()).isEqualTo("s202611");
    assertThat(active.get("algorithm").asText()).isEqualTo("rsa-sha256");
    assertThat(active.get("key_type").asText()).isEqualTo("rsa");
    assertThat(active.get("bits").asInt()).isEqualTo(2048);
    assertThat(active.get("state").asText()).isEqualTo("active");
    assertThat(active.get("created").asText()).isEqualTo("2026-10-01T09:00:00Z");
    assertThat(active.get("activated").asText()).isEqualTo("2026-11-02T09:00:00Z");
    for (String absent : List.of("retired", "revoked", "deleted", "revocable_at", "publish", "note")) {
      assertThat(active.get(absent).isNull()).as(absent).isTrue();
    }
    assertThat(active.get("revocable").asBoolean()).isFalse();
    assertThat(fieldNames(active.get("dns"))).containsExactly("status", "detail");
    assertThat(active.get("dns").get("status").asText()).isEqualTo("match");
    assertThat(active.get("dns").get("detail").asText())
        .isEqualTo("DNS serves our rsa key at s202611._domainkey.example.com");

    JsonNode retired = json.get("keys").get(0);
    assertThat(retired.get("revocable_at").asText()).isEqualTo("2026-11-09T09:00:00Z");
    assertThat(retired.get("revocable").asBoolean()).isTrue();
    assertThat(fieldNames(retired.get("publish"))).containsExactly("name", "value", "zone_text");
    assertThat(retired.get("publish").get("name").asText()).isEqualTo("s202610._domainkey.example.com");
    assertThat(retired.get("publish").get("value").asText()).isEqualTo("v=DKIM1; k=rsa; p=");
    assertThat(retired.get("publish").get("zone_text").asText())
        .isEqualTo("s202610._domainkey.example.com. IN TXT ( \"v=DKIM1; k=rsa; p=\" )");

    JsonNode pending = json.get("keys").get(2);
    assertThat(pending.get("note").asText()).isEqualTo("pending, DNS: \"missing\"\tpublish it");
    assertThat(pending.get("dns").get("status").asText()).isEqualTo("missing");
    assertThat(pending.get("publish").get("value").asText()).isEqualTo(edRecord.value());
    assertThat(json.get("problems")).extracting(JsonNode::asText)
        .containsExactly("/keys/x.org/s1.pem: refused: mode 0644");
  }

  @Test
  void json_spellsEachDnsVerdictInSnakeCase() throws Exception {
    KeyEntry active = entry("sel", KeyState.ACTIVE, DkimAlgorithm.RSA_SHA256, 2048, T0, T1, null);
    List<KeyListing.Row> rows = new ArrayList<>();
    for (PublicationStatus.Kind kind : PublicationStatus.Kind.values()) {
      rows.add(new KeyListing.Row("example.com", active, Optional.of(new PublicationStatus(kind,
          "sel._domainkey.example.com", kind.label(), List.of())), Optional.empty(), false, Optional.empty(),
          Optional.empty()));
    }

    JsonNode json = new ObjectMapper().readTree(KeyListingOutput.json(new KeyListing(rows, List.of(), WEEK)));

    assertThat(json.get("keys")).extracting(k -> k.get("dns").get("status").asText())
        .containsExactly("match", "missing", "different_key", "revoked", "malformed", "dns_error");
  }

  @Test
  void emptyListing_saysHowToStart() throws Exception {
    KeyListing empty = new KeyListing(List.of(), List.of(), WEEK);

    assertThat(KeyListingOutput.table(empty)).isEqualTo("No keys. Create one with: postseal keygen DOMAIN\n");
    JsonNode json = new ObjectMapper().readTree(KeyListingOutput.json(empty));
    assertThat(json.get("keys").isArray()).isTrue();
    assertThat(json.get("keys")).isEmpty();
    assertThat(json.get("problems")).isEmpty();
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
