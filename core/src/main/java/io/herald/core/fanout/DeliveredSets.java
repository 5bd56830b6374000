package io.herald.core.fanout;

import java.time.Instant;
import java.util.Collection;
import java.util.Set;

/**
 * The connections a batch task already reached, kept when the batch ends incomplete, so its retry
 * posts only to the rest. Keyed by the batch's deterministic key.
 */
public interface DeliveredSets {
    /** The connections recorded for the batch; empty when none (or never recorded). Read consistently. */
    Set<String> delivered(String batchKey);

    /** Adds connections to the batch's set; the set lives until {@code expiresAt}. */
    void record(String batchKey, Collection<String> connectionIds, Instant expiresAt);
}
