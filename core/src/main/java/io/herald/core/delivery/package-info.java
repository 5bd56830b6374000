/** Pushing bytes to connections: the notifier port, bounded concurrent fan-out, retries with jitter. */
package io.herald.core.delivery;
