package io.herald.core.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Per-key event budgets shared by every container (a chat user's messages, typing, connections).
 * Each limit counts events in a window that opens with the first event counted in it and lasts
 * {@link Limit#window()}; the next event after it opens a new one.
 *
 * <p>Guarantee: {@link #acquire} counts one event against every limit of a key or against none,
 * atomically, so concurrent callers on any number of containers never admit more than a limit's
 * {@code max} events in one window. Faults are the adapter's runtime exceptions.
 */
public interface RateLimiter {
    /** At most {@code max} events per {@code window}; {@code name} is what a refusal reports. */
    record Limit(String name, int max, Duration window) {
        public Limit {
            if (max < 1) throw new IllegalArgumentException(name + ": max must be at least 1");
            if (window.isNegative() || window.isZero()) throw new IllegalArgumentException(name + ": window must be positive");
        }
    }

    /** Admitted (both null), or refused by {@code exceeded} until {@code retryAfter} has passed. */
    record Verdict(Limit exceeded, Duration retryAfter) {
        public static final Verdict ADMITTED = new Verdict(null, null);

        public boolean admitted() {
            return exceeded == null;
        }

        /** Whole seconds, rounded up, at least 1: what a client waits before trying again. */
        public long retryAfterSeconds() {
            return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
        }
    }

    /**
     * Counts one event for {@code key} against all {@code limits} if every one has room; otherwise
     * counts nothing and names the limit that is full (the one that frees up last).
     *
     * @param limits windows of different lengths (a window is known by its length)
     */
    Verdict acquire(String key, List<Limit> limits, Instant now);
}
