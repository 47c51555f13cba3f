package org.postseal.pipeline;

import java.net.InetAddress;
import org.postseal.config.SigningConfig;

/**
 * Outbound or inbound, from the client and its authentication (docs/architecture.md, step 1). A message
 * is ours to sign only when the client is in signing.internal-networks or authenticated with SASL
 * (and sign-authenticated is on); what the From: field says never matters here.
 */
final class DirectionEvaluator {

  private DirectionEvaluator() {
  }

  /**
   * @param client            the SMTP client, or null when the MTA did not say
   * @param authenticatedUser the {auth_authen} macro, empty when none
   */
  static Direction evaluate(SigningConfig signing, InetAddress client, String authenticatedUser) {
    if (client != null && signing.isInternal(client)) {
      return Direction.OUTBOUND;
    }
    if (signing.signAuthenticated() && !authenticatedUser.isEmpty()) {
      return Direction.OUTBOUND;
    }
    return Direction.INBOUND;
  }
}
