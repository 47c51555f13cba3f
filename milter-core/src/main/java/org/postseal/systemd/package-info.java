/**
 * What {@code postseal serve} says to systemd when it runs as a service: readiness and reload notifications
 * ({@code Type=notify}), and log lines the journal files under the right priority.
 */
package org.postseal.systemd;
