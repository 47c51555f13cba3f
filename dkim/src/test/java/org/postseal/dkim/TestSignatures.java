package org.postseal.dkim;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.postseal.dkim.internal.BodyHash;
import org.postseal.dkim.internal.Canonicalization;
import org.postseal.dkim.internal.TagList;
import org.postseal.mail.HeaderField;

/**
 * Makes DKIM-Signature fields with any tags (rsa-sha1, l=, x=, simple canonicalization), which
 * {@link DkimSigner} deliberately never writes, to test how the verifier treats them. The template is
 * the field value up to and including a final {@code b=}, with an empty {@code bh=} somewhere in it.
 * Uses the production canonicalization, so it proves policy handling, not interoperability (that is
 * what the RFC vectors and the jDKIM cross-checks are for).
 */
final class TestSignatures {

  private TestSignatures() {
  }

  static HeaderField sign(List<HeaderField> headers, byte[] body, String template, PrivateKey key) {
    TagList tags = TagList.parse(template);
    SignatureAlgorithm algorithm = SignatureAlgorithm.fromTagValue(tags.value("a")).orElseThrow();
    String c = tags.has("c") ? tags.value("c") : "simple/simple";
    String[] parts = c.split("/");
    Canonicalization headerC = Canonicalization.fromTagValue(parts[0]).orElseThrow();
    Canonicalization bodyC = Canonicalization.fromTagValue(parts.length > 1 ? parts[1] : "simple").orElseThrow();
    long l = tags.has("l") ? Long.parseLong(tags.value("l")) : -1;
    BodyHash bodyHash = BodyHash.start(bodyC, algorithm.digestAlgorithm(), l);
    bodyHash.update(body, 0, body.length);
    String bh = Base64.getEncoder().encodeToString(bodyHash.finish().digest());
    String unsigned = template.replace("bh=;", "bh=" + bh + ";");
    List<String> names = new ArrayList<>();
    for (String name : tags.value("h").split(":")) {
      names.add(name.strip());
    }
    byte[] data = SignedHeaderBlock.build(headers, names, -1, headerC, new HeaderField("DKIM-Signature", unsigned));
    return new HeaderField("DKIM-Signature", unsigned + Base64.getEncoder().encodeToString(rawSign(algorithm, key, data)));
  }

  private static byte[] rawSign(SignatureAlgorithm algorithm, PrivateKey key, byte[] data) {
    if (algorithm == SignatureAlgorithm.ED25519_SHA256) {
      byte[] seed = ((EdECPrivateKey) key).getBytes().orElseThrow();
      Ed25519Signer signer = new Ed25519Signer();
      signer.init(true, new Ed25519PrivateKeyParameters(seed, 0));
      byte[] hash = VerificationKey.sha256(data);
      signer.update(hash, 0, hash.length);
      return signer.generateSignature();
    }
    try {
      Signature signature = Signature.getInstance(algorithm.jcaRsaSignature());
      signature.initSign(key);
      signature.update(data);
      return signature.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
