/**
 * SPF (RFC 7208): {@link org.postseal.spf.SpfRecordParser} turns a TXT record into an
 * {@link org.postseal.spf.SpfRecord}, {@link org.postseal.spf.SpfEvaluator} runs check_host() over the
 * asynchronous DNS, and the outcome is an {@link org.postseal.spf.SpfResult} value. Nothing here blocks.
 */
package org.postseal.spf;
