package org.postseal.pipeline;

/** Placeholder replaced with the DKIM snapshot when the pipeline is written. */
final class PipelineSnapshot {
}
