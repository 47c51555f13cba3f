package org.postseal.dkim;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postseal.dkim.internal.BodyHash;
import org.postseal.dkim.internal.Canonicalization;
import org.postseal.mail.HeaderField;

/**
 * Signing of one message. The body is hashed as it arrives, once per distinct (canonicalization, hash)
 * among the keys: with c=relaxed/relaxed and SHA-256 for both algorithms, one body hash serves every
 * key. Not thread-safe.
 */
final class MessageSigningSession implements SigningSession {

  private static final Canonicalization CANONICALIZATION = Canonicalization.RELAXED;

  private final DkimSigner signer;
  private final List<HeaderField> headers;
  private final List<SigningKey> keys;
  private final Map<String, BodyHash> bodyHashes = new LinkedHashMap<>();
  private final BodyHash[] bodyHashList;
  private boolean finished;

  MessageSigningSession(DkimSigner signer, List<HeaderField> headers, List<SigningKey> keys) {
    this.signer = signer;
    this.headers = List.copyOf(headers);
    this.keys = List.copyOf(keys);
    for (SigningKey key : this.keys) {
      String digest = SignatureAlgorithm.of(key.algorithm()).digestAlgorithm();
      bodyHashes.computeIfAbsent(digest, d -> BodyHash.start(CANONICALIZATION, d, -1));
    }
    this.bodyHashList = bodyHashes.values().toArray(new BodyHash[0]);
  }

  @Override
  public void body(byte[] chunk, int offset, int length) {
    if (finished) {
      throw new IllegalStateException("signing session already finished");
    }
    for (BodyHash hash : bodyHashList) {
      hash.update(chunk, offset, length);
    }
  }

  @Override
  public List<HeaderField> finish() {
    if (finished) {
      throw new IllegalStateException("signing session already finished");
    }
    finished = true;
    long timestamp = signer.clock().instant().getEpochSecond();
    List<String> signedNames = DkimSigner.signedHeaderNames(headers);
    List<HeaderField> signatures = new ArrayList<>(keys.size());
    for (SigningKey key : keys) {
      SignatureAlgorithm algorithm = SignatureAlgorithm.of(key.algorithm());
      byte[] bodyHash = bodyHashes.get(algorithm.digestAlgorithm()).finish().digest();
      DkimSignatureHeader header = new DkimSignatureHeader()
          .tag("v", "1")
          .tag("a", algorithm.tagValue())
          .tag("c", CANONICALIZATION.tagValue() + "/" + CANONICALIZATION.tagValue())
          .tag("d", key.domain())
          .tag("s", key.selector())
          .tag("t", Long.toString(timestamp))
          .headerList(signedNames)
          .bodyHash(Base64.getEncoder().encodeToString(bodyHash))
          .signatureStart();
      HeaderField unsigned = new HeaderField(DkimSignatureHeader.NAME, header.value());
      byte[] headerData = SignedHeaderBlock.build(headers, signedNames, -1, CANONICALIZATION, unsigned);
      header.signature(Base64.getEncoder().encodeToString(signer.sign(key, headerData)));
      signatures.add(new HeaderField(DkimSignatureHeader.NAME, header.value()));
    }
    return List.copyOf(signatures);
  }
}
