package io.herald.core.delivery;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter (sleep a random time up to base * 2^attempt, capped), a
 * bounded number of attempts. Full jitter spreads a burst of 429s so the retries do not arrive
 * together and get throttled again.
 */
public record RetryPolicy(int maxAttempts, Duration base, Duration cap) {
    public static final RetryPolicy DEFAULT = new RetryPolicy(4, Duration.ofMillis(50), Duration.ofSeconds(1));

    public RetryPolicy {
        if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1");
    }

    /** The sleep before retry number {@code retry} (1-based). */
    public long delayMillis(int retry) {
        long ceiling = Math.min(cap.toMillis(), base.toMillis() << Math.min(retry - 1, 20));
        return ThreadLocalRandom.current().nextLong(ceiling + 1);
    }

    /**
     * Sleeps before retry {@code retry} (1-based). False when interrupted, with the thread's flag set
     * again, so the caller stops retrying.
     */
    public boolean pause(Delivery.Sleeper sleeper, int retry) {
        try {
            sleeper.sleep(delayMillis(retry));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
