package org.postseal.keys;

import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A served DKIM key record (the joined TXT value) to the key it publishes, for the publication check. The
 * tag-list rules are RFC 6376 section 3.2 (duplicate tags make the record invalid) and 3.6.1 (v= first when
 * present, k= defaults to rsa, empty p= means revoked); Ed25519 keys are raw 32 bytes (RFC 8463 section 4).
 * Reasons are sentences for the operator, pointing at the usual mistakes of hand-published records.
 */
final class DkimKeyRecordParser {

  private DkimKeyRecordParser() {
  }

  sealed interface Parsed {
  }

  /** A usable public key. */
  record Key(DkimPublicKey key) implements Parsed {
  }

  /** A record with an empty p=: the selector is revoked. */
  record Revoked(String keyType) implements Parsed {
  }

  /** Not a usable DKIM key record. */
  record Malformed(String reason) implements Parsed {
  }

  static Parsed parse(String value) {
    Map<String, String> tags = new LinkedHashMap<>();
    String first = null;
    for (String part : value.split(";", -1)) {
      if (part.isBlank()) {
        continue;
      }
      int eq = part.indexOf('=');
      if (eq < 0) {
        return new Malformed("\"" + part.strip() + "\" is not a tag=value pair");
      }
      String tag = part.substring(0, eq).strip();
      String tagValue = part.substring(eq + 1).strip();
      if (tags.containsKey(tag)) {
        return new Malformed("the tag " + tag + "= appears twice (RFC 6376 section 3.2)");
      }
      if (first == null) {
        first = tag;
      }
      tags.put(tag, tagValue);
    }
    String version = tags.get("v");
    if (version != null && (!"v".equals(first) || !"DKIM1".equals(version))) {
      return new Malformed("v= must be the first tag and DKIM1, was v=" + version + (("v".equals(first)) ? ""
          : " (not first)"));
    }
    String keyType = tags.getOrDefault("k", "rsa").toLowerCase(Locale.ROOT);
    String p = tags.get("p");
    if (p == null) {
      return new Malformed("the record has no p= tag; a DKIM key record is v=DKIM1; k=...; p=KEY");
    }
    String base64 = p.replaceAll("[ \\t\\r\\n]", "");
    if (base64.isEmpty()) {
      return new Revoked(keyType);
    }
    byte[] data;
    try {
      data = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      return new Malformed("p= is not valid base64 (quotes or other characters inside the key? each piece of a"
          + " split record must be its own quoted string)");
    }
    switch (keyType) {
      case "rsa":
        return rsa(data);
      case "ed25519":
        if (data.length != DkimPublicKey.ED25519_KEY_BYTES) {
          return new Malformed("p= holds " + data.length + " bytes for k=ed25519; RFC 8463 publishes the raw "
              + DkimPublicKey.ED25519_KEY_BYTES + "-byte key" + (data.length == 44
              ? " (this looks like the SubjectPublicKeyInfo form, which verifiers reject)" : ""));
        }
        return new Key(DkimPublicKey.ed25519(data));
      default:
        return new Malformed("unknown key type k=" + keyType + "; DKIM keys are k=rsa or k=ed25519");
    }
  }

  /** SubjectPublicKeyInfo as RFC 6376 wants, or a bare PKCS#1 RSAPublicKey, which some tools publish and verifiers accept. */
  private static Parsed rsa(byte[] der) {
    try {
      RSAPublicKey key = (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
      return new Key(DkimPublicKey.rsa(key.getModulus(), key.getPublicExponent()));
    } catch (Exception spkiFailed) {
      try {
        org.bouncycastle.asn1.pkcs.RSAPublicKey pkcs1 = org.bouncycastle.asn1.pkcs.RSAPublicKey.getInstance(der);
        return new Key(DkimPublicKey.rsa(pkcs1.getModulus(), pkcs1.getPublicExponent()));
      } catch (RuntimeException pkcs1Failed) {
        return new Malformed("p= does not hold an RSA public key (the base64 was cut or mixed with another key?)");
      }
    }
  }

}
