package org.postseal.dkim;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Verification of one message: created from its headers by {@link DkimVerifier#start}, which starts
 * the key lookups at once; fed the body; finished once. Not thread-safe; one per message.
 */
public interface VerificationSession extends BodySink {

  /** Completes (never exceptionally) when every key lookup has an answer. Wait on it with a deadline. */
  CompletableFuture<Void> keysLookedUp();

  /** True when the message carries no DKIM-Signature field. */
  boolean hasNoSignatures();

  /** DKIM-Signature fields past {@link DkimPolicy#maxSignatures()}, which get no result at all. */
  int ignoredSignatures();

  /**
   * The d= of every signature this session evaluates that parsed, in header order (duplicates kept): what DMARC
   * needs to start its alignment lookups at end of headers, without parsing the fields again.
   */
  List<String> signingDomains();

  /**
   * One result per DKIM-Signature field, in header order, at most {@code maxSignatures}. A key whose
   * lookup has not answered yet gives temperror. Call after the whole body was written.
   */
  List<DkimResult> finish();
}
