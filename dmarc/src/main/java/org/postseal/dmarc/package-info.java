/**
 * DMARC (RFC 9989): {@link org.postseal.dmarc.DmarcRecordParser} reads a policy record,
 * {@link org.postseal.dmarc.DmarcPolicySource} finds it by the DNS tree walk, {@link org.postseal.dmarc.DmarcEvaluator}
 * aligns DKIM and SPF with the From domain into a {@link org.postseal.dmarc.DmarcResult}, and
 * {@link org.postseal.dmarc.DmarcDispositionEvaluator} decides what to do with the message under local
 * settings. Every evaluated message can be kept through a {@link org.postseal.dmarc.DmarcResultStore}.
 */
package org.postseal.dmarc;
