package io.herald.core.fanout;

import java.time.Instant;
import java.util.Collection;
import java.util.Set;

/**
 * The connections a batch task or an inline publication already reached, kept when it ends
 * incomplete, so its retry posts only to the rest. Keyed by the batch's deterministic key, or by
 * {@code inline#} and the publication id.
 */
public interface DeliveredSets {
    /** The connections recorded for the batch; empty when none (or never recorded). Read consistently. */
    Set<String> delivered(String key);

    /** Adds connections to the batch's set; the set lives until {@code expiresAt}. */
    void record(String key, Collection<String> connectionIds, Instant expiresAt);
}
