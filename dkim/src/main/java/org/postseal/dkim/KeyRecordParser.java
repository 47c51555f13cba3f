package org.postseal.dkim;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.postseal.dkim.internal.TagList;

/**
 * TXT record text to {@link KeyRecord}: the one reader of DKIM key records, for the verifier and for
 * {@code postseal keys check}. Stateless. A record that is not a tag-list (RFC 6376 section 3.2, duplicate tags
 * included), whose v= is not first or not DKIM1, or that has no p= does not parse (a verifier then tries the
 * next TXT record at the name); a record that parses but whose p= cannot be decoded yields a KeyRecord with
 * {@code keyProblem} set (a {@link DkimCause#KEY_MALFORMED} detail). Details name the usual mistakes of
 * hand-published records, for the operator who fixes them.
 */
public final class KeyRecordParser {

  /** The outcome of parsing one TXT record. */
  public sealed interface Parse permits Parsed, SyntaxError {
  }

  /** A key record, perhaps revoked or with an undecodable key. */
  public record Parsed(KeyRecord record) implements Parse {
  }

  /** The record is not a DKIM key record: {@code cause} is a key-record cause, {@code detail} what is wrong. */
  public record SyntaxError(DkimCause cause, String detail) implements Parse {
  }

  private static final int ED25519_KEY_BYTES = 32;
  /** The raw key wrapped in a SubjectPublicKeyInfo (RFC 8410): a common mistake when publishing Ed25519 keys. */
  private static final int ED25519_SPKI_BYTES = 44;

  private KeyRecordParser() {
  }

  /** Parses one TXT record (its character-strings joined). Never throws for any text. */
  public static Parse parse(String text) {
    TagList tags = TagList.parse(text);
    if (!tags.isValid()) {
      return new SyntaxError(DkimCause.KEY_SYNTAX, tags.error().orElse(""));
    }
    if (tags.has("v")) {
      // "if present, v= MUST be the first tag in the record" (RFC 6376 section 3.6.1)
      if (!"v".equals(tags.asMap().keySet().iterator().next())) {
        return new SyntaxError(DkimCause.KEY_SYNTAX, "v= is not the first tag");
      }
      if (!"DKIM1".equals(tags.value("v"))) {
        return new SyntaxError(DkimCause.KEY_UNSUPPORTED_VERSION, "v=" + tags.value("v"));
      }
    }
    if (!tags.has("p")) {
      return new SyntaxError(DkimCause.KEY_SYNTAX, "p= is missing");
    }
    String keyType = tags.has("k") ? lower(tags.value("k")) : "rsa";
    List<String> hashNames = tags.has("h") ? splitColonList(tags.value("h")) : List.of();
    List<String> serviceTypes = tags.has("s") ? splitColonList(tags.value("s")) : List.of("*");
    List<String> flags = tags.has("t") ? splitColonList(tags.value("t")) : List.of();
    boolean isTesting = flags.contains("y");
    boolean isStrict = flags.contains("s");

    String p = DkimSignatureParser.withoutWhiteSpace(tags.value("p"));
    if (p.isEmpty()) {
      return new Parsed(new KeyRecord(keyType, hashNames, serviceTypes, isTesting, isStrict, true, null, null));
    }
    byte[] keyBytes = DkimSignatureParser.decodeBase64(p);
    VerificationKey key = null;
    String keyProblem = null;
    if (keyBytes == null) {
      keyProblem = "not valid base64 (quotes or other characters inside the key? each piece of a split record"
          + " must be its own quoted string)";
    } else if (keyType.equals("rsa")) {
      key = decodeRsa(keyBytes);
      if (key == null) {
        keyProblem = "not an RSA public key (the base64 was cut or mixed with another key?)";
      }
    } else if (keyType.equals("ed25519")) {
      if (keyBytes.length != ED25519_KEY_BYTES) {
        keyProblem = keyBytes.length + " bytes, an Ed25519 key is 32 (RFC 8463 section 4)"
            + (keyBytes.length == ED25519_SPKI_BYTES
                ? "; 44 bytes is the SubjectPublicKeyInfo form, which RFC 8463 does not publish" : "");
      } else {
        try {
          key = new VerificationKey.Ed25519(new Ed25519PublicKeyParameters(keyBytes, 0));
        } catch (IllegalArgumentException e) {
          // BouncyCastle checks that the 32 bytes encode a point on the curve
          keyProblem = "not an Ed25519 public key (not a curve point)";
        }
      }
    } else {
      keyProblem = "k=" + keyType + " is not a supported key type; DKIM keys are k=rsa or k=ed25519";
    }
    return new Parsed(new KeyRecord(keyType, hashNames, serviceTypes, isTesting, isStrict, false, key,
        keyProblem));
  }

  /**
   * RFC 6376 publishes a SubjectPublicKeyInfo; some records carry a bare PKCS#1 RSAPublicKey, which
   * common verifiers accept too, so we do.
   */
  private static VerificationKey.Rsa decodeRsa(byte[] keyBytes) {
    try {
      KeyFactory factory = KeyFactory.getInstance("RSA");
      try {
        PublicKey key = factory.generatePublic(new X509EncodedKeySpec(keyBytes));
        return new VerificationKey.Rsa(RsaEngine.verificationKey((RSAPublicKey) key));
      } catch (GeneralSecurityException | ClassCastException e) {
        org.bouncycastle.asn1.pkcs.RSAPublicKey pkcs1 = org.bouncycastle.asn1.pkcs.RSAPublicKey.getInstance(keyBytes);
        PublicKey key = factory.generatePublic(new RSAPublicKeySpec(pkcs1.getModulus(), pkcs1.getPublicExponent()));
        return new VerificationKey.Rsa(RsaEngine.verificationKey((RSAPublicKey) key));
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      // BouncyCastle's ASN.1 parser throws IllegalArgumentException on garbage
      return null;
    }
  }

  private static List<String> splitColonList(String value) {
    List<String> out = new ArrayList<>();
    for (String part : value.split(":")) {
      String item = lower(DkimSignatureParser.withoutWhiteSpace(part));
      if (!item.isEmpty()) {
        out.add(item);
      }
    }
    return List.copyOf(out);
  }

  private static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
