/**
 * What {@code [metrics] listen} serves: Prometheus counters of messages, signatures, verification results
 * and DNS lookups, gauges of sessions and keys, at {@code /metrics}, and {@code /healthz} for monitors.
 */
package org.postseal.metrics;
