package org.postseal.milter.client;

import java.util.Map;

/**
 * What the milter answered to option negotiation.
 *
 * @param steps      the SMFIP_* flags it asked for (steps not to send, replies not to wait for, leading space)
 * @param macroLists stage (SMFIM_*, 0..6) to the macro names it listed for that stage, separated by white space
 */
public record Negotiated(int version, int actions, int steps, Map<Integer, String> macroLists) {

  public boolean has(int stepFlag) {
    return (steps & stepFlag) != 0;
  }
}
