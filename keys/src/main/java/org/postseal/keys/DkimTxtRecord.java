package org.postseal.keys;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.postseal.dkim.DkimAlgorithm;

/**
 * The DKIM key record we ask the operator to publish at SELECTOR._domainkey.DOMAIN, and its zone-file text.
 *
 * <p>A TXT character-string holds at most 255 bytes (RFC 1035 section 3.3.14) while an RSA-2048 record is about
 * 410 characters, so the value is split into several quoted strings that verifiers join without separator
 * (RFC 6376 section 3.6.2.2). Splitting is ours so that nobody hand-splits a key and breaks it: a split may fall
 * anywhere, even inside the base64, because the pieces are joined back exactly.
 */
public final class DkimTxtRecord {

  /** Longest character-string in a TXT record (RFC 1035 section 3.3.14). */
  public static final int MAX_STRING_LENGTH = 255;

  private final String domain;
  private final String selector;
  private final DkimAlgorithm algorithm;
  private final String value;

  private DkimTxtRecord(String domain, String selector, DkimAlgorithm algorithm, String value) {
    this.domain = Objects.requireNonNull(domain, "domain");
    this.selector = Objects.requireNonNull(selector, "selector");
    this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
    this.value = value;
  }

  /** The record publishing {@code key}: {@code v=DKIM1; k=rsa; p=...} or {@code v=DKIM1; k=ed25519; p=...}. */
  static DkimTxtRecord of(String domain, String selector, DkimPublicKey key) {
    return new DkimTxtRecord(domain, selector, key.algorithm(),
        "v=DKIM1; k=" + key.keyType() + "; p=" + key.base64());
  }

  /**
   * The record that revokes the selector: an empty p= (RFC 6376 section 3.6.1), so that signatures made with
   * the old key fail as "key revoked" instead of lingering as verifiable forever.
   */
  public static DkimTxtRecord revoked(String domain, String selector, DkimAlgorithm algorithm) {
    return new DkimTxtRecord(domain, selector, algorithm, "v=DKIM1; k=" + DkimPublicKey.keyType(algorithm) + "; p=");
  }

  public String domain() {
    return domain;
  }

  public String selector() {
    return selector;
  }

  public DkimAlgorithm algorithm() {
    return algorithm;
  }

  /** The record's text as verifiers see it, the strings joined. */
  public String value() {
    return value;
  }

  /** Where it is published, without the trailing dot: SELECTOR._domainkey.DOMAIN. */
  public String name() {
    return SigningNames.recordName(selector, domain);
  }

  /** The value cut into character-strings of at most {@link #MAX_STRING_LENGTH} characters (ASCII: bytes). */
  public List<String> characterStrings() {
    return split(value);
  }

  static List<String> split(String value) {
    List<String> strings = new ArrayList<>();
    for (int start = 0; start < value.length(); start += MAX_STRING_LENGTH) {
      strings.add(value.substring(start, Math.min(value.length(), start + MAX_STRING_LENGTH)));
    }
    if (strings.isEmpty()) {
      strings.add("");
    }
    return strings;
  }

  /**
   * The record as a BIND/NSD/Knot master-file line, fully qualified, for pasting into a zone:
   * <pre>
   * s202611._domainkey.example.com. IN TXT ( "v=DKIM1; k=rsa; p=MIIBIjANBg..."
   *         "...IDAQAB" )
   * </pre>
   * The value is base64 and tag text, so it needs no quoting escapes. No trailing newline.
   */
  public String zoneText() {
    StringBuilder text = new StringBuilder(name()).append(". IN TXT ( ");
    List<String> strings = characterStrings();
    for (int i = 0; i < strings.size(); i++) {
      if (i > 0) {
        text.append("\n\t");
      }
      text.append('"').append(strings.get(i)).append('"');
    }
    return text.append(" )").toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DkimTxtRecord other && domain.equals(other.domain) && selector.equals(other.selector)
        && algorithm == other.algorithm && value.equals(other.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(domain, selector, algorithm, value);
  }

  @Override
  public String toString() {
    return name() + " TXT \"" + value + "\"";
  }
}
