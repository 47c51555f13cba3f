/**
 * {@code postseal doctor}: a domain as receivers see it (MX, SPF, DKIM, DMARC, reverse DNS of the server), each
 * finding with a severity and a one-line fix. Reads DNS only; reuses the SPF, DMARC and key-publication code the
 * milter itself runs, so the doctor and the milter never disagree.
 */
package org.postseal.doctor;
