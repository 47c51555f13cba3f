/**
 * The MTA side of the milter protocol, behaving like Postfix 3.x: one {@link org.postseal.milter.client.MilterClient}
 * per milter connection. {@code postseal bench} drives milters with it, and the tests drive Postseal with it.
 * It does not use jmilter.
 */
package org.postseal.milter.client;
