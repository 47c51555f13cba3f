/**
 * The mail vocabulary every mechanism shares, so each small decision is made once: domain names, envelope
 * and header addresses, header fields exactly as the MTA saw them, whole messages split as the MTA splits
 * them. No protocol and no I/O here.
 */
package org.postseal.mail;
