package io.herald.core.store;

import java.time.Instant;

/**
 * Counted allowances shared by every container (connections per source IP). A count carries an
 * expiry so it heals itself when releases are lost ($disconnect is best-effort).
 */
public interface Quotas {
    /**
     * Takes one unit of {@code key} if fewer than {@code limit} are taken, atomically.
     *
     * @param expiresAt when the whole count may be forgotten if nothing renews it
     */
    boolean acquire(String key, int limit, Instant now, Instant expiresAt);

    /** Gives one unit back; never below zero. */
    void release(String key);

    /** Gives {@code units} back (a batch of forgotten connections from one address); never below zero. */
    default void release(String key, int units) {
        for (int i = 0; i < units; i++) release(key);
    }
}
