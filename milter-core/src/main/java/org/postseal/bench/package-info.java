/**
 * {@code postseal bench}: a load driver that plays Postfix against any milter (Postseal, OpenDKIM, a
 * trivial one) over the raw milter protocol, and reports throughput, latency and every edit it saw, so
 * that a milter doing nothing cannot look fast.
 */
package org.postseal.bench;
