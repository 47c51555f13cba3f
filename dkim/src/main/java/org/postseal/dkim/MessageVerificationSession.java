package org.postseal.dkim;

import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.postseal.dkim.internal.BodyHash;
import org.postseal.dkim.internal.Canonicalization;
import org.postseal.mail.HeaderField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verification of one message. Created with the headers: signatures parsed, key lookups started (one
 * per distinct name), body hashes started (one per distinct canonicalization, hash and l=). Fed the
 * body; finished once. Signatures that are already decided without a key (syntax errors, rsa-sha1,
 * expired) cause no lookup and no hashing. Not thread-safe; the key futures may complete on any thread.
 */
final class MessageVerificationSession implements VerificationSession {

  private static final Logger LOG = LoggerFactory.getLogger(MessageVerificationSession.class);

  /** One DKIM-Signature field under evaluation. */
  private static final class Entry {
    final int headerIndex;
    final DkimSignature signature;
    final DkimResult decided;
    final CompletableFuture<DkimKeySource.KeyLookup> key;
    final BodyHash bodyHash;

    Entry(int headerIndex, DkimSignature signature, DkimResult decided,
          CompletableFuture<DkimKeySource.KeyLookup> key, BodyHash bodyHash) {
      this.headerIndex = headerIndex;
      this.signature = signature;
      this.decided = decided;
      this.key = key;
      this.bodyHash = bodyHash;
    }
  }

  private record BodyHashKey(Canonicalization canonicalization, String digestAlgorithm, long limit) {
  }

  private final List<HeaderField> headers;
  private final DkimPolicy policy;
  private final List<Entry> entries = new ArrayList<>();
  private final Map<String, CompletableFuture<DkimKeySource.KeyLookup>> lookups = new LinkedHashMap<>();
  private final Map<BodyHashKey, BodyHash> bodyHashes = new LinkedHashMap<>();
  private final BodyHash[] bodyHashList;
  private final CompletableFuture<Void> keysLookedUp;
  private final boolean hasNoSignatures;
  private final int ignoredSignatures;
  private List<DkimResult> results;

  MessageVerificationSession(List<HeaderField> headers, DkimKeySource keys, DkimPolicy policy, Clock clock) {
    this.headers = List.copyOf(headers);
    this.policy = policy;
    long now = clock.instant().getEpochSecond();
    int seen = 0;
    for (int i = 0; i < this.headers.size(); i++) {
      HeaderField field = this.headers.get(i);
      if (!field.hasName(DkimSignatureHeader.NAME)) {
        continue;
      }
      seen++;
      if (seen > policy.maxSignatures()) {
        continue;
      }
      DkimSignatureParser.Parse parse;
      try {
        parse = DkimSignatureParser.parse(field);
      } catch (RuntimeException e) {
        // a parser bug must not turn message content into an exception in the milter
        LOG.warn("DKIM-Signature field could not be parsed", e);
        parse = new DkimSignatureParser.Unusable(new DkimResult(DkimCause.INTERNAL_ERROR,
            "signature could not be parsed: " + e, null, null, null, null, null));
      }
      if (parse instanceof DkimSignatureParser.Unusable unusable) {
        entries.add(new Entry(i, null, unusable.result(), null, null));
        continue;
      }
      DkimSignature signature = ((DkimSignatureParser.Parsed) parse).signature();
      DkimResult decided = decideWithoutKey(signature, now);
      if (decided != null) {
        entries.add(new Entry(i, signature, decided, null, null));
        continue;
      }
      CompletableFuture<DkimKeySource.KeyLookup> key = lookups.computeIfAbsent(signature.keyName(), keys::lookup);
      BodyHashKey hashKey = new BodyHashKey(signature.bodyCanonicalization(),
          signature.algorithm().digestAlgorithm(), signature.bodyLength());
      BodyHash bodyHash = bodyHashes.computeIfAbsent(hashKey,
          k -> BodyHash.start(k.canonicalization(), k.digestAlgorithm(), k.limit()));
      entries.add(new Entry(i, signature, null, key, bodyHash));
    }
    // the caller says so in the message's log line and counts it: one line per message, not two
    this.ignoredSignatures = Math.max(0, seen - policy.maxSignatures());
    this.hasNoSignatures = seen == 0;
    this.bodyHashList = bodyHashes.values().toArray(new BodyHash[0]);
    this.keysLookedUp = CompletableFuture.allOf(lookups.values().toArray(new CompletableFuture<?>[0]))
        .handle((ignored, error) -> null);
  }

  @Override
  public CompletableFuture<Void> keysLookedUp() {
    return keysLookedUp;
  }

  @Override
  public boolean hasNoSignatures() {
    return hasNoSignatures;
  }

  @Override
  public int ignoredSignatures() {
    return ignoredSignatures;
  }

  @Override
  public List<String> signingDomains() {
    List<String> domains = new ArrayList<>(entries.size());
    for (Entry entry : entries) {
      if (entry.signature != null) {
        domains.add(entry.signature.domain());
      }
    }
    return domains;
  }

  @Override
  public void body(byte[] chunk, int offset, int length) {
    if (results != null) {
      throw new IllegalStateException("verification session already finished");
    }
    for (BodyHash hash : bodyHashList) {
      hash.update(chunk, offset, length);
    }
  }

  @Override
  public List<DkimResult> finish() {
    if (results != null) {
      return results;
    }
    List<DkimResult> out = new ArrayList<>(entries.size());
    for (Entry entry : entries) {
      DkimResult result;
      if (entry.decided != null) {
        result = entry.decided;
      } else {
        try {
          result = evaluate(entry);
        } catch (RuntimeException e) {
          // a bug, not a property of the message: still a result, and loud in the log
          LOG.warn("DKIM verification of d={} s={} failed unexpectedly", entry.signature.domain(),
              entry.signature.selector(), e);
          result = entry.signature.result(DkimCause.INTERNAL_ERROR, e.toString());
        }
      }
      LOG.debug("dkim={} ({}) d={} s={} a={}: {}", result.outcome().keyword(), result.cause().keyword(),
          result.domain(), result.selector(), result.algorithm(), result.reason());
      out.add(result);
    }
    results = List.copyOf(out);
    return results;
  }

  /** Outcomes that need neither key nor body: RFC 8301 rsa-sha1, and the x= / t= time checks. */
  private DkimResult decideWithoutKey(DkimSignature signature, long now) {
    if (signature.algorithm() == SignatureAlgorithm.RSA_SHA1) {
      return signature.result(DkimCause.RSA_SHA1_REFUSED, "");
    }
    long skew = policy.clockSkew().getSeconds();
    if (signature.expiration().isPresent() && signature.expiration().getAsLong() + skew < now) {
      long x = signature.expiration().getAsLong();
      return signature.result(DkimCause.SIGNATURE_EXPIRED, "x=" + x + " (" + Instant.ofEpochSecond(x) + ")");
    }
    if (signature.timestamp().isPresent() && signature.timestamp().getAsLong() > now + skew) {
      long t = signature.timestamp().getAsLong();
      return signature.result(DkimCause.SIGNATURE_IN_FUTURE, "t=" + t + " is " + (t - now) + " s ahead");
    }
    return null;
  }

  private DkimResult evaluate(Entry entry) {
    DkimSignature signature = entry.signature;
    DkimKeySource.KeyLookup lookup = entry.key.getNow(null);
    if (lookup == null) {
      return signature.result(DkimCause.KEY_LOOKUP_UNFINISHED, "no DNS answer for " + signature.keyName());
    }
    if (lookup instanceof DkimKeySource.Unusable unusable) {
      return signature.result(unusable.cause(), unusable.detail());
    }
    KeyRecord record = ((DkimKeySource.Found) lookup).record();
    SignatureAlgorithm algorithm = signature.algorithm();
    if (record.isRevoked()) {
      return signature.result(DkimCause.KEY_REVOKED, "empty p= at " + signature.keyName());
    }
    if (!record.keyType().equals(algorithm.keyType())) {
      return signature.result(DkimCause.KEY_TYPE_MISMATCH, "k=" + record.keyType() + ", a=" + signature.algorithmTag());
    }
    if (record.keyProblem() != null) {
      return signature.result(DkimCause.KEY_MALFORMED, record.keyProblem() + " (at " + signature.keyName() + ")");
    }
    if (!record.hashNames().isEmpty() && !record.hashNames().contains(algorithm.hashName())) {
      return signature.result(DkimCause.KEY_HASH_NOT_ALLOWED, "h=" + String.join(":", record.hashNames())
          + ", a=" + signature.algorithmTag());
    }
    if (!record.serviceTypes().contains("*") && !record.serviceTypes().contains("email")) {
      return signature.result(DkimCause.KEY_SERVICE_NOT_EMAIL, "s=" + String.join(":", record.serviceTypes()));
    }
    if (record.isStrict() && !signature.identity().isEmpty()) {
      String identityDomain = signature.identity().substring(signature.identity().lastIndexOf('@') + 1);
      if (!identityDomain.equalsIgnoreCase(signature.domain())) {
        return signature.result(DkimCause.KEY_STRICT_SUBDOMAIN, "i= domain " + identityDomain + ", d="
            + signature.domain());
      }
    }
    if (record.key() instanceof VerificationKey.Rsa rsa && rsa.bits() > policy.maxRsaBits()) {
      return signature.result(DkimCause.KEY_TOO_LONG, rsa.bits() + " bits, the maximum is " + policy.maxRsaBits());
    }
    if (record.key() instanceof VerificationKey.Rsa rsa && rsa.bits() < policy.minRsaBits()) {
      return signature.result(DkimCause.KEY_TOO_SHORT, rsa.bits() + " bits, the minimum is " + policy.minRsaBits());
    }

    BodyHash.Value body = entry.bodyHash.finish();
    long l = signature.bodyLength();
    if (l > body.canonicalLength()) {
      return signature.result(DkimCause.BODY_LENGTH_EXCEEDS, "l=" + l + ", the canonical body has "
          + body.canonicalLength() + " bytes");
    }
    if (!MessageDigest.isEqual(body.digest(), signature.bodyHash())) {
      return signature.result(DkimCause.BODY_HASH_MISMATCH, "");
    }
    HeaderField field = signature.field();
    HeaderField unsigned = new HeaderField(field.name(), DkimSignatureParser.withoutSignatureData(field.value()));
    byte[] headerData = SignedHeaderBlock.build(headers, signature.signedHeaders(), entry.headerIndex,
        signature.headerCanonicalization(), unsigned);
    if (!record.key().verify(algorithm, headerData, signature.signatureBytes())) {
      return signature.result(DkimCause.SIGNATURE_MISMATCH, "");
    }
    if (l >= 0 && l < body.canonicalLength()) {
      return signature.result(DkimCause.BODY_LENGTH_PARTIAL, (body.canonicalLength() - l) + " of "
          + body.canonicalLength());
    }
    return signature.result(record.isTesting() ? DkimCause.VERIFIED_TEST_MODE : DkimCause.VERIFIED, "");
  }

  @Override
  public String toString() {
    return "VerificationSession[" + entries.size() + " signatures, keys " + lookups.keySet() + "]";
  }
}
