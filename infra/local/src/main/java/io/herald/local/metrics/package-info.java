/**
 * What CloudWatch would show for the local stack's resources, counted where each is emulated and
 * served as JSON at {@code GET /local/metrics}: per function, per WebSocket API, per table, per
 * queue.
 */
package io.herald.local.metrics;
