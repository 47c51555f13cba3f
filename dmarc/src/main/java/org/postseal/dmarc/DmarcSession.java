package org.postseal.dmarc;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.postseal.dkim.DkimResult;
import org.postseal.spf.SpfResult;

/**
 * DMARC for one inbound message: started by {@link DmarcVerifier#start} at end of headers, which starts every
 * lookup the message can need (policy discovery for the From domain, the Organizational Domain walks of the
 * signing domains and the SPF domain, whether the From domain exists when np= matters); finished once, when the
 * DKIM and SPF results are known.
 *
 * <p>Threading: {@link #lookupsDone} completes on a DNS or timer thread; {@link #finish} never waits: a lookup
 * without an answer by then makes the result temperror. One session per message.
 */
public interface DmarcSession {

  /** Completes, never exceptionally, when every lookup has answered or the message's deadline is reached. */
  CompletableFuture<Void> lookupsDone();

  /**
   * The result and what to do with the message. Never blocks, never throws for message content or DNS.
   *
   * @param dkimResults every DKIM-Signature's result, in header order; only passes count (section 4.4.1)
   * @param spfResult   the SPF result for MAIL FROM (HELO for the null sender); only a pass counts (section 4.4.2)
   */
  DmarcVerdict finish(List<DkimResult> dkimResults, SpfResult spfResult);
}
