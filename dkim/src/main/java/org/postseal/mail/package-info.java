/**
 * The mail model shared by every mechanism: header fields exactly as the MTA saw them, addresses and
 * domain names. No protocol and no I/O here.
 */
package org.postseal.mail;
